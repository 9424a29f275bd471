/**
 * Report figures as pure functions over plain arrays (what the store holds), so a test can build a
 * known data set and check every number. No store, no clock, no Teams.
 *
 * Definitions (README "Reports" repeats them for the people who read the figures):
 *
 * - A **call-off** is a request with `calloff` set; it is *published in the period* when
 *   `calloff.publishedAt` falls on a UK day within it. Open, no-bid and cancelled counts are of
 *   the call-offs published in the period, as they stand now.
 *   - *open*: published, not yet awarded and not cancelled (bidding, evaluation or approval);
 *   - *no bids*: closed (`calloff.closedAt` set) with no active bid (withdrawn bids do not count);
 *     it may since have gone to the cascade or an off-contract placement;
 *   - *cancelled*: cancelled after it was published.
 * - An **award** is `request.award` with status offered, accepted or placed (a declined award is
 *   moved to `declinedAwards` and is not one). Its **award date** is the manager's approval
 *   (`approvedAt`) for a framework award, the recording (`recordedAt`) for an off-contract
 *   placement: the day the council committed the spend, whether or not the provider has accepted
 *   yet. Awards *made in the period* are those whose award date falls within it.
 * - **Days to award**: whole UK calendar days from the social worker's submission of the request
 *   (`submittedAt`; `createdAt` only if a request has none) to the award date. Drafting time is
 *   left out: it is not time the brokerage can act on.
 * - **Median** is the middle value (the mean of the two middle values for an even count);
 *   the **90th percentile** is the nearest-rank value: the ⌈0.9·n⌉-th smallest.
 * - **Bids per call-off**: active bids (the last version of each provider's bid, not withdrawn),
 *   averaged over the call-offs published in the period that have closed.
 * - **Within the personal budget**: weekly price ≤ the request's indicative weekly budget.
 * - **Weekly spend committed**: the sum of the awards' weekly prices; the **difference** is that
 *   sum minus the sum of their personal budgets (negative: under budget).
 */
import type { Award } from '../domain/award.js';
import type { Bid, CallOff } from '../domain/calloff.js';
import type { Lot, Provider, Zone } from '../domain/framework.js';
import { DISABILITY_CATEGORIES, GENDERS, type PackageRequest } from '../domain/request.js';
import { rank } from '../domain/scoring.js';
import type { RequestFigures } from '../store/reads.js';
import { buckets, calendarDays, inPeriod, type Bucket, type Period } from './period.js';

export interface ReportData {
  requests: PackageRequest[];
  bids: Bid[];
  providers: Pick<Provider, 'id' | 'name'>[];
  lots: Pick<Lot, 'id' | 'name'>[];
  zones: Pick<Zone, 'id' | 'name'>[];
  /** The framework's minimum sustainable hourly rate (only flags depend on it, not scores). */
  minHourlyRate: number;
}

/**
 * What the headline figures read of a request, and no more: the card is drawn from these fields
 * alone (the store can hand them over without the person, the package or the offers), and the
 * helpers below take the parts they use, so full requests and trimmed ones go through the same code.
 */
export type CardRequest = Omit<RequestFigures, 'activeBids'>;
export type AwardFigures = NonNullable<CardRequest['award']>;
export type ChoiceFigures = NonNullable<CardRequest['choices']>[number];

/** What the report card (headline and choices) is drawn from. */
export interface CardData {
  requests: CardRequest[];
  /** Active bids (each provider's last version, not withdrawn) per call-off reference; absent means none. */
  activeBids: ReadonlyMap<string, number>;
}

/** A request's award, known to be there. */
export type Awarded<R extends { award?: unknown }> = R & { award: NonNullable<R['award']> };
export type AwardedRequest = Awarded<PackageRequest>;

// ───────────────────────────── small statistics ─────────────────────────────

export function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile: the ⌈p/100·n⌉-th smallest value. */
export function percentile(xs: number[], p: number): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : undefined);
/** Money sums without binary fractions creeping in (pence are exact). */
const pounds = (xs: number[]) => Math.round(sum(xs.map((x) => Math.round(x * 100)))) / 100;

// ───────────────────────────── the building blocks ─────────────────────────────

