import { ActivityTypes, TurnContext } from 'botbuilder';
import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import { loadUser, unrecognisedReason } from '../src/app/actor.js';
import { AppError } from '../src/app/errors.js';
import { can } from '../src/app/permissions.js';
import type { Deps } from './deps.js';
import { Revisions, subjectOf } from '../src/app/revisions.js';
import { ActionDedup, stableKey } from './actionDedup.js';
import { identifier } from './identity.js';
import { answerInvokeError, replyPrivately } from './invokeReply.js';
import { capInputs } from './inputLimits.js';
import { detached, nameTurn, timed } from '../src/telemetry/phases.js';
import { readUsersOnce } from '../src/store/turnReads.js';
import { guestOf, type Action, type Command, type Routes } from './registry.js';
import { CardTooLargeError, type CardJson } from './render.js';
import { adminRoutes } from './routes/admin.js';
import { admissionRoutes } from './routes/admission.js';
import { commonRoutes, explainNoRole, placeOf, UNCONFIRMED } from './routes/common.js';
import { registerLifecycle } from './routes/lifecycle.js';
import { registerSearch } from './routes/search.js';
import { requestRoutes } from './routes/requests.js';
import { refusalText } from './routes/guard.js';
import { calloffRoutes } from './routes/calloffs.js';
import { awardRoutes } from './routes/award.js';
import { reportRoutes } from './routes/reports.js';
import { agreementRoutes } from './routes/agreements.js';
import { approvalRoutes } from './routes/approvals.js';
import { fundingRoutes } from './routes/funding.js';
import { marketRoutes } from './routes/market.js';
import { opsRoutes } from './routes/ops.js';
import { turnOutcome, turnVerb } from '../src/metrics.js';

export interface Bot {
  app: Application;
  commands: Command[];
  actions: Map<string, Action>;
}

/** A command by its name ("publish", "market report"): its usage's leading lowercase words, never a reference or what was typed. Telemetry's verb, and what a refusal names. */
const commandVerb = (command: Command) => /^[a-z]+(?: [a-z]+)*/.exec(command.usage)?.[0] ?? 'command';

