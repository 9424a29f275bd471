import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findIdentifier, isNhsNumber } from '../../../src/domain/privacy/identifiers.js';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const checkDigit = (nine: string) => {
  const c = 11 - ([...nine].reduce((s, d, i) => s + Number(d) * (10 - i), 0) % 11);
  return c === 11 ? 0 : c;
};
const nhs = (sep: string) => digits(9).filter((d) => checkDigit(d) !== 10).map((d) => `${d}${checkDigit(d)}`).map((n) => `${n.slice(0, 3)}${sep}${n.slice(3, 6)}${sep}${n.slice(6)}`);
const around = (x: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom('Contact', 'see', 'ref:', 'number'), x, fc.constantFrom('', '.', ' for details')).map(([a, b, c]) => `${a} ${b}${c}`);

describe('identifiers of anyone', () => {
  it('knows the NHS modulus 11 check digit', () => {
    assert.equal(isNhsNumber('9434765919'), true);
    assert.equal(isNhsNumber('9434765918'), false);
    assert.match(findIdentifier('NHS no 943 476 5919') ?? '', /an NHS number \("943 476 5919"\)/);
    assert.equal(findIdentifier('order 943 476 5918 of tea'), undefined);
  });

  it('property: any NHS number with its check digit, however grouped', () => {
    fc.assert(fc.property(fc.constantFrom(' ', '-', '').chain((sep) => around(nhs(sep))), (t) => /NHS number/.test(findIdentifier(t) ?? '')), { numRuns: 200 });
  });

  it('property: National Insurance numbers, phone numbers, e-mail addresses and postcodes', () => {
    const ni = fc.tuple(fc.constantFrom('AB', 'JG', 'PR', 'WE', 'ce'), digits(6), fc.constantFrom('A', 'B', 'C', 'D'), fc.constantFrom(' ', '')).map(([p, d, s, sep]) => `${p}${sep}${d.slice(0, 2)}${sep}${d.slice(2, 4)}${sep}${d.slice(4)}${sep}${s}`);
    const phone = fc.oneof(
      digits(9).map((d) => `07${d.slice(0, 3)} ${d.slice(3)}`),
      digits(8).map((d) => `0161 ${d.slice(0, 3)} ${d.slice(3, 7)}`),
      digits(9).map((d) => `+44 7${d.slice(0, 3)} ${d.slice(3)}`),
      digits(8).map((d) => `(0161) ${d.slice(0, 3)}-${d.slice(3, 7)}`),
      digits(9).map((d) => `+447${d}`),
    );
    const email = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,10}[a-z0-9]$/), fc.constantFrom('nhs.net', 'bury.gov.uk', 'example.com')).map(([u, d]) => `${u}@${d}`);
    const postcode = fc.tuple(fc.constantFrom('M1', 'BL9', 'SW1A', 'EC1V', 'OL10'), fc.constantFrom(' ', ''), fc.integer({ min: 0, max: 9 }), fc.constantFrom('AA', 'EJ', 'XN', 'BD')).map(([o, s, d, i]) => `${o}${s}${d}${i}`);
    for (const [arb, what] of [
      [ni, /National Insurance/],
      [phone, /phone number/],
      [email, /e-mail address/],
      [postcode, /postcode/],
    ] as const) {
      fc.assert(fc.property(around(arb), (t) => what.test(findIdentifier(t) ?? '')), { numRuns: 150 });
    }
  });

  it('lets ordinary figures through: prices, hours, dates, times, reference numbers', () => {
    for (const text of ['£650.50 a week for 14.5 hours', 'from 2026-12-01 to 2027-03-31', 'visits 07:30, 12:00 and 17:30', 'PKG-2026-0042 and CQC 1-123456789', '3 visits a day, 7 days', 'Call 0800 number anytime', 'room 12B on level 2']) {
      assert.equal(findIdentifier(text), undefined, text);
    }
  });
});
