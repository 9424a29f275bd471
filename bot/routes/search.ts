import { ActivityTypes } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { loadUser, unrecognisedReason } from '../../src/app/actor.js';
import { can, type Permission } from '../../src/app/permissions.js';
import { findProviders } from '../../src/app/framework/views.js';
import type { Deps } from '../deps.js';
import { PROVIDER_DATASET } from '../forms/adminForms.js';
import type { Identify } from '../identity.js';
import { answerInvoke, answerInvokeError } from '../invokeReply.js';
import { matches } from '../views/paging.js';
import { turnVerb } from '../../src/metrics.js';

/** Teams asks for at most this many at a time; more is never useful in a drop-down. */
const MAX_RESULTS = 50;

interface Dataset {
  /** Who may see it: the same permission as the form the picker is on. */
  permission: Permission;
  /** How a search is named in the audit log (when refused) and in telemetry (the turn's verb). */
  what: string;
  find(deps: Deps, text: string, skip: number, count: number): Promise<{ title: string; value: string }[]>;
}

/** The lists a card's type-ahead may ask for, by the dataset name the card carries. */
const DATASETS: Record<string, Dataset> = {
  [PROVIDER_DATASET]: {
    permission: 'framework.manage',
    what: 'search providers',
    find: async (deps, text, skip, count) => (await findProviders(deps.store, (s) => matches(s, text), skip, count)).map((p) => ({ title: p.name, value: p.id })),
  },
};

const searchResults = (results: { title: string; value: string }[]) => ({ statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results } });

/**
 * Teams' dynamic type-ahead: an `Input.ChoiceSet` with `choices.data` of type Data.Query sends an
 * `application/search` invoke as the user types, and shows the results as its choices. Who asks
 * is checked as on every other turn (`identify`: the council's tenants, Teams' member lookup); a
 * refused search gets no results and is audited, like any refusal. A dataset the bot has none of
 * (an out-of-date or forged card) gets a 400 saying so: every search invoke is answered here, so
 * none is left to botbuilder's 501.
 */
export function registerSearch(app: Application, deps: Deps, identify: Identify): void {
  const isSearch = async (ctx: { activity: { type: string; name?: string } }) => ctx.activity.type === ActivityTypes.Invoke && ctx.activity.name === 'application/search';
  app.addRoute(
    isSearch,
    async (ctx) => {
      const value = (ctx.activity.value ?? {}) as { dataset?: unknown; queryText?: unknown; queryOptions?: { skip?: unknown; top?: unknown } };
      const dataset = typeof value.dataset === 'string' && Object.hasOwn(DATASETS, value.dataset) ? DATASETS[value.dataset] : undefined;
      if (!dataset) {
        const named = JSON.stringify(value.dataset ?? '').slice(0, 60);
        deps.logger.warn('search for a dataset the bot does not have', { dataset: named });
        return answerInvokeError(ctx, 400, 'BadRequest', `This card searches a list the bot does not have (${named}). Open the form again from the bot to get the current one.`);
      }
      turnVerb(dataset.what);
      const who = await identify(ctx);
      const user = await loadUser(deps.store, who);
      if (!user || !can(user, dataset.permission)) {
        if (user) await deps.refusals.record(who, dataset.what, 'role', { roles: user.roles });
        else await deps.refusals.record(who, dataset.what, await unrecognisedReason(deps.store, who));
        return answerInvoke(ctx, 200, searchResults([]));
      }
      const text = typeof value.queryText === 'string' ? value.queryText : '';
      const skip = Math.max(0, Number(value.queryOptions?.skip) || 0);
      const count = Math.min(MAX_RESULTS, Math.max(1, Number(value.queryOptions?.top) || 25));
      return answerInvoke(ctx, 200, searchResults(await dataset.find(deps, text, skip, count)));
    },
    true,
  );
}
