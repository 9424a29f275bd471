import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plainNumber } from '../../src/domain/numbers.js';
import { BidInput } from '../../src/domain/calloff.js';
import { PackageStep } from '../../src/domain/request.js';
import { Settings } from '../../src/domain/framework.js';

describe('numbers typed on cards: plain decimals only', () => {
  it('refuses what Number() would read but nobody means', () => {
    for (const s of ['0x1F4', '0X1f4', '1e3', '1E3', '5e-1', '0b11', '0o17', 'Infinity', '-Infinity', 'NaN', '1_000', '12abc', '1.2.3', '.', '+5', '1,2,5', '£ 5 00', '٥٠٠']) {
      assert.ok(Number.isNaN(plainNumber(s, { money: true })), s);
    }
    assert.ok(Number.isNaN(plainNumber(Infinity)));
    assert.ok(Number.isNaN(plainNumber({})));
    assert.ok(Number.isNaN(plainNumber(true)));
  });

  it('reads decimals, and for money a £ and thousands commas', () => {
    const cases: [string, number, boolean][] = [
      ['500', 500, false],
      [' 25.50 ', 25.5, false],
      ['.5', 0.5, false],
      ['-3', -3, false],
      ['£525', 525, true],
      ['£1,250.00', 1250, true],
    ];
    for (const [s, n, money] of cases) assert.equal(plainNumber(s, { money }), n, s);
    assert.ok(Number.isNaN(plainNumber('1,250')), 'commas only in money');
  });

  it('property: every non-negative amount written to 0–4 places reads back as itself', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 4 }), (cents, places) => {
      const text = (cents / 100).toFixed(places);
      return plainNumber(text) === Number(text) && plainNumber(`£${text}`, { money: true }) === Number(text);
    }));
  });

  it('property: a string with an exponent or a radix prefix is never a number', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99999 }), fc.constantFrom('e', 'E', 'x', 'X', 'b', 'o'), fc.integer({ min: 0, max: 9 }), (a, mark, b) => Number.isNaN(plainNumber(mark === 'e' || mark === 'E' ? `${a}${mark}${b}` : `0${mark}${a}${b}`, { money: true }))));
  });

  it('schemas use it: a hex weekly price or an exponent in hours is refused next to the field', () => {
    const bid = BidInput.safeParse({ weeklyPrice: '0x1F4', hourlyRate: '1e3', hoursPerWeek: '21', earliestStart: '2026-12-14', supportPlan: 'x'.repeat(40), answers: {}, meetsCarerGender: 'yes', meetsLanguage: 'yes' });
    assert.ok(!bid.success);
    const fields = new Set(bid.error.issues.map((i) => i.path[0]));
    assert.ok(fields.has('weeklyPrice') && fields.has('hourlyRate'));
    const pkg = PackageStep.shape.hoursPerWeek.safeParse('1e1');
    assert.ok(!pkg.success);
    assert.equal(PackageStep.shape.budgetWeekly.safeParse('£650').success, true);
    assert.equal(Settings.shape.minHourlyRate.safeParse('0x15').success, false);
    assert.equal(Settings.shape.minHourlyRate.safeParse('21.5').success, true);
  });
});

describe('numbers on the agreement cards: returns and the council rules (review)', () => {
  it('a return of "0x10", "1e2", "0b11" or "Infinity" hours is refused, not stored as 16, 100, 3', async () => {
    const { ReturnInput } = await import('../../src/domain/agreement.js');
    for (const hours of ['0x10', '1e2', '0b11', 'Infinity', '-1', '12abc']) {
      const r = ReturnInput.safeParse({ periodStart: '2026-12-14', hours });
      assert.equal(r.success, false, `${hours} → ${JSON.stringify(r.success && r.data)}`);
    }
    assert.equal(ReturnInput.parse({ periodStart: '2026-12-14', hours: '19.5' }).hours, 19.5);
  });
  it('contract rules refuse "0x32" and "5e1" as a threshold and keep "£1,250"', async () => {
    const { ContractRules } = await import('../../src/domain/agreement.js');
    for (const v of ['0x32', '5e1', '0o62']) assert.equal(ContractRules.safeParse({ variationThreshold: v }).success, false, v);
    assert.equal(ContractRules.parse({ variationThreshold: '£1,250' }).variationThreshold, 1250);
  });
});