/** Builds the Teams application: every role's routes behind one text router and one action router. */
export function createBot(deps: Deps, adapter?: TeamsAdapter): Bot {
  const shared = deps;
  const app = new Application({ adapter, removeRecipientMention: true, startTypingTimer: false });
  const commands: Command[] = [];
  const all: Routes[] = [commonRoutes(() => commands), requestRoutes(), calloffRoutes(), awardRoutes(), agreementRoutes(), approvalRoutes(), fundingRoutes(), adminRoutes(), admissionRoutes(), reportRoutes(), marketRoutes(), opsRoutes()];
  commands.push(...all.flatMap((r) => r.commands.map((c) => ({ ...c, group: r.title }))));
  const actions = new Map(all.flatMap((r) => r.actions).map((a) => [a.verb, a]));
  // A repeated click replays its first answer only while what it is about is unchanged (actionDedup.ts).
  const revisions = new Revisions(deps.store, ['lots', 'zones', 'providers', 'users', 'criteria', 'settings', 'requests', 'bids', 'admissionQuestions', 'applications', 'windows', 'admission', 'agreements', 'costModels', 'capacity', 'marketRules']);
  const dedup = new ActionDedup<CardJson | string>(15_000, Date.now, revisions.of);
  const identify = identifier(deps);

  app.activity(ActivityTypes.Message, async (ctx) => {
    const text = (ctx.activity.text ?? '').replace(/<at>[^<]*<\/at>/g, '').replace(/\s+/g, ' ').trim();
    const turn = readUsersOnce(deps.store);
    const who = await identify(ctx, turn);
    const user = await loadUser(turn, who);
    // People with no role reach only commands marked open (e.g. `apply`); the rest are told how to get a role.
    if (!user && !commands.some((c) => c.open && c.pattern.test(text))) {
      const tried = commands.find((c) => c.pattern.test(text));
      if (tried) {
        turnVerb(commandVerb(tried));
        await deps.refusals.record(who, `command ${tried.usage.split(' ')[0]}`, await unrecognisedReason(turn, who));
      }
      if (who.memberLookupFailed) return void (await ctx.sendActivity(UNCONFIRMED));
      return explainNoRole(ctx, who.aadObjectId, commands.filter((c) => c.open));
    }
    const place = placeOf(ctx);
    for (const command of commands) {
      if (!user && !command.open) continue;
      const match = text.match(command.pattern);
      if (!match) continue;
      turnVerb(commandVerb(command));
      if (user && command.permission && !can(user, command.permission)) {
        await deps.refusals.record(who, `command ${command.usage.split(' ')[0]}`, 'role', { roles: user.roles });
        return void (await ctx.sendActivity(`\`${commandVerb(command)}\` is not open to your role. Type \`help\` for what you can do.`));
      }
      if (command.where && !command.where.includes(place)) {
        await deps.refusals.record(who, `command ${command.usage.split(' ')[0]}`, 'place', { place });
        return void (await ctx.sendActivity(`\`${command.usage}\` works only in a ${command.where.join(' or ')} conversation.`));
      }
      deps.logger.info('command', { command: command.usage, user: who.aadObjectId, place });
      try {
        await command.run(ctx, deps, { who, user: user ?? guestOf(who), match });
      } catch (e) {
        // A refusal in words the user can act on; anything else is a fault for app.error.
        if (e instanceof CardTooLargeError) {
          deps.logger.warn('card too large', { card: e.card, bytes: e.bytes, command: command.usage });
          await ctx.sendActivity(e.advice);
        } else if (e instanceof AppError) {
          turnOutcome('rejected');
          if (e.kind === 'forbidden') await deps.refusals.record(who, `command ${command.usage.split(' ')[0]}`, e.message);
          await ctx.sendActivity(refusalText(e));
        } else throw e;
      }
      return deps.changed?.();
    }
    turnOutcome('unknown');
    await ctx.sendActivity(text ? `Sorry, I don't know "${text}". Type \`help\` for what you can do.` : 'Type `help` for what you can do.');
  });

  app.adaptiveCards.actionExecute<Record<string, unknown>>(/.*/, async (ctx, _state, data) => {
    const verb = String((ctx.activity.value as { action: { verb: string } }).action.verb);
    return respond(ctx, verb, data ?? {});
  });

  // The same invoke with another kind of action: teams-ai's actionExecute takes only Action.Execute, and botbuilder answers the rest 501.
  const otherCardAction = async (ctx: TurnContext) => ctx.activity.type === ActivityTypes.Invoke && ctx.activity.name === 'adaptiveCard/action' && (ctx.activity.value as { action?: { type?: unknown } })?.action?.type !== 'Action.Execute';
  app.addRoute(
    otherCardAction,
    async (ctx) => {
      const action = (ctx.activity.value as { action?: { type?: unknown; verb?: unknown; data?: Record<string, unknown> } } | undefined)?.action ?? {};
      if (action.type !== 'Action.Submit') return answerInvokeError(ctx, 400, 'NotSupported', `The bot does not act on '${String(action.type).slice(0, 40)}' buttons.`);
      // An Action.Submit names its verb in its data (the convention teams-ai's actionSubmit follows), or, from some clients, on the action.
      const { verb: dataVerb, ...data } = action.data ?? {};
      const verb = typeof action.verb === 'string' ? action.verb : typeof dataVerb === 'string' ? dataVerb : undefined;
      if (!verb) return answerInvokeError(ctx, 400, 'BadRequest', 'This button names no action for the bot. Open the card again from the bot (type `help`) and use its buttons.');
      await respond(ctx, verb, data);
    },
    true,
  );

  /** Answers a click, privately; a fault becomes a true sentence rather than an unanswered invoke. */
  async function respond(ctx: TurnContext, verb: string, data: Record<string, unknown>): Promise<CardJson | string> {
    let result: CardJson | string;
    try {
      result = await timed('route', () => answer(ctx, verb, capInputs(data)));
    } catch (error) {
      // Unanswered, an invoke becomes a 501 and Teams shows "Unable to reach the app": say something true instead.
      deps.logger.error('action failed', { error, verb });
      turnOutcome('failed');
      result = 'Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the Brokerage Team.';
    }
    await timed('reply', () => replyPrivately(ctx, result));
    return result;
  }

  async function answer(ctx: TurnContext, verb: string, data: Record<string, unknown>): Promise<CardJson | string> {
    nameTurn(verb);
    // The clicker's user record is read once for the tenant check, the role check and the use case.
    const deps: Deps = Object.assign(Object.create(shared) as Deps, { store: readUsersOnce(shared.store) });
    const who = await identify(ctx, deps.store);
    const action = actions.get(verb);
    if (!action) {
      turnOutcome('unknown');
      return 'This card is out of date. Type `help` for what you can do now.';
    }
    turnVerb(verb);
    // Who is asking is settled before anything else, a replay included.
    const user = await loadUser(deps.store, who);
    if (!user && !action.open) {
      await deps.refusals.record(who, `action ${verb}`, await unrecognisedReason(deps.store, who));
      return who.memberLookupFailed ? UNCONFIRMED : "You don't have a role in Brokerage Bot, so this card's actions are not open to you.";
    }
    if (user && action.permission && !can(user, action.permission)) {
      await deps.refusals.record(who, `action ${verb}`, 'role', { roles: user.roles });
      return "Your role doesn't allow that action.";
    }
    const run = async (): Promise<CardJson | string> => {
      deps.logger.info('action', { verb, user: who.aadObjectId });
      try {
        return await action.run(ctx, deps, { who, user: user ?? guestOf(who), data });
      } catch (e) {
        if (e instanceof CardTooLargeError) {
          deps.logger.warn('card too large', { card: e.card, bytes: e.bytes, verb });
          return e.advice;
        }
        if (!(e instanceof AppError)) throw e;
        turnOutcome('rejected');
        if (e.kind === 'forbidden') await deps.refusals.record(who, `action ${verb}`, e.message);
        return e.message;
      } finally {
        // Whatever the action queued (posts, deadlines) goes out now, as work of its own: not the turn's.
        timed('after', () => detached(() => deps.changed?.()));
      }
    };
    // A repeat is the same person (object id and tenant, as Teams gave them) clicking the same card in the same conversation.
    const key = stableKey([who.aadObjectId, who.tenantId ?? '', who.memberTenantId ?? '', ctx.activity.conversation?.id ?? '', ctx.activity.replyToId ?? '', verb, data]);
    return action.once ? dedup.run(key, run, subjectOf(data)) : run();
  }

  registerLifecycle(app, deps, () => commands, identify);
  registerSearch(app, deps, identify);

  app.error(async (ctx: TurnContext, error: Error) => {
    deps.logger.error('turn failed', { error, activityType: ctx.activity.type });
    turnOutcome('failed');
    if (ctx.activity.type === ActivityTypes.Message) await ctx.sendActivity('Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the Brokerage Team.');
  });

  return { app, commands, actions };
}
