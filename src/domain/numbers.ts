import { z } from 'zod';

/**
 * Numbers as people type them on a card: plain decimals only. JavaScript's Number() also reads
 * "0x1F4" (500), "1e3" (1,000), "0b11", "Infinity" and "  " (0), so a weekly price typed as hex
 * was stored as £500; nothing here goes through it unchecked.
 */
const DECIMAL = /^-?(\d+(\.\d+)?|\.\d+)$/;
/** Thousands separators, when they are where they belong: "1,250.50", not "1,2,5". */
const GROUPED = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * The number in a card value, or NaN when it is not a plain decimal. Numbers that arrive as
 * numbers pass when finite. `money` also takes a leading "£" and thousands commas.
 */
export function plainNumber(v: unknown, options: { money?: boolean } = {}): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v !== 'string') return NaN;
  let s = v.trim();
  if (options.money) {
    s = s.replace(/^(-?)\s*£\s*/, '$1');
    if (GROUPED.test(s)) s = s.replace(/,/g, '');
  }
  return DECIMAL.test(s) ? Number(s) : NaN;
}

/** For zod preprocess: "" and null are "not given" (undefined); anything else must be a plain decimal. */
export const numberInput =
  (options: { money?: boolean } = {}) =>
  (v: unknown): unknown =>
    v === '' || v === null || v === undefined || (typeof v === 'string' && !v.trim()) ? undefined : plainNumber(v, options);

/**
 * A figure a council sets on a card (a rate, a percentage, a count): a plain decimal ("£" and
 * thousands commas with `money`, a trailing "%" with `percent`), within bounds, named in every message.
 */
export function boundedNumber(what: string, min: number, max: number, o: { money?: boolean; percent?: boolean; int?: boolean } = {}) {
  return z.preprocess(
    (v) => numberInput({ money: o.money })(o.percent && typeof v === 'string' ? v.trim().replace(/\s*%$/, '') : v),
    z
      .number({ required_error: `${what} is required`, invalid_type_error: `${what} must be a number` })
      .min(min, `${what} must be at least ${min.toLocaleString('en-GB')}`)
      .max(max, `${what} must be at most ${max.toLocaleString('en-GB')}`)
      .refine((x) => !o.int || Number.isInteger(x), `${what} must be a whole number`),
  );
}
