/**
 * The market by lot × zone (issue 25), as pure functions over plain data (market data, loaded once
 * by marketData.ts), so a test can build a known data set and check every figure by hand. No
 * store, no clock but the `now` the data carries, no Teams.
 *
 * Definitions (docs/market.md repeats them for the people who read the figures):
 *
 * - A call-off counts in the cell of each of its lots and the person's zone (a package in two lots
 *   counts in both cells; the totals count it once). It is *in the period* when published in it.
 * - *Bids* are the active bids of the first round (the providers first offered it, not the
 *   cascade's), once that round has closed: the market's own answer in that lot and zone.
 *   *No bid* and *one bid* count closed call-offs with 0 and with exactly 1.
 * - A *cascade* is a call-off whose round to neighbouring zones was run; *how far* is the zones and
 *   providers that round reached, and whether it then ended in a framework award or off-contract.
 * - *Off-contract placements* are those recorded in the period; their *weeks* are the days of every
 *   off-contract placement running in the period, ÷ 7.
 * - *Hand-backs*: packages a provider handed back in the period.
 * - *Days from request to start*: UK days from the request's submission to the agreement's start,
 *   for packages that started in the period (started: the provider confirmed, or off-contract).
 * - *Providers admitted* are those admitted now to the lot and the zone; *active*: of those, the
 *   ones that bid on a call-off there in the period. *Capacity*: of those admitted, what each said
 *   for the zone (yes with hours, no), and how many declarations are stale.
 * - *Awarded rates*: framework awards approved in the period, their hourly rates against the
 *   cell's cost-of-care model rate (the lot's model with the zone's uplift).
 * - A cell is a *gap* by the council's rules (MarketRules): no-bid or one-or-no-bid shares at or
 *   above their limits, off-contract placements or hand-backs at or above theirs, a median above
 *   the days to start, or (with call-offs there) fewer providers admitted than the minimum. It
 *   *persists* when it was a gap in each of the council's number of calendar months ending with
 *   the period's last (a month with nothing there is no gap month: no unmet demand was seen).
 * - Counts from 1 to the small-number threshold − 1 are shown as "<N" (shownCount); the figures
 *   here are exact, and only the cards, CSV, chart and notices suppress.
 */
import { current, type Agreement } from '../domain/agreement.js';
import { daysBetween } from '../domain/agreementRules.js';
import type { Bid } from '../domain/calloff.js';
import { modelForLot, modelRateFor, sustainableRate, type CostModel } from '../domain/costModel.js';
import type { Lot, Provider, Zone } from '../domain/framework.js';
import { isStale, shownCount, type CapacityRecord, type MarketRules } from '../domain/market.js';
import type { PackageRequest } from '../domain/request.js';
import { calendarDays, inPeriod, type Period } from './period.js';
import { median } from './queries.js';

export interface MarketData {
  /** Requests with a reportable moment in the span (the period and the months persistence looks at). */
  requests: PackageRequest[];
  bids: Bid[];
  agreements: Agreement[];
  /** Request reference → submission, for agreements whose request is not among `requests`. */
  submitted: Map<string, string>;
  providers: Pick<Provider, 'id' | 'name' | 'status' | 'lots' | 'zones'>[];
  lots: Pick<Lot, 'id' | 'name'>[];
  zones: Pick<Zone, 'id' | 'name'>[];
  capacity: CapacityRecord[];
  costModels: CostModel[];
  rules: MarketRules;
  now: Date;
}

type Range = Pick<Period, 'from' | 'to'>;

/** What happened in a cell over a range. */
export interface Demand {
  callOffs: number;
  /** Of those, the ones whose first round has closed, and their first-round active bids. */
  closed: number;
  bids: number;
  noBid: number;
  oneBid: number;
  cascades: number;
  cascadeZones: number;
  cascadeProviders: number;
  cascadeAwarded: number;
  cascadeOffContract: number;
  offContract: number;
  offContractWeeks: number;
  handBacks: number;
  daysToStart: number[];
  /** Framework awards approved in the range: their hourly rates, each with its package's model rate. */
  awarded: { rate: number; modelRate: number }[];
  /** Providers that bid there (any round). */
  bidders: Set<string>;
}

