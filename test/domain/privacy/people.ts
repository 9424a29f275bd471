import fc from 'fast-check';
import type { PersonStep } from '../../../src/domain/request.js';

/**
 * Generators of people and of the ways case notes spell their details. Names and streets come
 * from lists disjoint from CARE_WORDS, so a sentence made of care words never names anyone.
 */

export const FIRST = ['Margaret', 'Dorothy', 'Kwame', 'Siobhan', 'Aleksander', 'Priyanka', 'Bartholomew', 'Ifeoma', 'Gwendolyn', 'Tadeusz', 'Rhiannon', 'Oluwaseun'];
export const SURNAMES = ["O'Neill", "O'Neill-Hughes", 'McAllister', 'Fairweather', 'Okonkwo', 'Kowalczyk', 'Ashworth-Pike', "D'Souza", 'Pemberton', 'Nakamura', 'Threlfall', 'Vasquez'];
export const STREETS = ['Fennel', 'Rowan', 'Bramblewood', 'Cheddleton', 'Saxonholme', 'Tarnbrook', 'Wolstenholme'];
export const STREET_TYPES: [full: string, short: string][] = [['Close', 'Cl'], ['Road', 'Rd'], ['Avenue', 'Ave'], ['Drive', 'Dr'], ['Crescent', 'Cres'], ['Lane', 'Ln'], ['Gardens', 'Gdns']];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export const CARE_WORDS = ['needs', 'support', 'with', 'personal', 'care', 'morning', 'evening', 'visits', 'likes', 'music', 'and', 'walks', 'in', 'the', 'park', 'two', 'carers', 'for', 'hoist', 'transfers', 'epilepsy', 'rescue', 'medication', 'prefers', 'female', 'staff', 'communicates', 'using', 'Makaton', 'wants', 'to', 'attend', 'college', 'on', 'weekdays', 'hours', 'a', 'week', 'overnight', 'sleep-in', 'her', 'his', 'their', 'daughter', 'son', 'lives', 'alone', 'near', 'shops', 'bus', 'route', 'PEG', 'feeding', 'behaviours', 'that', 'challenge', 'BSL', 'interpreter'];

export interface Person extends PersonStep {
  first: string;
  surname: string;
  streetName: string;
  streetType: [string, string];
  houseNumber: number;
}

export const personArb: fc.Arbitrary<Person> = fc
  .record({
    first: fc.constantFrom(...FIRST),
    surname: fc.constantFrom(...SURNAMES),
    prefix: fc.stringMatching(/^[A-Z]{2,4}$/),
    sep: fc.constantFrom('-', '/', ''),
    digits: fc.integer({ min: 10000, max: 9999999 }),
    dob: fc.date({ min: new Date('1925-01-01T00:00:00Z'), max: new Date('2008-12-31T00:00:00Z'), noInvalidDate: true }),
    houseNumber: fc.integer({ min: 1, max: 250 }),
    streetName: fc.constantFrom(...STREETS),
    streetType: fc.constantFrom(...STREET_TYPES),
    outward: fc.tuple(fc.constantFrom(...'BMSLW'), fc.constantFrom('', 'L', 'R'), fc.integer({ min: 1, max: 20 })),
    inward: fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom(...'ABDEFGHJLNPQRSTUWXYZ'), fc.constantFrom(...'ABDEFGHJLNPQRSTUWXYZ')),
  })
  .map((x) => ({
    first: x.first,
    surname: x.surname,
    streetName: x.streetName,
    streetType: x.streetType,
    houseNumber: x.houseNumber,
    name: `${x.first} ${x.surname}`,
    caseRef: `${x.prefix}${x.sep}${x.digits}`,
    dateOfBirth: x.dob.toISOString().slice(0, 10),
    address: `${x.houseNumber} ${x.streetName} ${x.streetType[0]}, Bury`,
    postcode: `${x.outward[0]}${x.outward[1]}${x.outward[2]} ${x.inward[0]}${x.inward[1]}${x.inward[2]}`,
    zone: 'bury-east',
    gender: 'female' as const,
    disabilityCategory: 'autism' as const,
  }));

const caseOf = (s: string, c: 'lower' | 'upper' | 'as is') => (c === 'lower' ? s.toLowerCase() : c === 'upper' ? s.toUpperCase() : s);
const letterCase = fc.constantFrom('lower' as const, 'upper' as const, 'as is' as const);

