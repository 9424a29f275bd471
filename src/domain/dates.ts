/** Dates as the council works with them: calendar days and wall-clock times in the UK. */
export const TIME_ZONE = 'Europe/London';

const UK_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
/**
 * UK days by UTC hour: the UK's offset has been a whole number of hours since 1847, so every instant of one UTC
 * hour falls on the same UK day. A year's report asks for hundreds of thousands of days, and
 * formatting each (let alone building a formatter each time) took most of its seconds.
 */
const daysByHour = new Map<number, string>();
const HOUR = 3_600_000;

/** "2026-11-22" for the UK calendar day that `at` falls on. */
export function ukDate(at: Date): string {
  const hour = Math.floor(at.getTime() / HOUR);
  let day = daysByHour.get(hour);
  if (day === undefined) {
    if (Number.isNaN(hour)) return UK_DAY.format(at); // throws RangeError, as before
    if (daysByHour.size >= 200_000) daysByHour.clear();
    day = UK_DAY.format(at); // en-CA formats as YYYY-MM-DD
    daysByHour.set(hour, day);
  }
  return day;
}

/** UK days by the text of a UTC hour ("2026-11-22T09"), for `ukDayOf`. */
const daysByHourText = new Map<string, string>();
const UTC_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z$/;

/**
 * `ukDate` of a time as the store keeps it (an ISO string in UTC, "2026-11-22T09:30:00.000Z"),
 * without making a Date: its UTC hour is read from the text. Any other form goes through `ukDate`.
 */
export function ukDayOf(at: string): string {
  const hour = at.slice(0, 13);
  let day = daysByHourText.get(hour);
  if (day !== undefined && at.endsWith('Z')) return day;
  if (!UTC_TIME.test(at)) return ukDate(new Date(at));
  if (daysByHourText.size >= 200_000) daysByHourText.clear();
  day = ukDate(new Date(`${hour}:00:00Z`));
  daysByHourText.set(hour, day);
  return day;
}

/** Minutes the UK is ahead of UTC at that instant (0 in winter, 60 in summer). */
function ukOffsetMinutes(at: Date): number {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((asUtc - Math.floor(at.getTime() / 60000) * 60000) / 60000);
}

/** The instant of a UK wall-clock date and time ("2026-12-01", "17:00"). */
export function ukDateTime(date: string, time: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const guess = new Date(Date.UTC(y, m - 1, d, hh, mm));
  return new Date(guess.getTime() - ukOffsetMinutes(guess) * 60000);
}

/** Building an Intl.DateTimeFormat costs far more than formatting with one: make each once. */
const ukFormats = new Map<boolean, Intl.DateTimeFormat>();

/** "Tue 1 Dec 2026, 17:00" in UK time. */
export function formatUk(at: Date | string, withTime = true): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  let format = ukFormats.get(withTime);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    ukFormats.set(withTime, format);
  }
  return format.format(d);
}

/** Whole years between a date of birth and a day (both "YYYY-MM-DD"). */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Age bands used on call-offs and in equality monitoring: specific enough to plan, too broad to identify. */
export function ageBand(age: number): string {
  if (age < 18) return 'under 18';
  if (age < 25) return '18–24';
  if (age >= 85) return '85+';
  const lo = Math.floor((age - 5) / 10) * 10 + 5;
  return `${lo}–${lo + 9}`;
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isRealDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}
