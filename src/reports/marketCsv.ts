/**
 * The market report's CSV (issue 25): one row per lot × zone, every cell of the framework, in the
 * README's CSV rules (csv.ts). Columns are stable and documented here and in docs/market.md; new
 * ones only at the end. Counts of call-offs and of what happened to them (and to people's
 * packages: placements, hand-backs, starts, awards) from 1 to the small-number threshold − 1 are
 * written "<N", as on the card: the file may leave the council.
 */
import { shownCount } from '../domain/market.js';
import { toCsv, type Column } from './csv.js';
import type { Cell, MarketReport } from './market.js';
import { median } from './queries.js';

type Row = Cell & { report: MarketReport };
const money = (n: number | undefined) => (n === undefined ? undefined : n.toFixed(2));
const count = (pick: (c: Cell) => number) => (r: Row) => shownCount(pick(r), r.report.rules.smallNumber);

export const MARKET_COLUMNS: Column<Row>[] = [
  { name: 'period_from', about: 'the first day of the report (YYYY-MM-DD)', value: (r) => r.report.period.from },
  { name: 'period_to', about: 'the last day of the report', value: (r) => r.report.period.to },
  { name: 'lot', about: 'the lot (id)', value: (r) => r.lot },
  { name: 'lot_name', about: 'the lot', value: (r) => r.lotName, text: true },
  { name: 'zone', about: 'the zone (id)', value: (r) => r.zone },
  { name: 'zone_name', about: 'the zone', value: (r) => r.zoneName, text: true },
  { name: 'call_offs', about: 'call-offs published in the period in this lot and zone (a package in two lots counts in both)', value: count((c) => c.demand.callOffs) },
  { name: 'closed', about: 'of those, the ones whose first round has closed', value: count((c) => c.demand.closed) },
  { name: 'bids', about: 'active first-round bids on the closed ones', value: (r) => r.demand.bids },
  { name: 'bids_per_call_off', about: 'bids ÷ closed, 2 decimals', value: (r) => (r.demand.closed ? (r.demand.bids / r.demand.closed).toFixed(2) : undefined) },
  { name: 'no_bid', about: 'closed call-offs with no first-round bid', value: count((c) => c.demand.noBid) },
  { name: 'one_bid', about: 'closed call-offs with exactly one first-round bid', value: count((c) => c.demand.oneBid) },
  { name: 'cascades', about: 'call-offs whose round to neighbouring zones was run', value: count((c) => c.demand.cascades) },
  { name: 'cascade_zones', about: 'neighbouring zones those rounds reached, added up', value: (r) => r.demand.cascadeZones },
  { name: 'cascade_providers', about: 'providers those rounds were offered to, added up', value: (r) => r.demand.cascadeProviders },
  { name: 'cascade_awarded', about: 'of the cascades, those awarded on the framework', value: count((c) => c.demand.cascadeAwarded) },
  { name: 'cascade_off_contract', about: 'of the cascades, those placed off-contract', value: count((c) => c.demand.cascadeOffContract) },
  { name: 'off_contract', about: 'off-contract placements recorded in the period', value: count((c) => c.demand.offContract) },
  { name: 'off_contract_weeks', about: 'weeks of off-contract placements running in the period (days ÷ 7, 1 decimal)', value: (r) => r.demand.offContractWeeks.toFixed(1) },
  { name: 'hand_backs', about: 'packages a provider handed back in the period', value: count((c) => c.demand.handBacks) },
  { name: 'starts', about: 'packages that started in the period', value: count((c) => c.demand.daysToStart.length) },
  { name: 'median_days_to_start', about: 'median UK days from the request’s submission to the start, 1 decimal', value: (r) => median(r.demand.daysToStart)?.toFixed(1) },
  { name: 'providers_admitted', about: 'providers admitted now to this lot and zone', value: (r) => r.supply.admitted },
  { name: 'providers_active', about: 'of those, the ones that bid on a call-off here in the period', value: (r) => r.supply.active },
  { name: 'capacity_yes', about: 'of those admitted, how many said within the council’s weeks that they can take new packages here', value: (r) => r.supply.capacityYes },
  { name: 'capacity_hours', about: 'the hours a week they said, added up', value: (r) => r.supply.capacityHours },
  { name: 'capacity_no', about: 'how many said within the council’s weeks that they cannot', value: (r) => r.supply.capacityNo },
  { name: 'capacity_stale', about: 'declarations older than the council’s weeks (not counted above)', value: (r) => r.supply.capacityStale },
  { name: 'model_rate', about: 'the cost-of-care model’s hourly rate for this lot in this zone (uplift included), £', value: (r) => money(r.modelRate) },
  { name: 'awards', about: 'framework awards approved in the period', value: count((c) => c.awards) },
  { name: 'median_awarded_rate', about: 'their median hourly rate, £', value: (r) => money(r.medianRate) },
  { name: 'awards_below_model', about: 'of those, the ones below their package’s model rate (the highest of its lots)', value: count((c) => c.belowModel) },
  { name: 'gap', about: 'yes when the cell is a gap in the period by the council’s market rules', value: (r) => r.reasons.length > 0 },
  { name: 'gap_reasons', about: 'why, separated by ";"', value: (r) => r.reasons.join('; '), text: true },
  { name: 'persistent', about: 'yes when it was a gap in each of the council’s number of months ending with the period’s', value: (r) => r.persistent },
  { name: 'gap_months', about: 'those months that were gaps (YYYY-MM), separated by ";"', value: (r) => r.report.months.filter((_, i) => r.monthGaps[i]).map((m) => m.key).join(';') },
];

export function marketCsv(report: MarketReport): string {
  return toCsv(MARKET_COLUMNS, report.cells.map((c) => ({ ...c, report })));
}