export const isAward = <A extends Pick<Award, 'status'>>(a: A | undefined): a is A => !!a && a.status !== 'declined';
export const awardDate = (a: Pick<Award, 'offContract' | 'approvedAt' | 'recordedAt'>): string | undefined => (a.offContract ? a.recordedAt : a.approvedAt);

type WithAward = Pick<PackageRequest, 'id'> & { award?: Pick<Award, 'status' | 'offContract' | 'approvedAt' | 'recordedAt'> };

/** Awards made in the period, by award date (the CSVs' order). */
export function awardsIn<R extends WithAward>(data: { requests: readonly R[] }, p: Pick<Period, 'from' | 'to'>): Awarded<R>[] {
  return awardedIn(data.requests, p).sort(byAwardDate);
}

// Unsorted, for figures that only count: sorting a year of 100 000 with localeCompare took seconds.
const awardedIn = <R extends WithAward>(requests: readonly R[], p: Pick<Period, 'from' | 'to'>) => requests.filter((r): r is Awarded<R> => isAward(r.award) && inPeriod(awardDate(r.award), p));
const publishedOnly = <R extends { calloff?: Pick<CallOff, 'publishedAt'> }>(requests: readonly R[], p: Pick<Period, 'from' | 'to'>) => requests.filter((r) => r.calloff && inPeriod(r.calloff.publishedAt, p));

const byAwardDate = (a: Awarded<WithAward>, b: Awarded<WithAward>) => (awardDate(a.award) ?? '').localeCompare(awardDate(b.award) ?? '') || a.id.localeCompare(b.id);

/** Call-offs published in the period, by publication (the CSVs' order). */
export function publishedIn<R extends Pick<PackageRequest, 'id'> & { calloff?: Pick<CallOff, 'publishedAt'> }>(data: { requests: readonly R[] }, p: Pick<Period, 'from' | 'to'>): R[] {
  return publishedOnly(data.requests, p).sort((a, b) => a.calloff!.publishedAt.localeCompare(b.calloff!.publishedAt) || a.id.localeCompare(b.id));
}

export function daysToAward(r: Pick<PackageRequest, 'submittedAt' | 'createdAt'> & { award: Pick<Award, 'offContract' | 'approvedAt' | 'recordedAt'> }): number | undefined {
  const at = awardDate(r.award);
  const from = r.submittedAt ?? r.createdAt;
  return at && from ? calendarDays(from, at) : undefined;
}

/** Each call-off's bids, by reference. */
export function bidsByRef(bids: Bid[]): Map<string, Bid[]> {
  const m = new Map<string, Bid[]>();
  for (const b of bids) m.set(b.ref, [...(m.get(b.ref) ?? []), b]);
  return m;
}

export const isActiveBid = (b: Pick<Bid, 'status'>) => b.status === 'active';
export const activeBids = (byRef: Map<string, Bid[]>, ref: string) => (byRef.get(ref) ?? []).filter(isActiveBid);

/** Active bids per call-off reference, counted from the bids themselves. */
export function activeBidCounts(bids: readonly Pick<Bid, 'ref' | 'status'>[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const b of bids) if (isActiveBid(b)) m.set(b.ref, (m.get(b.ref) ?? 0) + 1);
  return m;
}

/** The card's data from full report data: the same figures as the store's trimmed read gives. */
export const cardOf = (data: Pick<ReportData, 'requests' | 'bids'>): CardData => ({ requests: data.requests, activeBids: activeBidCounts(data.bids) });

export type Outcome = 'open' | 'awarded' | 'off-contract' | 'cancelled';
export function outcomeOf(r: Pick<PackageRequest, 'state'> & { award?: Pick<Award, 'status' | 'offContract'> }): Outcome {
  if (r.state === 'cancelled') return 'cancelled';
  if (isAward(r.award)) return r.award.offContract ? 'off-contract' : 'awarded';
  return 'open';
}

export interface BidScore {
  qualityScore: number;
  priceScore?: number;
  total?: number;
  rank?: number;
  compliant: boolean;
}

