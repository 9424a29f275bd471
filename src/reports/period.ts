import { isRealDate, ukDate, ukDayOf } from '../domain/dates.js';

/**
 * A reporting period: whole UK calendar days, `from` and `to` both included. An instant belongs to
 * the period when the UK calendar day it falls on (Europe/London, so BST is respected) is within.
 *
 * "this month", "this quarter" and "this year" are calendar periods (quarters Jan–Mar, Apr–Jun,
 * Jul–Sep, Oct–Dec; the year from 1 January), from their first day up to and including today.
 */
export interface Period {
  from: string;
  to: string;
  label: string;
}

export class PeriodError extends Error {}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "1 Jan 2026" */
export const showDay = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
};

export const PERIOD_USAGE = 'this month | this quarter | this year | YYYY-MM-DD to YYYY-MM-DD';

/** Parses what follows `report`: empty means this month. Throws PeriodError with words for the user. */
export function parsePeriod(text: string, now: Date): Period {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const today = ukDate(now);
  const [y, m] = today.split('-').map(Number);
  if (t === '' || t === 'this month' || t === 'month') return { from: `${y}-${pad(m)}-01`, to: today, label: `this month (${MONTHS[m - 1]} ${y}, to ${showDay(today)})` };
  if (t === 'this quarter' || t === 'quarter') {
    const q = Math.floor((m - 1) / 3);
    return { from: `${y}-${pad(q * 3 + 1)}-01`, to: today, label: `this quarter (Q${q + 1} ${y}, to ${showDay(today)})` };
  }
  if (t === 'this year' || t === 'year') return { from: `${y}-01-01`, to: today, label: `this year (${y}, to ${showDay(today)})` };
  const range = /^(\d{4}-\d{2}-\d{2})\s*(?:to|-|–|\.\.)\s*(\d{4}-\d{2}-\d{2})$/.exec(t);
  if (range) return dates(range[1], range[2]);
  throw new PeriodError(`I don't know the period "${text.trim()}". Say one of: ${PERIOD_USAGE}.`);
}

/** An explicit from/to period (both UK calendar days, included). */
export function dates(from: string, to: string): Period {
  for (const d of [from, to]) if (!isRealDate(d)) throw new PeriodError(`${d} is not a date (YYYY-MM-DD).`);
  if (from > to) throw new PeriodError(`The period starts (${from}) after it ends (${to}).`);
  // Charts cut a period into a bar a month: "0001-01-01 to 9999-12-31" would be 120,000 of them.
  if (Number(to.slice(0, 4)) - Number(from.slice(0, 4)) > 10 || (Number(to.slice(0, 4)) - Number(from.slice(0, 4)) === 10 && to.slice(5) >= from.slice(5))) throw new PeriodError(`A report covers at most 10 years (${from} to ${to} is longer); ask for a shorter period.`);
  return { from, to, label: `${showDay(from)} to ${showDay(to)}` };
}

/** Whether an instant (ISO string) falls on a UK calendar day within the period. */
export function inPeriod(at: string | undefined, p: Pick<Period, 'from' | 'to'>): boolean {
  if (!at) return false;
  const day = ukDayOf(at);
  return day >= p.from && day <= p.to;
}

/** Days since 1970 of a calendar day ("2026-11-22"). */
const dayNumber = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;

/** Whole UK calendar days from one instant to another (same day = 0). */
export function calendarDays(from: string, to: string): number {
  return dayNumber(ukDayOf(to)) - dayNumber(ukDayOf(from));
}

export interface Bucket {
  key: string;
  label: string;
  from: string;
  to: string;
}

/**
 * The period cut into chart buckets: ISO weeks (Monday to Sunday, clipped to the period) when it
 * spans at most 62 days, calendar months otherwise.
 */
export function buckets(p: Pick<Period, 'from' | 'to'>): Bucket[] {
  const span = calendarDays(`${p.from}T12:00:00Z`, `${p.to}T12:00:00Z`) + 1;
  const out: Bucket[] = [];
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (span <= 62) {
    let start = Date.parse(`${p.from}T00:00:00Z`);
    const end = Date.parse(`${p.to}T00:00:00Z`);
    while (start <= end) {
      const dow = (new Date(start).getUTCDay() + 6) % 7; // Monday 0
      const sunday = Math.min(start + (6 - dow) * 86_400_000, end);
      const [, mm, dd] = day(start).split('-').map(Number);
      out.push({ key: day(start), label: `${dd} ${MONTHS[mm - 1]}`, from: day(start), to: day(sunday) });
      start = sunday + 86_400_000;
    }
    return out;
  }
  let [y, m] = p.from.split('-').map(Number);
  for (;;) {
    const first = `${y}-${pad(m)}-01`;
    if (first > p.to) break;
    const last = day(Date.UTC(y, m, 0));
    out.push({ key: `${y}-${pad(m)}`, label: m === 1 || !out.length ? `${MONTHS[m - 1]} ${String(y).slice(2)}` : MONTHS[m - 1], from: first < p.from ? p.from : first, to: last > p.to ? p.to : last });
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}
