import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findLeaks, identifies } from '../../../src/domain/anonymise.js';
import { PersonMatcher, streetOf } from '../../../src/domain/privacy/person.js';
import { carrier, caseRefSpelling, CARE_WORDS, dobSpelling, nameSpelling, personArb, postcodeSpelling, streetSpelling, type Person } from './people.js';

const margaret = { name: "Margaret O'Neill-Hughes", caseRef: 'LAS-204417', dateOfBirth: '1951-11-02', address: 'Flat 2, 14 Fennel Close, Bury', postcode: 'BL9 0EJ', zone: 'bury-east', gender: 'female' as const, disabilityCategory: 'autism' as const };

describe('the person in council text, however it is spelled', () => {
  it('finds what the issue saw go through', () => {
    const seen: [string, RegExp][] = [
      ['case LAS204417 on file', /the case reference "LAS-204417"/],
      ['see LAS 204417', /the case reference/],
      ['ref 204417', /the case reference/],
      ['born 2nd of November 1951', /the date of birth \(1951-11-02\)/],
      ['born Nov 2nd 1951', /the date of birth/],
      ['born the second of November nineteen fifty-one', /the date of birth/],
      ['DOB 02.11.51', /the date of birth/],
      ['DOB 02NOV1951', /the date of birth/],
      ['dob: 2nd-Nov-51', /the date of birth/],
      ['lives on Fennel Close', /the street name \("Fennel Close"\) from the first line of the address/],
      ['lives at 14 fennel cl.', /the street name/],
      ['Mr MargaretOneill', /part of the person's name \("Margaret"\)/],
      ['Margaret ONeillHughes', /the person's name "Margaret O'Neill-Hughes"/],
      ["O'Neill-Hughes's daughter visits", /part of the person's name/],
      ['M. Hughes likes music', /part of the person's name \("Hughes"\)/],
      ['mhughes likes music', /part of the person's name/],
      ['o neill family', /part of the person's name \("O'Neill"\)/],
      ['near bl90ej', /the postcode "BL9 0EJ"/],
      ['Mar\u200Bgaret likes music', /part of the person's name \("Margaret"\)/],
    ];
    for (const [text, what] of seen) assert.match(identifies(margaret, text) ?? 'nothing', what, text);
  });

  it('lets ordinary words through, including ones that contain a name or look like a date', () => {
    for (const text of ['Likes Hughesian poetry and the Oneillian style', 'Starts on 2nd November 2026; 3 visits a day', 'Needs 14 hours a week in Bury East', 'Enjoys walks along the close near the park', 'Margarine and bread for breakfast']) {
      assert.equal(identifies(margaret, text), undefined, text);
    }
  });

  it('names the field and the finding', () => {
    const leaks = findLeaks(margaret, { needsSummary: 'Needs support with personal care every morning.', visitPattern: 'Daily, Nov 2nd 1951 birthday tea', languageNeeds: 'none' }, [{ text: 'How would you support Mrs Hughes at college?' }], [{ field: 'extendReason', label: 'reason', text: 'Ring 07700 900123' }]);
    assert.deepEqual(
      leaks.map((l) => [l.field, l.label, l.what]),
      [
        ['visitPattern', 'visit pattern', 'the date of birth (1951-11-02)'],
        ['questions', 'quality question 1', `part of the person's name ("Hughes")`],
        ['extendReason', 'reason', 'a phone number ("07700 900123")'],
      ],
    );
  });

  it('takes the street from the address, without the house or flat number', () => {
    assert.deepEqual(streetOf('Flat 2, 14 Fennel Close, Bury'), { key: 'fennelclose', shown: 'Fennel Close' });
    assert.deepEqual(streetOf('7a Cheddleton Rd Bury'), { key: 'cheddletonroad', shown: 'Cheddleton Rd' });
  });

  describe('property: every spelling of every detail is found', () => {
    const check = (spelling: (p: Person) => fc.Arbitrary<string>, what: RegExp) =>
      fc.assert(
        fc.property(
          personArb.chain((p) => fc.tuple(fc.constant(p), carrier(spelling(p)))),
          ([p, text]) => {
            const leaks = findLeaks(p, { outcomes: text });
            return leaks.length === 1 && leaks[0].field === 'outcomes' && what.test(leaks[0].what);
          },
        ),
        { numRuns: 300 },
      );
    it('the name: whole, in parts, joined, hyphenated, possessive, with a title or an initial', () => check(nameSpelling, /name/));
    it('the case reference with any separator or none, or its number alone', () => check(caseRefSpelling, /the case reference/));
    it('the date of birth in figures, words and ordinals, 2- and 4-digit years', () => check(dobSpelling, /the date of birth/));
    it('the postcode with or without its space', () => check(postcodeSpelling, /the postcode/));
    it('the street with or without the number, street type in full or short', () => check(streetSpelling, /the street name/));
  });

  it('property: a sentence of ordinary care words identifies nobody', () => {
    fc.assert(
      fc.property(personArb, fc.array(fc.constantFrom(...CARE_WORDS), { minLength: 1, maxLength: 40 }), (p, words) => new PersonMatcher(p).find(words.join(' ')) === undefined && findLeaks(p, { needsSummary: words.join(' ') }).length === 0),
      { numRuns: 300 },
    );
  });
});

describe('the person: the letter O for a zero, and a postcode written out letter by letter (review)', () => {
  const margaret = { name: "Margaret O'Neill-Hughes", caseRef: 'LAS-204417', dateOfBirth: '1951-11-02', address: 'Flat 2, 14 Fennel Close, Bury', postcode: 'BL9 0EJ' };
  const cases: [string, RegExp][] = [
    ['near BL9 OEJ', /the postcode "BL9 0EJ"/],
    ['near bl9oej', /the postcode "BL9 0EJ"/],
    ['near B L 9 0 E J', /the postcode "BL9 0EJ"/],
    ['near B.L.9. O.E.J.', /the postcode "BL9 0EJ"/],
    ['case 2O4417', /the case reference "LAS-204417"/],
    ['case LAS-2O44I7', /the case reference "LAS-204417"/],
  ];
  for (const [text, want] of cases) it(`finds "${text}"`, () => assert.match(identifies(margaret as never, text) ?? 'nothing found', want));
  it('ordinary words with o and l still pass', () => {
    for (const text of ['good solid help at home', 'no blood tests on Sundays', 'bold colours', 'looks forward to lunch']) assert.equal(identifies(margaret as never, text), undefined, text);
  });
});
