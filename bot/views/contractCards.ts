import type { ContractsReport, SpendLine } from '../../src/reports/contracts.js';
import type { PaymentsExport } from '../../src/reports/agreementReports.js';
import type { Period } from '../../src/reports/period.js';
import type { CardJson } from '../render.js';
import { panel } from './agreementCards.js';
import { day, gbp } from './format.js';

/** The payments export as a card: totals per provider and in all, and the CSV files behind signed links. */
export function paymentsCard(period: Period, x: PaymentsExport): CardJson {
  const { providers, total } = x;
  const line = (t: (typeof providers)[number]) => `${t.rows} period(s): planned ${t.plannedHours} h, delivered ${t.deliveredHours} h, paid ${t.payableHours} h; retainers ${gbp(t.retainer)}; payable ${gbp(t.payable)}${t.missingReturns ? `; ${t.missingReturns} return(s) missing` : ''}`;
  return panel({
    title: `Payments: ${period.label}`,
    subtitle: 'Agreement periods that start in these dates, one CSV row each. The columns are documented in the README.',
    status: `Total payable ${gbp(total.payable)} (${total.rows} agreement period(s))`,
    statusStyle: 'good',
    // Per-provider files as links in their rows: Teams shows only a few card buttons.
    rows: [
      ...providers.map((t, i) => ({ title: t.providerName, lines: [line(t), `[This provider's CSV](${x.providerUrls[i]})`] })),
      // Joint funding (issue 24): who pays it, split to the penny; the funders' CSVs too.
      { title: 'By funder', lines: [...x.funders.map((f) => `${f.funderName}: payable ${gbp(f.payable)} (planned ${gbp(f.plannedCost)}, retainers ${gbp(f.retainer)})`), `[Rows by funder (CSV)](${x.fundersUrl}) · [Totals by funder (CSV)](${x.funderTotalsUrl})`] },
    ],
    links: [
      { title: 'All rows (CSV)', url: x.allRowsUrl },
      { title: 'Totals (CSV)', url: x.totalsUrl },
    ],
    footer: 'The download links work for a limited time; ask again for new ones.',
  });
}

const spend = (l: SpendLine) => `${l.key}: committed ${gbp(l.committed)}, delivered ${gbp(l.delivered)}`;

export function contractsCard(period: Period, r: ContractsReport): CardJson {
  const f = r.framework;
  return panel({
    title: `Contracts: ${period.label}`,
    subtitle: 'Committed = planned cost plus retainers; delivered = what is payable for the hours returned.',
    rows: [
      { title: 'By provider', lines: r.byProvider.map(spend) },
      { title: 'By lot', lines: r.byLot.map(spend) },
      { title: 'By zone', lines: r.byZone.map(spend) },
      { title: 'By funder', lines: r.byFunder.map(spend) },
      { title: 'Framework spend', style: f.status === 'within' || f.status === 'no limits set' ? ('default' as const) : ('warning' as const), lines: [`${gbp(f.spend)} over ${f.days} days: ${f.status}${f.min || f.max ? ` (minimum ${gbp(f.min)}, maximum ${f.max ? gbp(f.max) : 'none'} for these days)` : ''}.`] },
      { title: `Agreements needing review (${r.needingReview.length})`, style: r.needingReview.length ? ('warning' as const) : ('default' as const), lines: r.needingReview.slice(0, 10).map((x) => `${x.ref} (${x.provider}${x.ended ? `, ended ${day(x.ended)}` : ''}): ${x.reasons.slice(-2).join(' | ')}`) },
      { title: 'Off-contract placements', lines: r.offContract.map((x) => `${x.ref} with ${x.provider}: ${x.weeks} weeks off contract, ${gbp(x.cost)}`) },
    ].map((row) => ({ ...row, lines: row.lines.length ? row.lines : ['none'] })),
  });
}
