import { ActivityTypes, TurnContext } from 'botbuilder';
import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import { loadUser } from '../src/app/actor.js';
import { AppError } from '../src/app/errors.js';
import { can } from '../src/app/permissions.js';
import type { Deps } from './deps.js';
import { ActionDedup, Revisions, stableKey, subjectOf } from './actionDedup.js';
import { whoFrom } from './identity.js';
import { guestOf, type Action, type Command, type Routes } from './registry.js';
import type { CardJson } from './render.js';
import { adminRoutes } from './routes/admin.js';
import { admissionRoutes } from './routes/admission.js';
import { commonRoutes, explainNoRole, placeOf } from './routes/common.js';
import { registerLifecycle } from './routes/lifecycle.js';
import { requestRoutes } from './routes/requests.js';
import { refusalText } from './routes/guard.js';
import { calloffRoutes } from './routes/calloffs.js';
import { awardRoutes } from './routes/award.js';
import { reportRoutes } from './routes/reports.js';

export interface Bot {
  app: Application;
  commands: Command[];
  actions: Map<string, Action>;
}

/** Builds the Teams application: every role's routes behind one text router and one action router. */
export function createBot(deps: Deps, adapter?: TeamsAdapter): Bot {
  const app = new Application({ adapter, removeRecipientMention: true, startTypingTimer: false });
  const commands: Command[] = [];
  const all: Routes[] = [commonRoutes(() => commands), requestRoutes(), calloffRoutes(), awardRoutes(), adminRoutes(), admissionRoutes(), reportRoutes()];
  commands.push(...all.flatMap((r) => r.commands.map((c) => ({ ...c, group: r.title }))));
  const actions = new Map(all.flatMap((r) => r.actions).map((a) => [a.verb, a]));
  // A repeated click replays its first answer only while what it is about is unchanged (actionDedup.ts).
  const revisions = new Revisions(deps.store, ['lots', 'zones', 'providers', 'users', 'criteria', 'settings', 'requests', 'bids', 'admissionQuestions', 'applications', 'windows', 'admission']);
  const dedup = new ActionDedup<CardJson | string>(15_000, Date.now, revisions.of);

  app.activity(ActivityTypes.Message, async (ctx) => {
    const text = (ctx.activity.text ?? '').replace(/<at>[^<]*<\/at>/g, '').replace(/\s+/g, ' ').trim();
    const who = whoFrom(ctx.activity);
    const user = await loadUser(deps.store, who);
    // People with no role reach only commands marked open (e.g. `apply`); the rest are told how to get a role.
    if (!user && !commands.some((c) => c.open && c.pattern.test(text))) return explainNoRole(ctx, who.aadObjectId, commands.filter((c) => c.open));
    const place = placeOf(ctx);
    for (const command of commands) {
      if (!user && !command.open) continue;
      const match = text.match(command.pattern);
      if (!match) continue;
      if (user && command.permission && !can(user, command.permission)) {
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
        if (!(e instanceof AppError)) throw e;
        await ctx.sendActivity(refusalText(e));
      }
      return deps.changed?.();
    }
    await ctx.sendActivity(text ? `Sorry, I don't know "${text}". Type \`help\` for what you can do.` : 'Type `help` for what you can do.');
  });

  app.adaptiveCards.actionExecute<Record<string, unknown>>(/.*/, async (ctx, _state, data) => {
    const verb = String((ctx.activity.value as { action?: { verb?: string } }).action?.verb ?? '');
    const who = whoFrom(ctx.activity);
    const action = actions.get(verb);
    if (!action) return 'This card is out of date. Type `help` for what you can do now.';
    const handle = async (): Promise<CardJson | string> => {
      const user = await loadUser(deps.store, who);
      if (!user && !action.open) return "You don't have a role in Brokerage Bot, so this card's actions are not open to you.";
      if (user && action.permission && !can(user, action.permission)) {
        await deps.store.transact({ actor: who.aadObjectId, action: 'refused' }, (tx) => tx.note('action.refused', { verb, reason: 'role' }));
        return "Your role doesn't allow that action.";
      }
      deps.logger.info('action', { verb, user: who.aadObjectId });
      try {
        return await action.run(ctx, deps, { who, user: user ?? guestOf(who), data: data ?? {} });
      } catch (e) {
        if (e instanceof AppError) return e.message;
        throw e;
      } finally {
        deps.changed?.(); // whatever the action queued (posts, deadlines) goes out now
      }
    };
    return action.once ? dedup.run(stableKey([who.aadObjectId, ctx.activity.replyToId ?? '', verb, data]), handle, subjectOf(data)) : handle();
  });

  registerLifecycle(app, deps, () => commands);

  app.error(async (ctx: TurnContext, error: Error) => {
    deps.logger.error('turn failed', { error, activityType: ctx.activity.type });
    if (ctx.activity.type === ActivityTypes.Message) await ctx.sendActivity('Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the Brokerage Team.');
  });

  return { app, commands, actions };
}
