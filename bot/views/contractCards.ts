import type { ContractsReport, SpendLine } from '../../src/reports/contracts.js';
import type { PaymentsExport } from '../../src/reports/agreementReports.js';
import type { Period } from '../../src/reports/period.js';
import type { CardJson } from '../render.js';
import { panel } from './agreementCards.js';
import { day, gbp } from './format.js';

/**
 * Providers named one by one on the payments card, largest payable first: at a county's scale (200
 * and more) one row each would pass Teams' card size several times over, and the card would not
 * be sent at all. The rest are summed in one row, and every provider's file is listed, with its
 * link, in the provider files CSV.
 */
export const PAYMENT_ROWS = 12;

/** The payments export as a card: totals per provider and in all, and the CSV files behind signed links. */
export function paymentsCard(period: Period, x: PaymentsExport): CardJson {
  const { providers, total } = x;
  const line = (t: (typeof providers)[number]) => `${t.rows} period(s): planned ${t.plannedHours} h, delivered ${t.deliveredHours} h, paid ${t.payableHours} h; retainers ${gbp(t.retainer)}; payable ${gbp(t.payable)}${t.missingReturns ? `; ${t.missingReturns} return(s) missing` : ''}`;
  const shown = providers.map((t, i) => ({ t, url: x.providerUrls[i] })).sort((a, b) => b.t.payable - a.t.payable).slice(0, PAYMENT_ROWS);
  const rest = providers.filter((t) => !shown.some((s) => s.t === t));
  const restPayable = rest.reduce((sum, t) => sum + t.payable, 0);
  return panel({
    title: `Payments: ${period.label}`,
    subtitle: 'Agreement periods that start in these dates, one CSV row each. The columns are documented in the README.',
    status: `Total payable ${gbp(total.payable)} (${total.rows} agreement period(s))`,
    statusStyle: 'good',
    // Per-provider files as links in their rows: Teams shows only a few card buttons.
    rows: [
      ...shown.map(({ t, url }) => ({ title: t.providerName, lines: [line(t), `[This provider's CSV](${url})`] })),
      ...(rest.length ? [{ title: `${rest.length} more provider${rest.length === 1 ? '' : 's'}`, lines: [`Payable ${gbp(Math.round(restPayable * 100) / 100)} between them. Their rows are in All rows; each has its own CSV file, listed with its link in Provider files.`] }] : []),
      // Joint funding (issue 24): who pays it, split to the penny; the funders' CSVs too.
      { title: 'By funder', lines: [...x.funders.map((f) => `${f.funderName}: payable ${gbp(f.payable)} (planned ${gbp(f.plannedCost)}, retainers ${gbp(f.retainer)})`), `[Rows by funder (CSV)](${x.fundersUrl}) · [Totals by funder (CSV)](${x.funderTotalsUrl})`] },
    ],
    // Three buttons fit their titles only short: the subtitle says they are CSV files.
    links: rest.length
      ? [
          { title: 'All rows', url: x.allRowsUrl },
          { title: 'Totals', url: x.totalsUrl },
          { title: 'Provider files', url: x.indexUrl },
        ]
      : [
          { title: 'All rows (CSV)', url: x.allRowsUrl },
          { title: 'Totals (CSV)', url: x.totalsUrl },
        ],
    footer: 'The download links work for a limited time; ask again for new ones.',
  });
}

/** Lines of spend named one by one on the contracts card, largest committed first; the rest summed in one line. */
export const SPEND_LINES = 15;

const firstLines = (lines: SpendLine[], what: string): string[] => {
  const sorted = [...lines].sort((a, b) => b.committed - a.committed || a.key.localeCompare(b.key));
  const rest = sorted.slice(SPEND_LINES);
  const sum = (f: (l: SpendLine) => number) => Math.round(rest.reduce((t, l) => t + f(l), 0) * 100) / 100;
  return [...sorted.slice(0, SPEND_LINES).map(spend), ...(rest.length ? [`${rest.length} more ${what}: committed ${gbp(sum((l) => l.committed))}, delivered ${gbp(sum((l) => l.delivered))}`] : [])];
};

const spend = (l: SpendLine) => `${l.key}: committed ${gbp(l.committed)}, delivered ${gbp(l.delivered)}`;

export function contractsCard(period: Period, r: ContractsReport): CardJson {
  const f = r.framework;
  return panel({
    title: `Contracts: ${period.label}`,
    subtitle: 'Committed = planned cost plus retainers; delivered = what is payable for the hours returned.',
    rows: [
      { title: 'By provider', lines: firstLines(r.byProvider, 'providers') },
      { title: 'By lot', lines: firstLines(r.byLot, 'lots') },
      { title: 'By zone', lines: firstLines(r.byZone, 'zones') },
      { title: 'By funder', lines: r.byFunder.map(spend) },
      { title: 'Framework spend', style: f.status === 'within' || f.status === 'no limits set' ? ('default' as const) : ('warning' as const), lines: [`${gbp(f.spend)} over ${f.days} days: ${f.status}${f.min || f.max ? ` (minimum ${gbp(f.min)}, maximum ${f.max ? gbp(f.max) : 'none'} for these days)` : ''}.`] },
      { title: `Agreements needing review (${r.needingReview.length})`, style: r.needingReview.length ? ('warning' as const) : ('default' as const), lines: r.needingReview.slice(0, 10).map((x) => `${x.ref} (${x.provider}${x.ended ? `, ended ${day(x.ended)}` : ''}): ${x.reasons.slice(-2).join(' | ')}`) },
      { title: 'Off-contract placements', lines: r.offContract.map((x) => `${x.ref} with ${x.provider}: ${x.weeks} weeks off contract, ${gbp(x.cost)}`) },
    ].map((row) => ({ ...row, lines: row.lines.length ? row.lines : ['none'] })),
  });
}
