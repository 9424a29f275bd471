/**
 * CSV exports for council staff. RFC 4180: comma-separated, CRLF line ends, a header row, fields
 * quoted when they hold a comma, a double quote, CR or LF, with quotes doubled. The file starts
 * with a UTF-8 byte-order mark so that Excel reads "£" and accents right.
 *
 * Column names are stable (snake_case; new columns are only ever added at the end) and documented
 * in EXPORTS below, which README "Reports" mirrors. Amounts are pounds with 2 decimals and no "£";
 * dates are UK calendar days (YYYY-MM-DD); yes/no columns say "yes" or "no"; empty means "none"
 * or "not yet".
 *
 * Text cells that start with = + - @ (after any blanks), or a tab or CR, get a leading apostrophe, so that a
 * spreadsheet shows them as text instead of running them as a formula (CSV injection).
 *
 * No export holds a person's name, date of birth, address or case reference: a row is known by its
 * PKG reference, which council staff can open in the bot. Prices and scores of bids appear only
 * after the call-off has closed (bids are sealed until the deadline) and scores only once every
 * quality score was locked and prices revealed.
 */
import { ukDate } from '../domain/dates.js';
import type { Bid } from '../domain/calloff.js';
import { BID_FIELD_KEYS, BID_FIELDS } from '../domain/bidFields.js';
import type { Period } from './period.js';
import { activeBids, awardDate, awardsIn, bidScores, bidsByRef, daysToAward, outcomeOf, publishedIn, type AwardedRequest, type ReportData } from './queries.js';

type Cell = string | number | boolean | undefined;

export interface Column<T> {
  name: string;
  about: string;
  value: (row: T) => Cell;
  /** Free text typed by a person: guarded against formula injection. */
  text?: boolean;
}

const BOM = '\uFEFF';

