import assert from 'node:assert/strict';
import type { AgreementVersion, DeliveredReturn, Suspension } from '../../src/domain/agreement.js';
import { DEFAULT_RULES, ElementsText, VariationInput } from '../../src/domain/agreement.js';
import { bankStep, dayPlans, lastDayProblem, periodContaining, periodsStarting, retainerFor, settle, variance, versionOn, weeklyCostOf } from '../../src/domain/agreementRules.js';

const v = (version: number, effectiveFrom: string, hours: number, cost: number, over: Partial<AgreementVersion> = {}): AgreementVersion => ({
  version,
  change: version === 1 ? 'created' : 'variation',
  effectiveFrom,
  elements: [],
  hoursPerWeek: hours,
  weeklyCost: cost,
  startDate: '2026-12-14',
  financeCodes: { costCentre: 'ASC-LD-01', providerFinanceId: 'CH-001' },
  summary: '',
  by: 'x',
  at: '2026-12-01T00:00:00Z',
  ...over,
});
const ret = (periodStart: string, hours: number): DeliveredReturn => ({ periodStart, hours, source: 'card', by: 'p', at: 'x', corrections: [] });
const rules = { ...DEFAULT_RULES, period: 'weekly' as const, tolerancePct: 10, bankMaxHours: 10, bankMaxWeeks: 8, retainerPct: 50, retainerWeeks: 2 };

