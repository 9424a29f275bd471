import { costOfCareView, saveCostModel, useDefaultModel } from '../../src/app/market/costModels.js';
import { capacityView, declareCapacity } from '../../src/app/market/capacity.js';
import { getMarketRules, setMarketRules } from '../../src/app/market/rules.js';
import { openWindowForGap } from '../../src/app/market/act.js';
import { loadMarketData } from '../../src/reports/marketData.js';
import { buildMarketView } from '../../src/reports/marketFiles.js';
import { dates, PeriodError, type Period } from '../../src/reports/period.js';
import type { User } from '../../src/domain/framework.js';
import { formatUk } from '../../src/domain/dates.js';
import type { Deps } from '../deps.js';
import type { CardJson } from '../render.js';
import { linksOf, periodOrSay } from './reports.js';
import { capacityCard } from '../views/capacityCards.js';
import { marketReportCard, marketRulesForm } from '../views/marketCards.js';
import type { Routes } from '../registry.js';
import { costModelForm, costOfCareCard } from '../views/costCards.js';
import { sendCard } from './common.js';
import { can } from '../../src/app/permissions.js';
import { guarded } from './guard.js';

/**
 * The market view (issue 25): the cost of care, the market report with its gaps and the action on
 * them, the gap rules, and providers' capacity from their channels. Council views are 1:1 only.
 */
const lotIn = (data: Record<string, unknown>) => (typeof data.lot === 'string' ? data.lot : '');
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const canAct = (user: User) => can(user, 'market.manage') && can(user, 'admission.manage');

/** The market report card for a period: figures read once, links to the heat map and the CSV. */
async function reportCard(deps: Deps, user: User, period: Period, o: { page?: unknown; notice?: string; error?: string } = {}): Promise<CardJson> {
  return marketReportCard(buildMarketView(await loadMarketData(deps.store, period, deps.now()), period, linksOf(deps)), { ...o, canAct: canAct(user) });
}

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
      {
        usage: 'market report ‹period›',
        summary: 'Where the market fails, by lot and zone: no-bid and one-bid call-offs, cascades, off-contract, hand-backs, time to start, providers and their capacity, rates against the cost of care; a heat map and a CSV. Period as for `report`.',
        pattern: /^market(?:\s+report(?:\s+(.+))?)?$/i,
        permission: 'report.view',
        where: ['personal'],
        run: async (ctx, deps, { user, match }) => {
          const period = await periodOrSay(ctx, match[1], deps.now());
          if (period) await sendCard(ctx, await reportCard(deps, user, period));
        },
      },
      {
        usage: 'market rules',
        summary: 'When a lot and zone count as a gap, how long before the report proposes opening the framework there, when capacity is stale, and the small-number threshold.',
        pattern: /^market\s+rules$/i,
        permission: 'report.view',
        where: ['personal'],
        run: async (ctx, deps, { who, user }) => void (await sendCard(ctx, marketRulesForm(await getMarketRules(deps.store, who), { readOnly: !can(user, 'market.manage') }))),
      },
      {
        usage: 'capacity',
        summary: 'Say, for each zone you cover, whether you can take new packages and roughly how many hours a week. Only the council sees it.',
        pattern: /^capacity$/i,
        permission: 'capacity.declare',
        where: ['channel'],
        run: async (ctx, deps, { who }) => void (await sendCard(ctx, capacityCard(await capacityView(deps.store, who, deps.now())))),
      },
    ],
    actions: [
      guarded('market.report', 'report.view', async (deps, { user, data }) => {
        try {
          return await reportCard(deps, user, dates(str(data.from), str(data.to)), { page: data.page });
        } catch (e) {
          if (e instanceof PeriodError) return e.message;
          throw e;
        }
      }),
      guarded('market.rules.show', 'report.view', async (deps, { who, user }) => marketRulesForm(await getMarketRules(deps.store, who), { readOnly: !can(user, 'market.manage') })),
      guarded(
        'market.gap.open',
        'market.manage',
        async (deps, { who, user, data }) => {
          const r = await openWindowForGap(deps.store, who, { lot: str(data.lot), zone: str(data.zone), from: str(data.from), to: str(data.to) }, deps.now());
          const notice = r.already
            ? `Evaluation window ${r.window.id} is already open for this gap; the market was told on ${formatUk(r.invitation.at)}. Nothing new was sent.`
            : `${r.opened ? `Opened evaluation window ${r.window.id}` : `Added this gap to the open evaluation window ${r.window.id}`} and told ${r.told} provider${r.told === 1 ? '' : 's'} on the framework: “${r.invitation.text}” \`applications\` shows the window.`;
          return marketReportCard(buildMarketView(r.data, r.report.period, linksOf(deps)), { canAct: canAct(user), notice });
        },
        async (deps, { user, data }, e) => {
          try {
            return await reportCard(deps, user, dates(str(data.from), str(data.to)), { error: e.message });
          } catch {
            return e.message;
          }
        },
        { once: true },
      ),
      guarded(
        'capacity.save',
        'capacity.declare',
        async (deps, { who, data }) => {
          const r = await declareCapacity(deps.store, who, data, deps.now());
          if (!r.ok) return capacityCard(r.view, { values: data, errors: r.errors });
          return capacityCard(r.view, { notice: `Thank you: saved for ${r.saved.join(', ')}. The council sees it beside the gaps in its market report.` });
        },
        undefined,
        { once: true },
      ),
      guarded(
        'market.rules.save',
        'market.manage',
        async (deps, { who, data }) => {
          const { rules, unchanged } = await setMarketRules(deps.store, who, data);
          return marketRulesForm(rules, { notice: unchanged ? 'Nothing changed.' : 'Saved. The market report uses these rules from now on.' });
        },
        async (deps, { who, data }, e) => marketRulesForm(await getMarketRules(deps.store, who), { values: data, errors: Object.keys(e.fields).length ? e.fields : { _form: e.message } }),
        { once: true },
      ),
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