/** A value as it appears in the file (before quoting). */
export function cellText(v: Cell, _text = false): string {
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const s = String(v);
  if (typeof v === 'number' || PLAIN_NUMBER.test(s)) return s;
  // Every text cell, not only the columns marked as free text: a finance code may be typed "-2-3",
  // which a spreadsheet computes; blanks before "=" do not stop every spreadsheet either.
  return FORMULA_START.test(s) ? `'${s}` : s;
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^\s*[=+\-@]|^[\t\r]/;

export function quote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv<T>(columns: Column<T>[], rows: T[]): string {
  const lines = [columns.map((c) => quote(c.name)), ...rows.map((r) => columns.map((c) => quote(cellText(c.value(r), c.text))))];
  return BOM + lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}

const money = (n: number | undefined) => (n === undefined ? undefined : n.toFixed(2));
const score = (n: number | undefined) => (n === undefined ? undefined : n.toFixed(2));
const day = (iso: string | undefined) => (iso ? ukDate(new Date(iso)) : undefined);
const lotsOf = (r: { package?: { lots: string[] } }) => (r.package?.lots ?? []).join(';');

// ───────────────────────────── the exports ─────────────────────────────

export const AWARD_COLUMNS: Column<AwardedRequest & { ctx: Ctx }>[] = [
  { name: 'reference', about: 'the package reference, PKG-YYYY-NNNN', value: (r) => r.id },
  { name: 'award_date', about: "the day the award was made: the manager's approval, or the recording of an off-contract placement", value: (r) => day(awardDate(r.award)) },
  { name: 'status', about: 'offered (approved, waiting for the provider), accepted, or placed (off-contract)', value: (r) => r.award.status },
  { name: 'accepted_date', about: 'the day the provider accepted (framework awards)', value: (r) => day(r.award.acceptedAt) },
  { name: 'off_contract', about: 'yes for an off-contract placement', value: (r) => r.award.offContract },
  { name: 'provider_id', about: "the framework provider's id (empty off-contract)", value: (r) => r.award.providerId },
  { name: 'provider_name', about: 'the provider', value: (r) => r.award.providerName, text: true },
  { name: 'zone', about: "the person's zone (id)", value: (r) => r.person?.zone },
  { name: 'lots', about: 'the lots (ids), separated by ";"', value: lotsOf },
  { name: 'weekly_price', about: 'the awarded weekly price, £', value: (r) => money(r.award.weeklyPrice) },
  { name: 'personal_budget_weekly', about: 'the indicative weekly personal budget, £', value: (r) => money(r.award.budgetWeekly) },
  { name: 'difference_weekly', about: 'weekly_price minus personal_budget_weekly, £ (negative: under budget)', value: (r) => money(Math.round((r.award.weeklyPrice - r.award.budgetWeekly) * 100) / 100) },
  { name: 'over_budget', about: 'yes when the weekly price is above the personal budget', value: (r) => r.award.weeklyPrice > r.award.budgetWeekly },
  { name: 'days_to_award', about: 'whole UK calendar days from submission of the request to award_date', value: (r) => daysToAward(r) },
  { name: 'bids', about: 'active bids the call-off received', value: (r) => r.ctx.bids(r.id).length },
  { name: 'quality_score', about: "the winning bid's quality score (framework competition awards), 2 decimals", value: (r) => score(r.award.qualityScore) },
  { name: 'total_score', about: "the winning bid's total score, 2 decimals", value: (r) => score(r.award.total) },
];

export const CALLOFF_COLUMNS: Column<Row>[] = [
  { name: 'reference', about: 'the package reference', value: (r) => r.id },
  { name: 'published_date', about: 'the day the call-off was published', value: (r) => day(r.calloff?.publishedAt) },
  { name: 'mode', about: 'competition or sequential', value: (r) => r.package?.mode },
  { name: 'zone', about: "the person's zone (id)", value: (r) => r.person?.zone },
  { name: 'lots', about: 'the lots (ids), separated by ";"', value: lotsOf },
  { name: 'hours_per_week', about: 'hours of support a week asked for', value: (r) => r.package?.hoursPerWeek },
  { name: 'personal_budget_weekly', about: 'the indicative weekly personal budget, £', value: (r) => money(r.package?.budgetWeekly) },
  { name: 'state', about: 'where the call-off is now (open, closed, evaluated, chosen, awaiting_approval, awarded, cancelled)', value: (r) => r.state },
  { name: 'outcome', about: 'open (not yet awarded or cancelled), awarded, off-contract or cancelled', value: (r) => outcomeOf(r) },
  { name: 'deadline', about: 'the current bidding deadline (UK day)', value: (r) => day(r.calloff?.deadline) },
  { name: 'closed_date', about: 'the day bidding closed', value: (r) => day(r.calloff?.closedAt) },
  { name: 'offers', about: 'providers the call-off was offered to', value: (r) => r.calloff?.offers.length ?? 0 },
  { name: 'declined', about: 'providers that said they were not interested', value: (r) => r.calloff?.offers.filter((o) => o.declined).length ?? 0 },
  { name: 'bids', about: 'active bids (withdrawn bids not counted)', value: (r) => r.ctx.bids(r.id).length },
  { name: 'no_bids', about: 'yes when bidding closed with no active bid', value: (r) => !!r.calloff?.closedAt && r.ctx.bids(r.id).length === 0 },
  { name: 'award_date', about: 'the day of the award, if any', value: (r) => (r.award && r.award.status !== 'declined' ? day(awardDate(r.award)) : undefined) },
  { name: 'cancelled_date', about: 'the day it was cancelled, if it was', value: (r) => day(r.cancelled?.at) },
];

/** The bid's own fields with a CSV column (bidFields.ts), from the version that counts, after close only: bids are sealed until then. */
function bidFieldColumns(): Column<BidRow>[] {
  return BID_FIELD_KEYS.flatMap((k) => {
    const c = BID_FIELDS[k].csv;
    if (!c) return [];
    return [{ name: c.name, about: c.about, text: c.text, value: (b: BidRow) => (b.closed ? (c.money ? money(b.last[k] as number) : b.last[k]) : undefined) }];
  });
}

export const BID_COLUMNS: Column<BidRow>[] = [
  { name: 'bid_id', about: 'reference:provider_id', value: (b) => b.bid.id },
  { name: 'reference', about: 'the package reference', value: (b) => b.bid.ref },
  { name: 'provider_id', about: 'the provider', value: (b) => b.bid.providerId },
  { name: 'provider_name', about: "the provider's name", value: (b) => b.providerName, text: true },
  { name: 'status', about: 'active or withdrawn', value: (b) => b.bid.status },
  { name: 'versions', about: 'how many versions the provider submitted (the last counts)', value: (b) => b.bid.versions.length },
  { name: 'submitted_date', about: 'the day the version that counts was submitted', value: (b) => day(b.bid.submittedAt) },
  ...bidFieldColumns(),
  { name: 'compliant', about: 'yes/no once scores are revealed: whether it met every mandatory requirement, scored above 0 on each question and met the needs', value: (b) => b.score?.compliant },
  { name: 'quality_score', about: 'quality score, 2 decimals (once revealed)', value: (b) => score(b.score?.qualityScore) },
  { name: 'price_score', about: 'price score, 2 decimals (compliant bids, once revealed)', value: (b) => score(b.score?.priceScore) },
  { name: 'total_score', about: 'total score, 2 decimals (compliant bids, once revealed)', value: (b) => score(b.score?.total) },
  { name: 'rank', about: '1 for the best compliant bid (once revealed)', value: (b) => b.score?.rank },
  { name: 'won', about: 'yes when this bid won the current award', value: (b) => b.won },
];

export const OFF_CONTRACT_COLUMNS: Column<AwardedRequest & { ctx: Ctx }>[] = [
  { name: 'reference', about: 'the package reference', value: (r) => r.id },
  { name: 'recorded_date', about: 'the day the placement was recorded', value: (r) => day(r.award.recordedAt) },
  { name: 'provider_name', about: 'the provider (not on the framework)', value: (r) => r.award.providerName, text: true },
  { name: 'zone', about: "the person's zone (id)", value: (r) => r.person?.zone },
  { name: 'lots', about: 'the lots (ids), separated by ";"', value: lotsOf },
  { name: 'weekly_price', about: 'the weekly price, £', value: (r) => money(r.award.weeklyPrice) },
  { name: 'personal_budget_weekly', about: 'the indicative weekly personal budget, £', value: (r) => money(r.award.budgetWeekly) },
  { name: 'difference_weekly', about: 'weekly_price minus personal_budget_weekly, £', value: (r) => money(Math.round((r.award.weeklyPrice - r.award.budgetWeekly) * 100) / 100) },
  { name: 'days_to_award', about: 'whole UK calendar days from submission to recorded_date', value: (r) => daysToAward(r) },
  { name: 'bids', about: 'active bids the call-off had received', value: (r) => r.ctx.bids(r.id).length },
  { name: 'reason', about: 'why it was placed off-contract, as the broker recorded it', value: (r) => r.award.reason, text: true },
];

interface Ctx {
  bids(ref: string): Bid[];
}
type Row = ReportData['requests'][number] & { ctx: Ctx };
interface BidRow {
  bid: Bid;
  last: Bid['versions'][number];
  providerName: string;
  closed: boolean;
  score?: ReturnType<typeof bidScores> extends Map<string, infer S> ? S : never;
  won: boolean;
}

function ctxOf(data: ReportData): Ctx {
  const byRef = bidsByRef(data.bids);
  return { bids: (ref) => activeBids(byRef, ref) };
}

export const EXPORTS = {
  awards: { file: 'awards', about: 'one row per award made in the period (framework and off-contract)', columns: AWARD_COLUMNS },
  calloffs: { file: 'calloffs', about: 'one row per call-off published in the period, where it stands now', columns: CALLOFF_COLUMNS },
  bids: { file: 'bids', about: 'one row per provider bid on the call-offs published in the period', columns: BID_COLUMNS },
  offContract: { file: 'off-contract', about: 'one row per off-contract placement recorded in the period', columns: OFF_CONTRACT_COLUMNS },
} as const;
export type ExportName = keyof typeof EXPORTS;

export function awardsCsv(data: ReportData, p: Pick<Period, 'from' | 'to'>): string {
  const ctx = ctxOf(data);
  return toCsv(AWARD_COLUMNS, awardsIn(data, p).map((r) => ({ ...r, ctx })));
}

export function offContractCsv(data: ReportData, p: Pick<Period, 'from' | 'to'>): string {
  const ctx = ctxOf(data);
  return toCsv(OFF_CONTRACT_COLUMNS, awardsIn(data, p).filter((r) => r.award.offContract).map((r) => ({ ...r, ctx })));
}

export function calloffsCsv(data: ReportData, p: Pick<Period, 'from' | 'to'>): string {
  const ctx = ctxOf(data);
  return toCsv(CALLOFF_COLUMNS, publishedIn(data, p).map((r) => ({ ...r, ctx })));
}

export function bidsCsv(data: ReportData, p: Pick<Period, 'from' | 'to'>): string {
  const published = publishedIn(data, p);
  const byRef = bidsByRef(data.bids);
  const bidsById = new Map(data.bids.map((b) => [b.id, b]));
  const names = new Map(data.providers.map((x) => [x.id, x.name]));
  const rows: BidRow[] = [];
  for (const r of published) {
    const scores = bidScores(r, bidsById, data.minHourlyRate);
    const closed = !!r.calloff!.closedAt;
    for (const bid of [...(byRef.get(r.id) ?? [])].sort((a, b) => a.providerId.localeCompare(b.providerId))) {
      const won = !!r.award && r.award.status !== 'declined' && r.award.bidId === bid.id;
      rows.push({ bid, last: bid.versions.at(-1)!, providerName: names.get(bid.providerId) ?? bid.providerId, closed, score: closed && bid.status === 'active' ? scores.get(bid.id) : undefined, won });
    }
  }
  return toCsv(BID_COLUMNS, rows);
}

export const csvOf: Record<ExportName, (data: ReportData, p: Pick<Period, 'from' | 'to'>) => string> = {
  awards: awardsCsv,
  calloffs: calloffsCsv,
  bids: bidsCsv,
  offContract: offContractCsv,
};