/**
 * Scores of a call-off's bids as they stood when prices were revealed (every evaluation round
 * whose scores were all locked), recomputed with the SPEC's formula from the locked scores and
 * the bid version that was scored. Nothing before the reveal: scores and prices stay sealed.
 */
export function bidScores(r: PackageRequest, bidsById: Map<string, Bid>, minHourlyRate: number): Map<string, BidScore> {
  const out = new Map<string, BidScore>();
  const p = r.package;
  if (!p) return out;
  for (const e of [...(r.pastEvaluations ?? []), ...(r.evaluation ? [r.evaluation] : [])]) {
    if (!e.revealedAt) continue;
    const scoring = e.bids
      .map((be) => ({ be, bid: bidsById.get(be.bidId) }))
      .filter((x): x is { be: typeof x.be; bid: Bid } => x.bid?.status === 'active')
      .map(({ be, bid }) => {
        const v = bid.versions.find((x) => x.version === be.version) ?? bid.versions.at(-1)!;
        return { id: bid.id, weeklyPrice: v.weeklyPrice, hourlyRate: v.hourlyRate, hoursPerWeek: v.hoursPerWeek, earliestStart: v.earliestStart, meetsCarerGender: v.meetsCarerGender, meetsLanguage: v.meetsLanguage, submittedAt: v.at, scores: be.scores ?? {}, meetsNeeds: be.meetsNeeds ?? false };
      });
    const ranking = rank({ costWeight: p.costWeight, qualityWeight: p.qualityWeight, questions: p.questions, hoursPerWeek: p.hoursPerWeek, startDate: p.startDate, carerGender: p.carerGender, languageNeeds: p.languageNeeds, budgetWeekly: p.budgetWeekly }, scoring, minHourlyRate);
    for (const row of ranking.rows) out.set(row.bidId, { qualityScore: row.qualityScore, priceScore: row.priceScore, total: row.total, rank: row.rank, compliant: row.compliant });
  }
  return out;
}

// ───────────────────────────── headline figures ─────────────────────────────

export interface Headline {
  /** Call-offs published in the period, and where those stand now. */
  published: number;
  open: number;
  noBids: number;
  cancelled: number;
  /** Awards made in the period (framework and off-contract). */
  awarded: number;
  offContract: number;
  daysToAward: { n: number; median?: number; p90?: number };
  /** Closed call-offs published in the period, their active bids, and the mean. */
  bidsPerCallOff: { callOffs: number; bids: number; mean?: number };
  withinBudget: { n: number; of: number; share?: number };
  spend: { weekly: number; budgets: number; difference: number };
}

export function headline(data: CardData, p: Pick<Period, 'from' | 'to'>): Headline {
  const published = publishedOnly(data.requests, p);
  const closed = published.filter((r) => r.calloff!.closedAt);
  const awards = awardedIn(data.requests, p);
  const days = awards.map(daysToAward).filter((d): d is number => d !== undefined);
  const bidCounts = closed.map((r) => data.activeBids.get(r.id) ?? 0);
  const within = awards.filter((r) => r.award.weeklyPrice <= r.award.budgetWeekly).length;
  const weekly = pounds(awards.map((r) => r.award.weeklyPrice));
  const budgets = pounds(awards.map((r) => r.award.budgetWeekly));
  return {
    published: published.length,
    open: published.filter((r) => outcomeOf(r) === 'open').length,
    noBids: bidCounts.filter((n) => n === 0).length,
    cancelled: published.filter((r) => r.state === 'cancelled').length,
    awarded: awards.length,
    offContract: awards.filter((r) => r.award.offContract).length,
    daysToAward: { n: days.length, median: median(days), p90: percentile(days, 90) },
    bidsPerCallOff: { callOffs: closed.length, bids: sum(bidCounts), mean: mean(bidCounts) },
    withinBudget: { n: within, of: awards.length, share: awards.length ? within / awards.length : undefined },
    spend: { weekly, budgets, difference: Math.round((weekly - budgets) * 100) / 100 },
  };
}

// ───────────────────────────── the person's choice ─────────────────────────────

