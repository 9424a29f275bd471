/**
 * Text as a leak check compares it: the words and numbers people wrote, whatever the case,
 * spacing, punctuation, apostrophes, accents or invisible characters between them. Matching is
 * done on these tokens (and on runs of adjacent tokens joined together), so "LAS 204417",
 * "las-204417" and "LAS204417" all become the same thing to compare.
 */

/** Invisible format characters (zero-width spaces, joiners, bidi controls, soft hyphens) hide a word from a plain match. */
const INVISIBLE = /\p{Cf}/gu;
const APOSTROPHE = `'’‘\`´ʼ`;

/** Removes what only hides text from a comparison: invisible characters, accents, full-width forms. */
export function clean(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').normalize('NFD').replace(/\p{M}/gu, '');
}

/**
 * The tokens of a text, lower case: possessives dropped ("Hughes's" and "Hughes'" are "hughes"),
 * apostrophes inside words closed up ("O'Neill" is "oneill"), run-together capitalised words split
 * ("MargaretOneill" is "margaret", "oneill"; adjacent runs put them back together when needed), and
 * letters and digits written together split ("LAS204417" is "las", "204417").
 */
export function tokens(text: string): string[] {
  const s = clean(text)
    .replace(new RegExp(`(\\p{L})[${APOSTROPHE}]s(?![\\p{L}\\p{N}])`, 'giu'), '$1')
    .replace(new RegExp(`(\\p{L}s)[${APOSTROPHE}](?![\\p{L}\\p{N}])`, 'giu'), '$1')
    .replace(new RegExp(`(\\p{L})[${APOSTROPHE}](?=\\p{L})`, 'gu'), '$1')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    // "02NOV1951", "BL90EJ": letters and digits written together are separate tokens (runs join them again).
    .replace(/(\p{L})(\p{N})|(\p{N})(\p{L})/gu, (_m, a, b, c, d) => (a ? `${a} ${b}` : `${c} ${d}`));
  return (s.match(/[\p{L}\p{N}]+/gu) ?? []).map((t) => t.toLowerCase());
}

/** A value as one run of lower-case letters and digits: "LAS-204417" is "las204417". */
export const squash = (text: string): string => tokens(text).join('');

/**
 * Every run of up to `max` adjacent tokens, joined: where a value written with any separator, or
 * none, or split into pieces ("L.A.S. 204417") shows up as one string to compare.
 */
export function* runs(toks: string[], max: number): Generator<{ start: number; end: number; joined: string }> {
  for (let start = 0; start < toks.length; start++) {
    let joined = '';
    for (let end = start; end < Math.min(toks.length, start + max); end++) {
      joined += toks[end];
      yield { start, end: end + 1, joined };
    }
  }
}
