import { costOfCareView, saveCostModel, useDefaultModel } from '../../src/app/market/costModels.js';
import type { Routes } from '../registry.js';
import { costModelForm, costOfCareCard } from '../views/costCards.js';
import { sendCard } from './common.js';
import { guarded } from './guard.js';

/**
 * The market view (issue 25): the cost of care, the market report with its gaps and the action on
 * them, the gap rules, and providers' capacity from their channels. Council views are 1:1 only.
 */
const lotIn = (data: Record<string, unknown>) => (typeof data.lot === 'string' ? data.lot : '');

export function marketRoutes(): Routes {
  return {
    title: 'The market',
    commands: [
      {
        usage: 'cost of care ‹lot id›',
        summary: 'The council’s cost-of-care model: the sustainable hourly rate with its workings, for the default or a lot; commissioners change the figures.',
        pattern: /^cost\s+of\s+care(?:\s+(\S+))?$/i,
        permission: 'request.view',
        where: ['personal'],
        run: async (ctx, deps, { who, match }) => void (await sendCard(ctx, costOfCareCard(await costOfCareView(deps.store, who, match[1], deps.now())))),
      },
    ],
    actions: [
      guarded('market.cost.show', 'request.view', async (deps, { who, data }) => costOfCareCard(await costOfCareView(deps.store, who, lotIn(data), deps.now()))),
      guarded('market.cost.form', 'market.manage', async (deps, { who, data }) => costModelForm(await costOfCareView(deps.store, who, lotIn(data), deps.now()))),
      guarded(
        'market.cost.save',
        'market.manage',
        async (deps, { who, data }) => {
          const { unchanged } = await saveCostModel(deps.store, who, lotIn(data), data, deps.now());
          return costOfCareCard(await costOfCareView(deps.store, who, lotIn(data), deps.now()), { notice: unchanged ? 'Nothing changed.' : 'Saved. Rankings, approvals and the market report use these figures from now on.' });
        },
        async (deps, { who, data }, e) => costModelForm(await costOfCareView(deps.store, who, lotIn(data), deps.now()), { values: data, errors: Object.keys(e.fields).length ? e.fields : { _form: e.message } }),
        { once: true },
      ),
      guarded(
        'market.cost.default',
        'market.manage',
        async (deps, { who, data }) => {
          const { removed } = await useDefaultModel(deps.store, who, lotIn(data));
          return costOfCareCard(await costOfCareView(deps.store, who, lotIn(data), deps.now()), { notice: removed ? 'This lot now uses the council default.' : 'This lot already uses the council default.' });
        },
        undefined,
        { once: true },
      ),
    ],
  };
}