describe('domain/agreementRules', () => {
  describe('weekly cost and elements', () => {
    it('adds each element’s hours × rate (day support 21 × £25 and waking night 7 × £22 = £679)', () => {
      assert.equal(weeklyCostOf([{ name: 'Day support', hoursPerWeek: 21, hourlyRate: 25 }, { name: 'Waking night', hoursPerWeek: 7, hourlyRate: 22 }]), 679);
    });
    it('parses "name: hours @ rate" lines and names the bad line', () => {
      assert.deepEqual(ElementsText.parse('Day support: 21 @ 25\nWaking night: 7h @ £22'), [
        { name: 'Day support', hoursPerWeek: 21, hourlyRate: 25 },
        { name: 'Waking night', hoursPerWeek: 7, hourlyRate: 22 },
      ]);
      const bad = VariationInput.safeParse({ elements: 'Day support: 21 @ 25\nnights lots', effectiveFrom: '2027-01-04', reason: 'Needs waking nights now.' });
      assert.ok(!bad.success);
      assert.match(bad.error.issues[0].message, /line 2 \("nights lots"\)/);
      assert.equal(bad.error.issues[0].path[0], 'elements');
    });
  });

  describe('periods', () => {
    it('counts weekly and four-weekly periods from the start', () => {
      assert.deepEqual(periodContaining('2026-12-14', 'weekly', '2026-12-23'), { start: '2026-12-21', end: '2026-12-27' });
      assert.deepEqual(periodContaining('2026-12-14', 'four-weekly', '2027-01-11'), { start: '2027-01-11', end: '2027-02-07' });
      assert.deepEqual(
        periodsStarting('2026-12-14', 'weekly', '2026-12-15', '2027-01-04').map((p) => p.start),
        ['2026-12-21', '2026-12-28', '2027-01-04'],
      );
      assert.deepEqual(periodsStarting('2026-12-14', 'weekly', '2026-12-01', '2026-12-14').map((p) => p.start), ['2026-12-14']);
    });
    it('takes the terms of the latest version in force on the day', () => {
      const vs = [v(1, '2026-12-14', 21, 525), v(2, '2027-01-04', 28, 679), v(3, '2026-12-14', 21, 525, { change: 'terms' })];
      assert.equal(versionOn(vs, '2027-01-03')?.version, 3);
      // Version 3 (codes changed) restates the first terms from their first day; v2 still applies from its own day.
      const fixed = [v(1, '2026-12-14', 21, 525), v(2, '2027-01-04', 28, 679), v(3, '2027-01-04', 28, 679, { change: 'terms' })];
      assert.equal(versionOn(fixed, '2027-01-05')?.hoursPerWeek, 28);
      assert.equal(versionOn(fixed, '2027-01-03')?.hoursPerWeek, 21);
    });
  });

  describe('variance', () => {
    it('20 of 21 hours is −4.76%: within a 10% tolerance', () => {
      assert.deepEqual(variance(21, 20, 10), { planned: 21, delivered: 20, diff: -1, pct: -4.76, beyond: false });
    });
    it('27 of 21 hours is +28.57%: beyond it', () => {
      assert.deepEqual(variance(21, 27, 10), { planned: 21, delivered: 27, diff: 6, pct: 28.57, beyond: true });
    });
    it('exactly at the tolerance is within it; hours with nothing planned are beyond', () => {
      assert.equal(variance(20, 22, 10).beyond, false);
      assert.equal(variance(0, 2, 10).beyond, true);
    });
  });

  describe('banking', () => {
    const p = { start: '2026-12-21', end: '2026-12-27' };
    it('banks unused hours up to the limit and forfeits the rest', () => {
      const s = bankStep([{ hours: 8, expires: '2027-02-01' }], p, 21, 15, rules);
      assert.deepEqual([s.banked, s.forfeited, s.balance], [2, 4, 10]);
    });
    it('draws over-delivery from the oldest lot; what the bank cannot cover is excess', () => {
      const s = bankStep([{ hours: 1, expires: '2027-02-01' }, { hours: 2, expires: '2027-03-01' }], p, 21, 27, rules);
      assert.deepEqual([s.drawn, s.excess, s.balance], [3, 3, 0]);
    });
    it('lets lots expire after the council’s weeks', () => {
      const s = bankStep([{ hours: 4, expires: '2026-12-20' }], p, 21, 25, rules);
      assert.deepEqual([s.expired, s.drawn, s.excess], [4, 0, 4]);
    });
    it('banks nothing when the council allows no banking', () => {
      assert.equal(bankStep([], p, 21, 15, { bankMaxHours: 10, bankMaxWeeks: 0 }).banked, 0);
    });
  });

  describe('suspensions and the retainer', () => {
    it('pays the retainer share of each suspended day for the retainer weeks only', () => {
      assert.equal(retainerFor(97, 0, rules), 48.5);
      assert.equal(retainerFor(97, 13, rules), 48.5);
      assert.equal(retainerFor(97, 14, rules), 0);
    });
    it('marks suspended days and leaves days before the start out', () => {
      const s: Suspension[] = [{ id: 's1', reason: 'hospital stay', from: '2026-12-16', to: '2026-12-17', by: 'x', at: 'x' }];
      const days = dayPlans([v(1, '2026-12-14', 21, 525, { startDate: '2026-12-15' })], s, { start: '2026-12-14', end: '2026-12-20' });
      assert.equal(days.length, 6);
      assert.deepEqual(days.filter((d) => d.suspended).map((d) => [d.day, d.suspended!.dayIndex]), [['2026-12-16', 0], ['2026-12-17', 1]]);
    });
  });

  describe('the payable amount: the four weeks of the end-to-end scenario, worked by hand', () => {
    // 21 h at £25 (£525 a week). Week 4: waking nights 7 h at £22 from 4 January (£679, 28 h),
    // and a hospital stay 7–9 January (3 days), retainer 50% for up to 2 weeks.
    const versions = [v(1, '2026-12-14', 21, 525), v(2, '2027-01-04', 28, 679)];
    const suspensions: Suspension[] = [{ id: 's1', reason: 'hospital stay', from: '2027-01-07', to: '2027-01-09', by: 'x', at: 'x' }];
    const returns = [ret('2026-12-14', 21), ret('2026-12-21', 20), ret('2026-12-28', 27), ret('2027-01-04', 16)];
    const s = settle({ versions, suspensions, returns }, rules, '2027-01-10');

    it('has one row per week', () => assert.deepEqual(s.map((x) => x.start), ['2026-12-14', '2026-12-21', '2026-12-28', '2027-01-04']));
    it('week 1: 21 of 21 hours → £525.00', () => assert.deepEqual([s[0].plannedHours, s[0].payableHours, s[0].payable], [21, 21, 525]));
    it('week 2: 20 of 21 (−4.76%, within) → 1 hour banked, £500.00', () => {
      assert.deepEqual([s[1].variance?.beyond, s[1].bank.banked, s[1].bank.balance, s[1].payable], [false, 1, 1, 500]);
    });
    it('week 3: 27 of 21 (+28.57%, beyond) → 1 hour drawn from the bank, 5 excess, 22 hours paid = £550.00', () => {
      assert.deepEqual([s[2].variance?.pct, s[2].variance?.beyond, s[2].bank.drawn, s[2].bank.excess, s[2].payableHours, s[2].payable], [28.57, true, 1, 5, 22, 550]);
    });
    it('week 4: 4 active days of 4 h (£97 each) = 16 h, £388.00; 3 suspended days × £97 × 50% = £145.50; £533.50', () => {
      assert.deepEqual([s[3].plannedHours, s[3].plannedCost, s[3].suspendedDays, s[3].retainer, s[3].payableHours, s[3].payable, s[3].versions], [16, 388, 3, 145.5, 16, 533.5, [2]]);
    });
    it('the four weeks: 79 planned hours, 84 delivered, 79 paid, £2,108.50', () => {
      const sum = (f: (x: (typeof s)[number]) => number) => Math.round(s.reduce((t, x) => t + f(x), 0) * 100) / 100;
      assert.deepEqual([sum((x) => x.plannedHours), sum((x) => x.delivered ?? 0), sum((x) => x.payableHours), sum((x) => x.payable)], [79, 84, 79, 2108.5]);
    });
    it('a period with no return pays only its retainer', () => {
      const t = settle({ versions, suspensions, returns: returns.slice(0, 3) }, rules, '2027-01-10');
      assert.deepEqual([t[3].delivered, t[3].payable], [undefined, 145.5]);
    });
    it('four-weekly: one period, the same money', () => {
      const f = settle({ versions, suspensions, returns: [ret('2026-12-14', 84)] }, { ...rules, period: 'four-weekly' }, '2027-01-10');
      assert.equal(f.length, 1);
      // 7 × 3 + ... planned: 21 × 3 + 16 = 79 h, £1,963 + £145.50 retainer; 84 delivered, nothing banked → 79 paid.
      assert.deepEqual([f[0].plannedHours, f[0].plannedCost, f[0].payableHours, f[0].payable, f[0].bank.excess], [79, 1963, 79, 2108.5, 5]);
    });
    it('stops at the end date', () => {
      const ended = settle({ versions: [...versions, v(3, '2027-01-04', 28, 679, { change: 'ended', endDate: '2026-12-27' })], suspensions, returns: returns.slice(0, 2) }, rules, '2027-01-10');
      assert.equal(ended.length, 2);
    });
    it('never drops a period already returned, even after a last day put before it: its hours show, nothing planned or payable (issue 22, 3)', () => {
      const before = settle({ versions: [...versions, v(3, '2027-01-04', 28, 679, { change: 'handed back', endDate: '2026-11-14' })], suspensions: [], returns: returns.slice(0, 1) }, rules, '2027-01-10');
      assert.deepEqual(before.map((p) => [p.start, p.plannedHours, p.delivered, p.payable, p.bank.excess]), [['2026-12-14', 0, 21, 0, 21]]);
    });
    it('a last day is refused before the start, or before the end of a period already returned (issue 22, 3)', () => {
      const a = { startDate: '2026-12-14', started: true, returned: ['2026-12-21', '2026-12-14'], period: 'weekly' as const };
      assert.equal(lastDayProblem(a, '2026-11-14'), 'the last day cannot be before the start (2026-12-14)');
      assert.equal(lastDayProblem(a, '2026-12-16'), 'the last day cannot be before 2026-12-27: the return for the period from 2026-12-21 is in');
      assert.equal(lastDayProblem(a, '2026-12-27'), undefined);
      assert.equal(lastDayProblem({ ...a, started: false, returned: [] }, '2026-11-14'), undefined, 'a package that never started can end before the day it was to start');
    });
  });
});