export interface ChoiceStats {
  /** Requests whose person made a choice in the period (competition only; the last choice in the period counts). */
  choices: number;
  /** Of those, how many chose the offer ranked first when they chose. */
  topChosen: number;
  share?: number;
  /** Where they chose another offer: the reason groups, most frequent first. */
  otherReasons: { reason: string; count: number }[];
  /** How many of the choices were made with a choice pack produced for that round beforehand. */
  packUsed: number;
  /** Who took part, over the same choices (a choice can have several). */
  tookPart: { who: string; count: number }[];
}

/** Choices recorded before issue 17 had a reason but no reason group. */
export const NOT_GROUPED = 'not grouped';

export function choiceStats(data: { requests: readonly { choices?: ChoiceFigures[] }[] }, p: Pick<Period, 'from' | 'to'>): ChoiceStats {
  const last = data.requests.flatMap((r) => (r.choices ?? []).filter((c) => !c.sequential && inPeriod(c.at, p)).slice(-1));
  const notTop = last.filter((c) => c.topBidId && c.topBidId !== c.bidId);
  const count = (keys: string[]) =>
    [...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())].map(([key, n]) => ({ key, n })).sort((a, b) => b.n - a.n || a.key.localeCompare(b.key));
  const topChosen = last.length - notTop.length;
  return {
    choices: last.length,
    topChosen,
    share: last.length ? topChosen / last.length : undefined,
    otherReasons: count(notTop.map((c) => c.reasonCategory ?? NOT_GROUPED)).map(({ key, n }) => ({ reason: key, count: n })),
    packUsed: last.filter((c) => c.packUsed).length,
    tookPart: count(last.flatMap((c) => c.tookPart ?? [])).map(({ key, n }) => ({ who: key, count: n })),
  };
}

// ───────────────────────────── over time (for the charts) ─────────────────────────────

export interface SeriesPoint extends Bucket {
  awards: number;
  spend: number;
  budgets: number;
}

/** Awards, weekly spend committed and their budgets per week or month of the period. */
export function awardsOverTime(data: ReportData, p: Pick<Period, 'from' | 'to'>): SeriesPoint[] {
  return buckets(p).map((b) => {
    const here = awardsIn(data, b);
    return { ...b, awards: here.length, spend: pounds(here.map((r) => r.award.weeklyPrice)), budgets: pounds(here.map((r) => r.award.budgetWeekly)) };
  });
}

export const DAY_BANDS = [
  { label: '0–7', max: 7 },
  { label: '8–14', max: 14 },
  { label: '15–21', max: 21 },
  { label: '22–28', max: 28 },
  { label: '29–42', max: 42 },
  { label: '43–56', max: 56 },
  { label: '57+', max: Infinity },
] as const;

/** How many awards took 0–7 days, 8–14, …: the days-to-award distribution. */
export function daysDistribution(data: ReportData, p: Pick<Period, 'from' | 'to'>): { label: string; count: number }[] {
  const days = awardsIn(data, p).map(daysToAward).filter((d): d is number => d !== undefined);
  return DAY_BANDS.map((band, i) => ({ label: band.label, count: days.filter((d) => d <= band.max && (i === 0 || d > DAY_BANDS[i - 1].max)).length }));
}

// ───────────────────────────── providers ─────────────────────────────

export interface ProviderStats {
  providerId: string;
  name: string;
  /** Call-offs published in the period that were offered to it. */
  offers: number;
  declined: number;
  /** Why it declined: reason → count, most frequent first. */
  declineReasons: { reason: string; count: number }[];
  /** Active bids on those call-offs (last version counts; withdrawn ones below). */
  bids: number;
  withdrawn: number;
  /** Framework awards made in the period to it. */
  wins: number;
  /** Mean quality score of its bids scored (revealed) on those call-offs, and how many. */
  scored: number;
  avgQuality?: number;
  /** Mean total of its compliant scored bids (non-compliant bids have no total), and how many. */
  ranked: number;
  avgTotal?: number;
}

