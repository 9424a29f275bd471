import { ActivityTypes, INVOKE_RESPONSE_KEY, type Activity, type TurnContext } from 'botbuilder';
import type { CardJson } from './render.js';
import { turnOutcome } from '../src/metrics.js';

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
  await answerInvoke(ctx, 200, body);
}

/** Answers an invoke with this HTTP status and body (what the adapter returns to Teams). */
export async function answerInvoke(ctx: TurnContext, status: number, body: unknown): Promise<void> {
  const response: Partial<Activity> = { type: ActivityTypes.InvokeResponse, value: { status, body } };
  await ctx.sendActivity(response);
  // CloudAdapter marks the turn answered as it sends; other adapters (and a future one) may not, so mark it here.
  if (!ctx.turnState.get(INVOKE_RESPONSE_KEY)) ctx.turnState.set(INVOKE_RESPONSE_KEY, response);
}

/**
 * A 4xx answer to an invoke, in the shape Teams and botbuilder use for one (`application/vnd.microsoft.error`), with the same status over HTTP.
 * The turn counts as malformed (a card the bot cannot act on), as a malformed activity does.
 */
export function answerInvokeError(ctx: TurnContext, statusCode: 400 | 403 | 404, code: string, message: string): Promise<void> {
  turnOutcome('malformed');
  return answerInvoke(ctx, statusCode, { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } });
}