/** The surname's parts: "O'Neill-Hughes" is O'Neill and Hughes. */
const parts = (surname: string) => surname.split('-');
const bare = (s: string) => s.replace(/['’]/g, '');

export const nameSpelling = (p: Person): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 0, max: 8 }), letterCase, fc.constantFrom("'s", '’s', "'"), fc.constantFrom('Mr', 'Mrs', 'Ms', 'Miss')).map(([k, c, poss, title]) => {
    const sur = parts(p.surname);
    const forms = [
      p.name,
      `${title} ${sur.at(-1)}`,
      `${p.surname}${poss}`,
      `${title}${bare(p.surname).replace(/-/g, '')}`,
      `${p.first}${bare(sur[0])}`,
      `${p.first[0]}. ${p.surname}`,
      `${p.first[0]}${bare(sur[0])}`,
      `${bare(sur[0]).toLowerCase()}`,
      `${p.first} ${sur.map(bare).join(' ')}`,
    ];
    return caseOf(forms[k], c);
  });

export const caseRefSpelling = (p: Person): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(' ', '-', '/', '', '.', '_', ' - '), letterCase, fc.boolean()).map(([sep, c, digitsOnly]) => {
    const [, letters, digits] = /^([A-Z]+)[-/]?(\d+)$/.exec(p.caseRef)!;
    return digitsOnly ? digits : caseOf(`${letters}${sep}${digits}`, c);
  });

const ORD = ['', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth', 'twentieth'];
const UNITS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ordinalWord = (d: number) => (d <= 20 ? ORD[d] : d === 30 ? 'thirtieth' : `${TENS[Math.floor(d / 10)]}-${ORD[d % 10]}`);
const under100 = (n: number) => (n < 20 ? UNITS[n] : `${TENS[Math.floor(n / 10)]}${n % 10 ? ` ${UNITS[n % 10]}` : ''}`);
// Years as people say them: "two thousand" and "nineteen hundred" for round ones (no trailing "and"/"oh").
const yearWords = (y: number) =>
  y === 2000 ? 'two thousand' : y > 2000 && y < 2010 ? `two thousand and ${UNITS[y - 2000]}` : y % 100 === 0 ? `${UNITS[y / 100]} hundred` : y % 100 < 10 ? `${UNITS[Math.floor(y / 100)]} oh ${UNITS[y % 100]}` : `${UNITS[Math.floor(y / 100)]} ${under100(y % 100)}`;
const suffix = (d: number) => (d % 100 >= 11 && d % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][d % 10] ?? 'th'));

export const dobSpelling = (p: Person): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 0, max: 13 }), fc.constantFrom('/', '.', '-', ' '), letterCase, fc.boolean()).map(([k, sep, c, pad]) => {
    const [y, m, d] = p.dateOfBirth.split('-').map(Number);
    const two = (n: number) => (pad ? String(n).padStart(2, '0') : String(n));
    const yy = String(y % 100).padStart(2, '0');
    const month = MONTHS[m - 1];
    const forms = [
      `${two(d)}${sep}${two(m)}${sep}${y}`,
      `${two(d)}${sep}${two(m)}${sep}${yy}`,
      `${two(m)}${sep}${two(d)}${sep}${y}`,
      `${y}${sep}${two(m)}${sep}${two(d)}`,
      `${d} ${month} ${y}`,
      `${d} ${month.slice(0, 3)} ${y}`,
      `the ${d}${suffix(d)} of ${month} ${y}`,
      `${month.slice(0, 3)} ${d}${suffix(d)} ${y}`,
      `${month} ${d}, ${y}`,
      `${d}${suffix(d)} ${month} '${yy}`,
      `the ${ordinalWord(d)} of ${month}, ${yearWords(y)}`,
      `${String(d).padStart(2, '0')}${String(m).padStart(2, '0')}${y}`,
      `${d}${suffix(d)} ${month.slice(0, 3)}. ${y}`,
      `${month} the ${ordinalWord(d)} ${y}`,
    ];
    return caseOf(forms[k], c);
  });

export const postcodeSpelling = (p: Person): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(' ', '', '  ', '-'), letterCase).map(([sep, c]) => caseOf(p.postcode.replace(' ', sep), c));

export const streetSpelling = (p: Person): fc.Arbitrary<string> =>
  fc.tuple(fc.boolean(), fc.boolean(), letterCase, fc.constantFrom('', '.')).map(([number, short, c, dot]) => caseOf(`${number ? `${p.houseNumber} ` : ''}${p.streetName} ${short ? `${p.streetType[1]}${dot}` : p.streetType[0]}`, c));

/** A sentence of ordinary care words around `inner` (or none). */
export const carrier = (inner: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(fc.array(fc.constantFrom(...CARE_WORDS), { maxLength: 6 }), inner, fc.array(fc.constantFrom(...CARE_WORDS), { maxLength: 6 }), fc.constantFrom('', '.', ',', ';', '!')).map(([a, x, b, end]) => [...a, x, ...b].join(' ') + end);