export function providerStats(data: ReportData, p: Pick<Period, 'from' | 'to'>): ProviderStats[] {
  const published = publishedIn(data, p);
  const refs = new Set(published.map((r) => r.id));
  const bidsById = new Map(data.bids.map((b) => [b.id, b]));
  const scores = new Map<string, BidScore>();
  for (const r of published) for (const [id, s] of bidScores(r, bidsById, data.minHourlyRate)) scores.set(id, s);
  const names = new Map(data.providers.map((x) => [x.id, x.name]));
  const stats = new Map<string, ProviderStats & { reasons: Map<string, number>; q: number[]; t: number[] }>();
  const of = (id: string) => {
    let s = stats.get(id);
    if (!s) stats.set(id, (s = { providerId: id, name: names.get(id) ?? id, offers: 0, declined: 0, declineReasons: [], bids: 0, withdrawn: 0, wins: 0, scored: 0, ranked: 0, reasons: new Map(), q: [], t: [] }));
    return s;
  };
  for (const r of published) {
    for (const o of r.calloff!.offers) {
      const s = of(o.providerId);
      s.offers += 1;
      if (o.declined) {
        s.declined += 1;
        s.reasons.set(o.declined.reason, (s.reasons.get(o.declined.reason) ?? 0) + 1);
      }
    }
  }
  for (const b of data.bids) {
    if (!refs.has(b.ref)) continue;
    const s = of(b.providerId);
    if (b.status === 'withdrawn') s.withdrawn += 1;
    else s.bids += 1;
    const sc = scores.get(b.id);
    if (sc && b.status === 'active') {
      s.q.push(sc.qualityScore);
      if (sc.total !== undefined) s.t.push(sc.total);
    }
  }
  for (const r of awardsIn(data, p)) if (!r.award.offContract && r.award.providerId) of(r.award.providerId).wins += 1;
  return [...stats.values()]
    .map(({ reasons, q, t, ...s }) => ({
      ...s,
      declineReasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
      scored: q.length,
      avgQuality: mean(q),
      ranked: t.length,
      avgTotal: mean(t),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// ───────────────────────────── equality monitoring ─────────────────────────────

export interface EqualityRow {
  value: string;
  requested: number;
  awarded: number;
}

export interface Equality {
  /** Requests submitted in the period (cancelled ones included: the need was there). */
  requested: number;
  /** Awards made in the period. */
  awarded: number;
  ageBand: EqualityRow[];
  gender: EqualityRow[];
  disabilityCategory: EqualityRow[];
  zone: EqualityRow[];
}

export const NOT_RECORDED = 'not recorded';

/** Age band order: "under 18", "18–24", "25–34", … "85+" (by the first number in the band). */
const bandOrder = (s: string) => (s === 'under 18' ? -1 : s === NOT_RECORDED ? 999 : Number(/\d+/.exec(s)?.[0] ?? 998));

export function equality(data: ReportData, p: Pick<Period, 'from' | 'to'>): Equality {
  const requested = data.requests.filter((r) => inPeriod(r.submittedAt, p));
  const awarded = awardsIn(data, p);
  const zoneName = new Map(data.zones.map((z) => [z.id, z.name]));
  const dimension = (value: (r: PackageRequest) => string | undefined, known: readonly string[], order?: (a: string, b: string) => number): EqualityRow[] => {
    const rows = new Map<string, EqualityRow>(known.map((k) => [k, { value: k, requested: 0, awarded: 0 }]));
    const row = (k: string) => rows.get(k) ?? rows.set(k, { value: k, requested: 0, awarded: 0 }).get(k)!;
    for (const r of requested) row(value(r) ?? NOT_RECORDED).requested += 1;
    for (const r of awarded) row(value(r) ?? NOT_RECORDED).awarded += 1;
    const all = [...rows.values()];
    return order ? all.sort((a, b) => order(a.value, b.value)) : all;
  };
  return {
    requested: requested.length,
    awarded: awarded.length,
    ageBand: dimension((r) => r.ageBand, [], (a, b) => bandOrder(a) - bandOrder(b)),
    gender: dimension((r) => r.person?.gender, GENDERS),
    disabilityCategory: dimension((r) => r.person?.disabilityCategory, DISABILITY_CATEGORIES),
    zone: dimension((r) => (r.person?.zone ? (zoneName.get(r.person.zone) ?? r.person.zone) : undefined), [], (a, b) => (a === NOT_RECORDED ? 1 : b === NOT_RECORDED ? -1 : a.localeCompare(b))),
  };
}
