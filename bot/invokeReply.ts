import { ActivityTypes, INVOKE_RESPONSE_KEY, type Activity, type TurnContext } from 'botbuilder';
import type { CardJson } from './render.js';

/**
 * Answers an Action.Execute with the reply for the person who clicked, and only them.
 *
 * Why not return the card to teams-ai: its actionExecute switches a route to "replace for all" for
 * good once any reply card contains `refresh`, and then writes every later reply into the shared
 * post with updateActivity. The bot has one catch-all route, so one such card would publish every
 * later private reply (a bidder's own price included) to the whole channel. Sending the invoke
 * response ourselves means teams-ai finds it already answered and never reaches that code.
 */
export async function replyPrivately(ctx: TurnContext, result: CardJson | string): Promise<void> {
  const body =
    typeof result === 'string'
      ? { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: result }
      : { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result };
  const response: Partial<Activity> = { type: ActivityTypes.InvokeResponse, value: { status: 200, body } };
  await ctx.sendActivity(response);
  // CloudAdapter marks the turn answered as it sends; other adapters (and a future one) may not, so mark it here.
  if (!ctx.turnState.get(INVOKE_RESPONSE_KEY)) ctx.turnState.set(INVOKE_RESPONSE_KEY, response);
}
