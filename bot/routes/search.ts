import type { Application } from '@microsoft/teams-ai';
import { loadUser } from '../../src/app/actor.js';
import { can } from '../../src/app/permissions.js';
import { findProviders } from '../../src/app/framework/views.js';
import type { Deps } from '../deps.js';
import { PROVIDER_DATASET } from '../forms/adminForms.js';
import { whoFrom } from '../identity.js';
import { matches } from '../views/paging.js';

/** Teams asks for at most this many at a time; more is never useful in a drop-down. */
const MAX_RESULTS = 50;

/**
 * Teams' dynamic type-ahead: an `Input.ChoiceSet` with `choices.data` of type Data.Query sends an
 * `application/search` invoke as the user types, and shows the results as its choices. Only people
 * who may manage the framework get results (the same permission as the form the picker is on).
 */
export function registerSearch(app: Application, deps: Deps): void {
  app.adaptiveCards.search(PROVIDER_DATASET, async (ctx, _state, query) => {
    const user = await loadUser(deps.store, whoFrom(ctx.activity));
    if (!user || !can(user, 'framework.manage')) return [];
    const text = query.parameters.queryText ?? '';
    const skip = Math.max(0, Number(query.skip) || 0);
    const count = Math.min(MAX_RESULTS, Math.max(1, Number(query.count) || 15));
    return (await findProviders(deps.store, (s) => matches(s, text), skip, count)).map((p) => ({ title: p.name, value: p.id }));
  });
}