export interface Supply {
  admitted: number;
  active: number;
  /** Of the admitted, declarations for the zone within the council's weeks: yes (with their hours) and no; and stale ones. */
  capacityYes: number;
  capacityHours: number;
  capacityNo: number;
  capacityStale: number;
}

export interface Cell {
  lot: string;
  lotName: string;
  zone: string;
  zoneName: string;
  demand: Demand;
  supply: Supply;
  modelRate: number;
  awards: number;
  medianRate?: number;
  belowModel: number;
  /** Why it is a gap in the period (empty: not a gap), in words with counts suppressed. */
  reasons: string[];
  /** Gap or not in each month persistence looks at, oldest first. */
  monthGaps: boolean[];
  persistent: boolean;
}

export interface MarketReport {
  period: Period;
  rules: MarketRules;
  /** The calendar months persistence looks at, oldest first. */
  months: { key: string; label: string; from: string; to: string }[];
  /** The lots and zones by name: the order of the cells, the map and the CSV (the same on both stores). */
  lots: { id: string; name: string }[];
  zones: { id: string; name: string }[];
  /** Every lot × zone, lot by lot. */
  cells: Cell[];
  /** Gap cells, persistent first, then by call-offs and reasons. */
  gaps: Cell[];
  totals: {
    callOffs: number;
    closed: number;
    noBid: number;
    oneBid: number;
    bids: number;
    cascades: number;
    offContract: number;
    offContractWeeks: number;
    handBacks: number;
    starts: number;
    medianDaysToStart?: number;
    awards: number;
    belowModel: number;
    cellsWithDemand: number;
    gaps: number;
    persistent: number;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const key = (lot: string, zone: string) => `${lot}|${zone}`;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** The calendar months ending with the one `to` falls in, oldest first, the last clipped to `to`. */
export function monthsEnding(to: string, n: number): MarketReport['months'] {
  const out: MarketReport['months'] = [];
  let [y, m] = to.split('-').map(Number);
  for (let i = 0; i < n; i++) {
    const first = `${y}-${String(m).padStart(2, '0')}-01`;
    const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    out.unshift({ key: first.slice(0, 7), label: `${MONTHS[m - 1]} ${y}`, from: first, to: last > to ? to : last });
    m -= 1;
    if (!m) {
      m = 12;
      y -= 1;
    }
  }
  return out;
}

/** The days a market report reads: its period and the months persistence looks at. */
export function marketSpan(period: Range, rules: Pick<MarketRules, 'persistMonths'>): Range {
  const first = monthsEnding(period.to, rules.persistMonths)[0].from;
  return { from: first < period.from ? first : period.from, to: period.to };
}

const emptyDemand = (): Demand => ({ callOffs: 0, closed: 0, bids: 0, noBid: 0, oneBid: 0, cascades: 0, cascadeZones: 0, cascadeProviders: 0, cascadeAwarded: 0, cascadeOffContract: 0, offContract: 0, offContractWeeks: 0, handBacks: 0, daysToStart: [], awarded: [], bidders: new Set() });

/**
 * Every cell's demand over a range, in one pass over the data. `once` counts a package in its
 * first lot only, so that summing the cells gives the totals.
 */
export function demandIn(data: MarketData, range: Range, once = false): Map<string, Demand> {
  const cells = new Map<string, Demand>();
  const cellsOf = (lots: readonly string[], zone: string | undefined) =>
    zone
      ? (once ? lots.slice(0, 1) : lots).map((lot) => {
          const k = key(lot, zone);
          let d = cells.get(k);
          if (!d) cells.set(k, (d = emptyDemand()));
          return d;
        })
      : [];
  const bidsOf = new Map<string, Bid[]>();
  for (const b of data.bids) bidsOf.set(b.ref, [...(bidsOf.get(b.ref) ?? []), b]);

  for (const r of data.requests) {
    const lots = r.package?.lots ?? [];
    const zone = r.person?.zone;
    const c = r.calloff;
    if (c && inPeriod(c.publishedAt, range)) {
      const cascadeIds = new Set(c.cascade?.providerIds ?? []);
      const bids = (bidsOf.get(r.id) ?? []).filter((b) => b.status === 'active');
      const firstRound = bids.filter((b) => !cascadeIds.has(b.providerId)).length;
      const closed = !!c.closedAt || !!c.cascade;
      for (const d of cellsOf(lots, zone)) {
        d.callOffs += 1;
        for (const b of bids) d.bidders.add(b.providerId);
        if (closed) {
          d.closed += 1;
          d.bids += firstRound;
          if (firstRound === 0) d.noBid += 1;
          if (firstRound === 1) d.oneBid += 1;
        }
        if (c.cascade) {
          d.cascades += 1;
          d.cascadeZones += c.cascade.zones.length;
          d.cascadeProviders += c.cascade.providerIds.length;
          if (r.award && r.award.status !== 'declined') {
            if (r.award.offContract) d.cascadeOffContract += 1;
            else d.cascadeAwarded += 1;
          }
        }
      }
    }
    const a = r.award;
    if (a && a.status !== 'declined') {
      if (a.offContract && inPeriod(a.recordedAt, range)) for (const d of cellsOf(lots, zone)) d.offContract += 1;
      if (!a.offContract && inPeriod(a.approvedAt, range) && a.hourlyRate !== undefined && zone) {
        const modelRate = modelRateFor(data.costModels, lots, zone).rate;
        for (const d of cellsOf(lots, zone)) d.awarded.push({ rate: a.hourlyRate, modelRate });
      }
    }
  }

  const submittedOf = new Map(data.requests.map((r) => [r.id, r.submittedAt]));
  const today = data.now.toISOString().slice(0, 10);
  for (const a of data.agreements) {
    const v = current(a);
    if (a.ending?.kind === 'handed back' && inPeriod(a.ending.at, range)) for (const d of cellsOf(a.lots, a.zone)) d.handBacks += 1;
    // Started: confirmed by the provider (no longer awaiting its start), on a day that has come.
    const started = a.status !== 'awaiting_start' && v.startDate <= today;
    if (started && v.startDate >= range.from && v.startDate <= range.to) {
      const submitted = submittedOf.get(a.ref) ?? data.submitted.get(a.ref);
      if (submitted) for (const d of cellsOf(a.lots, a.zone)) d.daysToStart.push(calendarDays(submitted, `${v.startDate}T12:00:00Z`));
    }
    if (a.offContract && started) {
      const last = a.ending?.on ?? v.endDate ?? range.to;
      const from = v.startDate > range.from ? v.startDate : range.from;
      const to = last < range.to ? last : range.to;
      if (to >= from) for (const d of cellsOf(a.lots, a.zone)) d.offContractWeeks = round1(d.offContractWeeks + (daysBetween(from, to) + 1) / 7);
    }
  }
  return cells;
}

function supplyOf(data: MarketData, lot: string, zone: string, bidders: Set<string>): Supply {
  const admitted = data.providers.filter((p) => p.status === 'admitted' && p.lots.includes(lot) && p.zones.includes(zone));
  const said = admitted.map((p) => data.capacity.find((c) => c.id === p.id)?.zones.find((z) => z.zone === zone)).filter((z) => !!z);
  const fresh = said.filter((z) => !isStale(z, data.rules.capacityWeeks, data.now));
  const yes = fresh.filter((z) => z.canTake);
  return {
    admitted: admitted.length,
    active: admitted.filter((p) => bidders.has(p.id)).length,
    capacityYes: yes.length,
    capacityHours: yes.reduce((t, z) => t + (z.hoursPerWeek ?? 0), 0),
    capacityNo: fresh.length - yes.length,
    capacityStale: said.length - fresh.length,
  };
}

const pctOf = (n: number, of: number) => Math.round((n / of) * 100);

/** Why a cell is a gap over a range, by the council's rules: empty when it is not one. */
export function gapReasons(d: Demand, admitted: number, rules: MarketRules): string[] {
  const n = (x: number) => shownCount(x, rules.smallNumber);
  const out: string[] = [];
  if (d.closed && (d.noBid / d.closed) * 100 >= rules.noBidPct) out.push(`no bid on ${pctOf(d.noBid, d.closed)}% of closed call-offs (gap from ${rules.noBidPct}%)`);
  if (d.closed && ((d.noBid + d.oneBid) / d.closed) * 100 >= rules.thinPct) out.push(`one bid or none on ${pctOf(d.noBid + d.oneBid, d.closed)}% (gap from ${rules.thinPct}%)`);
  if (d.offContract >= rules.offContract) out.push(`off-contract placements: ${n(d.offContract)} (gap from ${rules.offContract})`);
  if (d.handBacks >= rules.handBacks) out.push(`hand-backs: ${n(d.handBacks)} (gap from ${rules.handBacks})`);
  const days = median(d.daysToStart);
  if (days !== undefined && days > rules.daysToStart) out.push(`median ${round1(days)} days from request to start (gap above ${rules.daysToStart})`);
  if (d.callOffs && admitted < rules.minProviders) out.push(`${admitted} provider${admitted === 1 ? '' : 's'} admitted (gap below ${rules.minProviders})`);
  return out;
}

/** The market report for a period: every lot × zone cell, the gaps, and whether each persists. */
export function marketReport(data: MarketData, period: Period): MarketReport {
  const rules = data.rules;
  const months = monthsEnding(period.to, rules.persistMonths);
  const now = demandIn(data, period);
  const byMonth = months.map((m) => demandIn(data, m));
  const byName = <T extends { id: string; name: string }>(xs: readonly T[]) => xs.map((x) => ({ id: x.id, name: x.name })).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const lots = byName(data.lots);
  const zones = byName(data.zones);
  const cells: Cell[] = [];
  for (const lot of lots) {
    const model = modelForLot(data.costModels, lot.id);
    for (const zone of zones) {
      const k = key(lot.id, zone.id);
      const demand = now.get(k) ?? emptyDemand();
      const supply = supplyOf(data, lot.id, zone.id, demand.bidders);
      const modelRate = sustainableRate(model, model.zoneUplifts[zone.id] ?? 0);
      const monthGaps = byMonth.map((m) => gapReasons(m.get(k) ?? emptyDemand(), supply.admitted, rules).length > 0);
      const reasons = gapReasons(demand, supply.admitted, rules);
      cells.push({
        lot: lot.id,
        lotName: lot.name,
        zone: zone.id,
        zoneName: zone.name,
        demand,
        supply,
        modelRate,
        awards: demand.awarded.length,
        medianRate: median(demand.awarded.map((x) => x.rate)),
        belowModel: demand.awarded.filter((x) => x.rate < x.modelRate).length,
        reasons,
        monthGaps,
        persistent: reasons.length > 0 && monthGaps.every(Boolean),
      });
    }
  }
  const gaps = cells.filter((c) => c.reasons.length).sort((a, b) => Number(b.persistent) - Number(a.persistent) || b.reasons.length - a.reasons.length || b.demand.callOffs - a.demand.callOffs || a.lotName.localeCompare(b.lotName) || a.zoneName.localeCompare(b.zoneName));
  return { period, rules, months, lots, zones, cells, gaps, totals: totalsOf(data, period, cells, gaps) };
}

/** Totals over every cell, each call-off, placement, hand-back and start counted once (not once per lot). */
function totalsOf(data: MarketData, period: Period, cells: Cell[], gaps: Cell[]): MarketReport['totals'] {
  const all = [...demandIn(data, period, true).values()];
  const sum = (f: (d: Demand) => number) => all.reduce((t, d) => t + f(d), 0);
  const days = all.flatMap((d) => d.daysToStart);
  const awarded = all.flatMap((d) => d.awarded);
  return {
    callOffs: sum((d) => d.callOffs),
    closed: sum((d) => d.closed),
    noBid: sum((d) => d.noBid),
    oneBid: sum((d) => d.oneBid),
    bids: sum((d) => d.bids),
    cascades: sum((d) => d.cascades),
    offContract: sum((d) => d.offContract),
    offContractWeeks: round1(sum((d) => d.offContractWeeks)),
    handBacks: sum((d) => d.handBacks),
    starts: days.length,
    medianDaysToStart: median(days),
    awards: awarded.length,
    belowModel: awarded.filter((x) => x.rate < x.modelRate).length,
    cellsWithDemand: cells.filter((c) => c.demand.callOffs > 0).length,
    gaps: gaps.length,
    persistent: gaps.filter((c) => c.persistent).length,
  };
}
