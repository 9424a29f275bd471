import { ukDate, ukDateTime } from './dates.js';

/**
 * Working hours as a council office keeps them: Monday to Friday, a fixed day (09:00–17:00 UK time
 * by default), no work on bank holidays or on the council's own closure days. Reminders and
 * escalations count these hours, so a decision raised on Friday afternoon is not "two days late"
 * on Monday morning. Pure: the caller gives the instants.
 */
export interface WorkingCalendar {
  /** "09:00" and "17:00", UK wall-clock. */
  opens: string;
  closes: string;
  /** England and Wales bank holidays by rule (every year), unless the council turns them off (e.g. Scotland: list its own). */
  bankHolidays: 'england-and-wales' | 'none';
  /** The council's own closed days ("YYYY-MM-DD"): one-off bank holidays, closure days, other nations' holidays. */
  closedDays: string[];
}

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
/** 0 Sunday … 6 Saturday. */
const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();
const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

/** Easter Sunday (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher). */
function easter(y: number): string {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(y, month, day);
}

const firstMonday = (y: number, m: number) => {
  const first = iso(y, m, 1);
  return addDays(first, (8 - weekday(first)) % 7);
};
const lastMonday = (y: number, m: number) => {
  const last = addDays(iso(y, m + 1, 1), -1);
  return addDays(last, -((weekday(last) + 6) % 7));
};
const nextWeekday = (day: string) => (weekday(day) === 6 ? addDays(day, 2) : weekday(day) === 0 ? addDays(day, 1) : day);

/**
 * England and Wales bank holidays of a year, by the rules of the Banking and Financial Dealings
 * Act and the annual proclamations: New Year's Day, Good Friday, Easter Monday, the first and last
 * Mondays of May, the last Monday of August, Christmas and Boxing Day, with a weekday in lieu when
 * one falls at a weekend. One-off changes (a coronation, a moved May holiday) go in closedDays.
 */
export function englandAndWalesBankHolidays(y: number): string[] {
  const e = easter(y);
  const out = [nextWeekday(iso(y, 1, 1)), addDays(e, -2), addDays(e, 1), firstMonday(y, 5), lastMonday(y, 5), lastMonday(y, 8)];
  let owed = 0;
  for (const d of [iso(y, 12, 25), iso(y, 12, 26)]) {
    if (weekday(d) === 0 || weekday(d) === 6) owed++;
    else out.push(d);
  }
  for (let d = iso(y, 12, 27); owed > 0; d = addDays(d, 1)) {
    if (weekday(d) !== 0 && weekday(d) !== 6) {
      out.push(d);
      owed--;
    }
  }
  return out.sort();
}

const holidayCache = new Map<number, Set<string>>();
function isBankHoliday(day: string): boolean {
  const y = Number(day.slice(0, 4));
  let set = holidayCache.get(y);
  if (!set) holidayCache.set(y, (set = new Set(englandAndWalesBankHolidays(y))));
  return set.has(day);
}

export function isWorkingDay(cal: WorkingCalendar, day: string): boolean {
  const w = weekday(day);
  if (w === 0 || w === 6) return false;
  if (cal.bankHolidays === 'england-and-wales' && isBankHoliday(day)) return false;
  return !cal.closedDays.includes(day);
}

/** A year of closed days at most in a row: nothing a council keeps is longer, and it bounds every loop. */
const MAX_DAYS = 400;

/** The instant `hours` working hours after `from` (a moment outside hours starts at the next opening). */
export function addWorkingHours(cal: WorkingCalendar, from: Date, hours: number): Date {
  let left = Math.max(0, hours) * 3_600_000;
  let day = ukDate(from);
  for (let i = 0; i < MAX_DAYS * 10; i++, day = addDays(day, 1)) {
    if (!isWorkingDay(cal, day)) continue;
    const opens = ukDateTime(day, cal.opens).getTime();
    const closes = ukDateTime(day, cal.closes).getTime();
    const start = Math.max(opens, from.getTime());
    if (start >= closes) continue;
    if (start + left <= closes) return new Date(start + left);
    left -= closes - start;
  }
  return new Date(from.getTime() + hours * 3_600_000);
}

/** Working hours between two instants (0 when `to` is not after `from`). */
export function workingHoursBetween(cal: WorkingCalendar, from: Date, to: Date): number {
  if (to <= from) return 0;
  let ms = 0;
  const last = ukDate(to);
  let day = ukDate(from);
  for (let i = 0; day <= last && i < MAX_DAYS * 10; i++, day = addDays(day, 1)) {
    if (!isWorkingDay(cal, day)) continue;
    const opens = ukDateTime(day, cal.opens).getTime();
    const closes = ukDateTime(day, cal.closes).getTime();
    ms += Math.max(0, Math.min(closes, to.getTime()) - Math.max(opens, from.getTime()));
  }
  return ms / 3_600_000;
}

/** Hours in one working day of the calendar, for saying "2 working days". */
export const hoursInDay = (cal: WorkingCalendar) => {
  const [oh, om] = cal.opens.split(':').map(Number);
  const [ch, cm] = cal.closes.split(':').map(Number);
  return (ch * 60 + cm - oh * 60 - om) / 60;
};

/** "3 working hours", "2 working days 4 h", as a person says how long something has waited. */
export function workingAge(cal: WorkingCalendar, hours: number): string {
  const perDay = hoursInDay(cal);
  const days = Math.floor(hours / perDay + 1e-9);
  const rest = Math.round((hours - days * perDay) * 10) / 10;
  if (!days) return rest < 1 ? 'under a working hour' : `${rest} working hour${rest === 1 ? '' : 's'}`;
  return `${days} working day${days === 1 ? '' : 's'}${rest ? ` ${rest} h` : ''}`;
}
