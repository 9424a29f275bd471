/**
 * Finds a given date (a date of birth) in text however case notes write it: numeric in any order
 * and separator (02/11/1951, 11-2-51, 1951.11.02, 02111951), with the month in words, full or short
 * ("2 Nov 1951", "Nov 2nd 1951", "the 2nd of November, '51"), and with the day or the year in words
 * ("second of November nineteen fifty-one"). Works on tokens (tokens.ts), so separators never matter.
 */

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const monthOf = (t: string): number | undefined => {
  const i = MONTHS.findIndex((m) => t === m || (t.length >= 3 && m.startsWith(t) && (t.length === 3 || t === 'sept')));
  return i < 0 ? undefined : i + 1;
};

const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const UNIT_ORDINALS = ['zeroth', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth'];
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const TENS_ORDINALS: Record<string, number> = { twentieth: 20, thirtieth: 30 };

/** A number read at a position; `alts` are other readings of the same words (see `yearWords`). */
type Read = { value: number; next: number; digits?: number; alts?: number[] };

/** A number 0–99 in words at i ("fifty", "fifty one", "fiftyone" is split by the tokeniser only when capitalised, so both are read). */
function wordsUnder100(t: string[], i: number, ordinal: boolean): Read | undefined {
  const units = ordinal ? UNIT_ORDINALS : UNITS;
  const w = t[i];
  if (w === undefined) return undefined;
  const u = units.indexOf(w);
  if (u >= 0) return { value: u, next: i + 1 };
  const tensOrd = ordinal ? TENS_ORDINALS[w] : undefined;
  if (tensOrd) return { value: tensOrd, next: i + 1 };
  for (const [word, tens] of Object.entries(TENS)) {
    if (w === word) {
      const unit = units.indexOf(t[i + 1] ?? '');
      if (unit >= 1 && unit <= 9) return { value: tens + unit, next: i + 2 };
      return ordinal ? undefined : { value: tens, next: i + 1 };
    }
    if (w.startsWith(word)) {
      const unit = units.indexOf(w.slice(word.length));
      if (unit >= 1 && unit <= 9) return { value: tens + unit, next: i + 1 };
    }
  }
  return undefined;
}

function readDay(t: string[], i: number): Read | undefined {
  const w = t[i];
  if (w === undefined) return undefined;
  const m = /^(\d{1,2})(st|nd|rd|th)?$/.exec(w);
  if (m) {
    // "2 nd" when someone typed a space or a superscript got split off.
    const next = !m[2] && /^(st|nd|rd|th)$/.test(t[i + 1] ?? '') ? i + 2 : i + 1;
    const value = Number(m[1]);
    return value >= 1 && value <= 31 ? { value, next } : undefined;
  }
  const words = wordsUnder100(t, i, true) ?? wordsUnder100(t, i, false);
  return words && words.value >= 1 && words.value <= 31 ? words : undefined;
}

function readYear(t: string[], i: number): Read | undefined {
  const w = t[i];
  if (w === undefined) return undefined;
  if (/^\d{4}$/.test(w)) return { value: Number(w), next: i + 1, digits: 4 };
  if (/^\d{2}$/.test(w)) return { value: Number(w), next: i + 1, digits: 2 };
  // "nineteen fifty one", "nineteen oh five", "two thousand and five", "twenty twelve".
  if (w === 'two' && t[i + 1] === 'thousand') {
    const j = t[i + 2] === 'and' ? i + 3 : i + 2;
    const rest = wordsUnder100(t, j, false);
    return rest ? { value: 2000 + rest.value, next: rest.next, digits: 4, alts: [2000, ...shorter(2000, rest, j)] } : { value: 2000, next: i + 2, digits: 4 };
  }
  const century = w === 'eighteen' ? 1800 : w === 'nineteen' ? 1900 : w === 'twenty' ? 2000 : undefined;
  if (century === undefined) return undefined;
  if (t[i + 1] === 'oh' || t[i + 1] === 'o') {
    const u = UNITS.indexOf(t[i + 2] ?? '');
    return u >= 1 && u <= 9 ? { value: century + u, next: i + 3, digits: 4 } : undefined;
  }
  if (t[i + 1] === 'hundred') return { value: century, next: i + 2, digits: 4 };
  const rest = wordsUnder100(t, i + 1, false);
  return rest && rest.value >= 10 ? { value: century + rest.value, next: rest.next, digits: 4, alts: shorter(century, rest, i + 1) } : undefined;
}

/**
 * The words after a year may be the text's own ("two thousand two carers", "nineteen fifty one
 * daughter"): the year may also end before the last word read, so that reading counts too.
 */
const shorter = (base: number, rest: Read, from: number): number[] => (rest.next - from >= 2 && rest.value % 10 ? [base + rest.value - (rest.value % 10)] : []);

function readNumericMonth(t: string[], i: number): Read | undefined {
  const w = t[i];
  if (w === undefined || !/^\d{1,2}$/.test(w)) return undefined;
  const value = Number(w);
  return value >= 1 && value <= 12 ? { value, next: i + 1 } : undefined;
}

function readMonthName(t: string[], i: number): Read | undefined {
  const m = monthOf(t[i] ?? '');
  return m ? { value: m, next: i + 1 } : undefined;
}

const skip = (t: string[], i: number, ...fillers: string[]) => {
  while (fillers.includes(t[i] ?? '')) i++;
  return i;
};

type Ymd = { y: number; m: number; d: number };

const sameYear = (year: Read, y: number) => (year.digits === 2 ? year.value === y % 100 : year.value === y || !!year.alts?.includes(y));

/** Whether the tokens mention this date (ISO yyyy-mm-dd) anywhere, in any of the spellings above. */
export function mentionsDate(t: string[], iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number);
  const want: Ymd = { y, m, d };
  for (let i = 0; i < t.length; i++) if (dateAt(t, i, want)) return true;
  return false;
}

