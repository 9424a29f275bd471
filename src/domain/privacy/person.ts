import { mentionsDate } from './dates.js';
import { runs, squash, tokens } from './tokens.js';

/** The person's details a leak check needs (the private part of a request). */
export interface PersonDetails {
  name: string;
  caseRef: string;
  dateOfBirth: string;
  address: string;
  postcode: string;
}

const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'master']);

/** Street types as written in full, so "Fennel Cl" and "Fennel Close" compare equal. */
const STREET_TYPES: Record<string, string> = {
  rd: 'road', st: 'street', str: 'street', ave: 'avenue', av: 'avenue', cl: 'close', dr: 'drive', ln: 'lane', cres: 'crescent', cr: 'crescent',
  ct: 'court', gdns: 'gardens', gdn: 'garden', pl: 'place', sq: 'square', ter: 'terrace', terr: 'terrace', tce: 'terrace', gr: 'grove', gro: 'grove', pk: 'park', wy: 'way', hts: 'heights', mws: 'mews',
};
const STREET_WORDS = new Set([...Object.values(STREET_TYPES), 'walk', 'row', 'hill', 'rise', 'view', 'green', 'fold', 'brow', 'parade', 'meadow', 'meadows', 'croft', 'grange', 'wharf']);
const street = (t: string) => STREET_TYPES[t] ?? t;
/**
 * Codes as people mistype them: the letter O for a zero and I or l for a one ("BL9 OEJ",
 * "2O4417"). Applied to both sides of a postcode or case-reference comparison only.
 */
const digitLike = (s: string) => s.replace(/o/g, '0').replace(/[il]/g, '1');

/**
 * What identifies one person, compiled once, checked against any number of texts. Each check
 * works on tokens and on runs of adjacent tokens joined up, so spacing, punctuation, hyphens and
 * apostrophes never matter, and the refusal says which detail it found.
 */
export class PersonMatcher {
  private readonly nameParts: { norm: string; shown: string }[];
  private readonly pieces: Set<string>;
  private readonly caseRef: string;
  private readonly caseDigits?: string;
  private readonly postcode: string;
  private readonly streetKey?: string;
  private readonly streetShown?: string;

  constructor(private readonly person: PersonDetails) {
    // "O'Neill-Hughes" is the parts "oneill" and "hughes"; parts of one letter are initials only.
    this.nameParts = person.name
      .split(/[\s,\-‐–]+/)
      .map((shown) => ({ shown: shown.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''), norm: squash(shown.replace(/\p{Lu}/gu, (c) => c.toLowerCase())) }))
      .filter((p) => p.norm.length >= 2 && !TITLES.has(p.norm));
    const initials = this.nameParts.map((p) => p.norm[0]);
    this.pieces = new Set([...this.nameParts.map((p) => p.norm), ...initials, ...TITLES]);
    this.caseRef = digitLike(squash(person.caseRef.toLowerCase()));
    // The number of the reference alone ("case 204417") still finds the file; short runs could be years.
    this.caseDigits = (person.caseRef.match(/\d{5,}/g) ?? []).sort((a, b) => b.length - a.length)[0];
    this.postcode = digitLike(squash(person.postcode.toLowerCase()));
    const s = streetOf(person.address);
    if (s) [this.streetKey, this.streetShown] = [s.key, s.shown];
  }

  /** The first detail of the person the text gives away, in words the social worker recognises. */
  find(text: string): string | undefined {
    const t = tokens(text);
    return this.name(t) ?? this.reference(t) ?? (mentionsDate(t, this.person.dateOfBirth) ? `the date of birth (${this.person.dateOfBirth})` : undefined) ?? this.place(t);
  }

  private name(t: string[]): string | undefined {
    let part: string | undefined;
    for (const run of runs(t, 6)) {
      const used = this.split(run.joined);
      if (!used) continue;
      const parts = this.nameParts.filter((p) => used.includes(p.norm));
      if (parts.length === this.nameParts.length && this.nameParts.length > 1) return `the person's name "${this.person.name}"`;
      part ??= parts[0]?.shown;
    }
    return part ? `part of the person's name ("${part}")` : undefined;
  }

  /**
   * Whether a run of text is made only of the person's name parts, initials and titles with at
   * least one name part ("mellis", "margaretoneill", "mrellis"): the name parts used, or undefined.
   * "ellison" is not ("on" is no piece), so ordinary words that contain a name pass.
   */
  private split(s: string): string[] | undefined {
    // best[i]: the name parts of a split of s[i..], preferring splits that use more of them; null when none exists.
    const best: (string[] | null)[] = new Array(s.length + 1).fill(null);
    best[s.length] = [];
    for (let i = s.length - 1; i >= 0; i--) {
      for (const piece of this.pieces) {
        const rest = s.startsWith(piece, i) ? best[i + piece.length] : null;
        if (!rest) continue;
        const parts = this.nameParts.some((p) => p.norm === piece) ? [piece, ...rest] : rest;
        if (!best[i] || parts.length > best[i]!.length) best[i] = parts;
      }
    }
    return best[0]?.length ? best[0] : undefined;
  }

  private reference(t: string[]): string | undefined {
    for (const run of runs(t, 8)) {
      const joined = digitLike(run.joined);
      if (joined === this.caseRef || (this.caseDigits && joined === this.caseDigits)) return `the case reference "${this.person.caseRef}"`;
    }
    return undefined;
  }

  private place(t: string[]): string | undefined {
    const streets = t.map(street);
    // Up to 8 tokens: a postcode written out letter by letter ("B L 9 0 E J") is 6 or 7.
    for (const run of runs(t, 8)) if (digitLike(run.joined) === this.postcode) return `the postcode "${this.person.postcode}"`;
    if (this.streetKey) for (const run of runs(streets, 6)) if (run.joined === this.streetKey) return `the street name ("${this.streetShown}") from the first line of the address`;
    return undefined;
  }
}

/**
 * The street of an address, without the house or flat number: "Flat 2, 14 Fennel Close, Bury" is
 * "Fennel Close". Cut after the street type when there is one, so "14 Fennel Close Bury" works too.
 */
export function streetOf(address: string): { key: string; shown: string } | undefined {
  const lines = address.split(/[,\n]/);
  const hasStreetWord = (line: string) => line.split(/\s+/).some((w, i) => i > 0 && STREET_WORDS.has(street(squash(w.toLowerCase()))));
  for (const line of [...lines.filter(hasStreetWord), ...lines]) {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (/^(flat|apartment|apt|unit|room|suite)$/i.test(words[0] ?? '')) continue;
    while (words.length && /\d/.test(words[0])) words.shift();
    const t = words.map((w) => street(squash(w.toLowerCase())));
    const typeAt = t.findIndex((w, i) => i > 0 && STREET_WORDS.has(w));
    const kept = typeAt > 0 ? words.slice(0, typeAt + 1) : words;
    const key = (typeAt > 0 ? t.slice(0, typeAt + 1) : t).join('');
    if (key.replace(/\d/g, '').length >= 5) return { key, shown: kept.join(' ') };
  }
  return undefined;
}
