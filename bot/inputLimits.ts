import { stripControls } from '../src/domain/plainText.js';

/**
 * The longest text any card field accepts is 4,000 characters (a support plan, an answer). A card
 * input longer than that is cut to one character over, before any use case sees it: the field's
 * own schema then refuses it with its "at most N characters" message next to the field, and the
 * card that echoes it back (and the draft that keeps it) stays small enough for Teams to open.
 * Cutting to exactly the limit would instead accept a silently shortened text.
 */
export const LONGEST_FIELD = 4000;
export const CUT_TO = LONGEST_FIELD + 1;

/**
 * Fields documented as longer: a provider's call-monitoring CSV pasted into the returns card (its
 * use case refuses more than this). Cut at 4,001 it was read as a shorter file: fewer visits, a
 * smaller return recorded without a word.
 */
export const LONGER_FIELDS: Record<string, number> = { csv: 20000 };

/** Card input as it enters: control and bidi-override characters removed (stripControls), then cut to size. */
export function capInputs(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    const clean = typeof v === 'string' ? stripControls(v) : v;
    const cut = Object.hasOwn(LONGER_FIELDS, k) ? LONGER_FIELDS[k] + 1 : CUT_TO;
    out[k] = typeof clean === 'string' && clean.length > cut ? clean.slice(0, cut) : clean;
  }
  return out;
}