function dateAt(t: string[], i: number, want: Ymd): boolean {
  const is = (day?: Read, month?: Read, year?: Read) => !!day && !!month && !!year && day.value === want.d && month.value === want.m && sameYear(year, want.y);
  // [the] day [of] month [of] year
  const start = skip(t, i, 'the');
  const day = readDay(t, start);
  if (day) {
    const monthName = readMonthName(t, skip(t, day.next, 'of'));
    if (monthName && is(day, monthName, readYear(t, skip(t, monthName.next, 'of', 'in')))) return true;
  }
  // month [the] day [of] year
  const monthFirst = readMonthName(t, i);
  if (monthFirst) {
    const d2 = readDay(t, skip(t, monthFirst.next, 'the'));
    if (d2 && is(d2, monthFirst, readYear(t, skip(t, d2.next, 'of', 'in')))) return true;
  }
  // All digits: d m y, m d y, y m d, with any separators; or one run of 6 or 8 digits.
  const [a, b, c] = [t[i], t[i + 1], t[i + 2]];
  if (a && b && c && [a, b, c].every((x) => /^\d+$/.test(x))) {
    const yearLast = readYear(t, i + 2);
    if (yearLast && is(readDay(t, i), readNumericMonth(t, i + 1), yearLast)) return true;
    if (yearLast && is(readDay(t, i + 1), readNumericMonth(t, i), yearLast)) return true;
    const yearFirst = /^\d{4}$/.test(a) ? readYear(t, i) : undefined;
    if (yearFirst && is(readDay(t, i + 2), readNumericMonth(t, i + 1), yearFirst)) return true;
  }
  if (a && /^\d{6}$|^\d{8}$/.test(a)) {
    const pad = (n: number) => String(n).padStart(2, '0');
    const { y, m, d } = want;
    const forms = [`${pad(d)}${pad(m)}${y}`, `${y}${pad(m)}${pad(d)}`, `${pad(d)}${pad(m)}${pad(y % 100)}`, `${pad(m)}${pad(d)}${y}`];
    if (forms.includes(a)) return true;
  }
  return false;
}
