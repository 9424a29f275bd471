import { ActivityTypes, TurnContext } from 'botbuilder';
import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import { loadUser } from '../src/app/actor.js';
import { AppError } from '../src/app/errors.js';
import { can } from '../src/app/permissions.js';
import type { Deps } from './deps.js';
import { ActionDedup, Revisions, stableKey, subjectOf } from './actionDedup.js';
import { identify } from './identity.js';
import { RefusalAudit } from './refusals.js';
import type { Who } from '../src/app/actor.js';
import { replyPrivately } from './invokeReply.js';
import { capInputs } from './inputLimits.js';
import { guestOf, type Action, type Command, type Routes } from './registry.js';
import { CardTooLargeError, type CardJson } from './render.js';
import { adminRoutes } from './routes/admin.js';
import { admissionRoutes } from './routes/admission.js';
import { commonRoutes, explainNoRole, placeOf } from './routes/common.js';
import { registerLifecycle } from './routes/lifecycle.js';
import { registerSearch } from './routes/search.js';
import { requestRoutes } from './routes/requests.js';
import { refusalText } from './routes/guard.js';
import { calloffRoutes } from './routes/calloffs.js';
import { awardRoutes } from './routes/award.js';
import { reportRoutes } from './routes/reports.js';
import { agreementRoutes } from './routes/agreements.js';
import { turnOutcome, turnVerb } from '../src/metrics.js';
import { opsRoutes } from './routes/ops.js';

export interface Bot {
  app: Application;
  commands: Command[];
  actions: Map<string, Action>;
}

/** Builds the Teams application: every role's routes behind one text router and one action router. */
export function createBot(deps: Deps, adapter?: TeamsAdapter): Bot {
  const app = new Application({ adapter, removeRecipientMention: true, startTypingTimer: false });
  const commands: Command[] = [];
  const all: Routes[] = [commonRoutes(() => commands), requestRoutes(), calloffRoutes(), awardRoutes(), agreementRoutes(), adminRoutes(), admissionRoutes(), reportRoutes(), opsRoutes()];
  commands.push(...all.flatMap((r) => r.commands.map((c) => ({ ...c, group: r.title }))));
  const actions = new Map(all.flatMap((r) => r.actions).map((a) => [a.verb, a]));
  // A repeated click replays its first answer only while what it is about is unchanged (actionDedup.ts).
  const revisions = new Revisions(deps.store, ['lots', 'zones', 'providers', 'users', 'criteria', 'settings', 'requests', 'bids', 'admissionQuestions', 'applications', 'windows', 'admission', 'agreements']);
  const dedup = new ActionDedup<CardJson | string>(15_000, Date.now, revisions.of);
  const refusals = { record: (...args: Parameters<RefusalAudit['record']>) => (deps.refusals ??= new RefusalAudit(deps.store, deps.logger)).record(...args) };
  /** Why someone Teams identifies has no user here: no role at all, or a user known only from another tenant. */
  const noUser = async (who: Who) => ((await deps.store.get('users', who.aadObjectId)) ? 'not recognised from this tenant' : 'no role');

  app.activity(ActivityTypes.Message, async (ctx) => {
    const text = (ctx.activity.text ?? '').replace(/<at>[^<]*<\/at>/g, '').replace(/\s+/g, ' ').trim();
    const who = await identify(ctx, deps);
    const user = await loadUser(deps.store, who);
    // People with no role reach only commands marked open (e.g. `apply`); the rest are told how to get a role.
    if (!user && !commands.some((c) => c.open && c.pattern.test(text))) {
      const tried = commands.find((c) => c.pattern.test(text));
      if (tried) await refusals.record(who, `command ${tried.usage.split(' ')[0]}`, await noUser(who));
      return explainNoRole(ctx, who.aadObjectId, commands.filter((c) => c.open));
    }
    const place = placeOf(ctx);
    for (const command of commands) {
      if (!user && !command.open) continue;
      const match = text.match(command.pattern);
      if (!match) continue;
      turnVerb(/^[a-z]+(?: [a-z]+)*/.exec(command.usage)?.[0] ?? 'command'); // its name ("publish"), never a reference or what was typed
      if (user && command.permission && !can(user, command.permission)) {
        await refusals.record(who, `command ${command.usage.split(' ')[0]}`, 'role', { roles: user.roles });
        return void (await ctx.sendActivity(`\`${command.usage.split(' ')[0]}\` is not open to your role. Type \`help\` for what you can do.`));
      }
      if (command.where && !command.where.includes(place)) {
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
          if (e.kind === 'forbidden') await refusals.record(who, `command ${command.usage.split(' ')[0]}`, e.message);
          await ctx.sendActivity(refusalText(e));
        } else throw e;
      }
      return deps.changed?.();
    }
    turnOutcome('unknown');
    await ctx.sendActivity(text ? `Sorry, I don't know "${text}". Type \`help\` for what you can do.` : 'Type `help` for what you can do.');
  });

  app.adaptiveCards.actionExecute<Record<string, unknown>>(/.*/, async (ctx, _state, data) => {
    let result: CardJson | string;
    try {
      result = await answer(ctx, capInputs(data ?? {}));
    } catch (error) {
      // Unanswered, an invoke becomes a 501 and Teams shows "Unable to reach the app": say something true instead.
      deps.logger.error('action failed', { error, verb: (ctx.activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb });
      turnOutcome('failed');
      result = 'Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the Brokerage Team.';
    }
    await replyPrivately(ctx, result);
    return result;
  });

  async function answer(ctx: TurnContext, data: Record<string, unknown> | undefined): Promise<CardJson | string> {
    const verb = String((ctx.activity.value as { action?: { verb?: string } }).action?.verb ?? '');
    const who = await identify(ctx, deps);
    const action = actions.get(verb);
    if (!action) {
      turnOutcome('unknown');
      return 'This card is out of date. Type `help` for what you can do now.';
    }
    turnVerb(verb);
    const handle = async (): Promise<CardJson | string> => {
      const user = await loadUser(deps.store, who);
      if (!user && !action.open) {
        await refusals.record(who, `action ${verb}`, await noUser(who));
        return "You don't have a role in Brokerage Bot, so this card's actions are not open to you.";
      }
      if (user && action.permission && !can(user, action.permission)) {
        await refusals.record(who, `action ${verb}`, 'role', { roles: user.roles });
        return "Your role doesn't allow that action.";
      }
      deps.logger.info('action', { verb, user: who.aadObjectId });
      try {
        return await action.run(ctx, deps, { who, user: user ?? guestOf(who), data: data ?? {} });
      } catch (e) {
        if (e instanceof CardTooLargeError) {
          deps.logger.warn('card too large', { card: e.card, bytes: e.bytes, verb });
          return e.advice;
        }
        if (!(e instanceof AppError)) throw e;
        turnOutcome('rejected');
        if (e.kind === 'forbidden') await refusals.record(who, `action ${verb}`, e.message);
        return e.message;
      } finally {
        deps.changed?.(); // whatever the action queued (posts, deadlines) goes out now
      }
    };
    return action.once ? dedup.run(stableKey([who.aadObjectId, ctx.activity.replyToId ?? '', verb, data]), handle, subjectOf(data)) : handle();
  }

  registerLifecycle(app, deps, () => commands);
  registerSearch(app, deps);

  app.error(async (ctx: TurnContext, error: Error) => {
    deps.logger.error('turn failed', { error, activityType: ctx.activity.type });
    turnOutcome('failed');
    if (ctx.activity.type === ActivityTypes.Message) await ctx.sendActivity('Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the Brokerage Team.');
  });

  return { app, commands, actions };
}
