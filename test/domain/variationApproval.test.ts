import assert from 'node:assert/strict';
import type { AgreementVersion, DeliveredReturn } from '../../src/domain/agreement.js';
import { DEFAULT_RULES } from '../../src/domain/agreement.js';
import { ApprovalScheme, DEFAULT_SCHEME } from '../../src/domain/approvals.js';
import { settle } from '../../src/domain/agreementRules.js';
import { reasonsForProvider, repricedPeriods, variationApproval, type VariationFacts } from '../../src/domain/variationApproval.js';

const facts = (over: Partial<VariationFacts> = {}): VariationFacts => ({
  side: 'provider',
  weeklyBefore: 525,
  weeklyAfter: 525,
  hoursBefore: 21,
  hoursAfter: 21,
  approvedWeekly: 525,
  budgetWeekly: 650,
  effectiveFrom: '2027-01-04',
  today: '2026-12-22',
  repriced: [],
  settledAs: 'returned',
  ...over,
});
const rules = { variationThreshold: 50 };
/** Decided under the council's default scheme of delegation (Manager up to £1,500 a week and £100,000 committed). */
const decide = (f: VariationFacts, scheme = DEFAULT_SCHEME) => variationApproval(f, rules, scheme);
const reasons = (f: VariationFacts) => decide(f).reasons.map((r) => r.rule);

describe('domain/variationApproval: when a variation needs a manager', () => {
  it('a rise over the threshold, or above the budget, needs a manager; a small rise or a cut from today on does not', () => {
    assert.deepEqual(reasons(facts({ weeklyAfter: 679 })), ['rise over threshold', 'above budget']);
    assert.deepEqual(decide(facts({ weeklyAfter: 560 })), { needed: false, reasons: [] });
    assert.match(decide(facts({ weeklyBefore: 600, weeklyAfter: 640, approvedWeekly: 600, budgetWeekly: 620 })).reasons[0].text, /above the £620\.00 personal budget/);
    assert.equal(decide(facts({ weeklyBefore: 700, weeklyAfter: 680 })).needed, false, 'a cut never needs approval');
  });

  it('rises are also measured from the last approved cost, so they cannot be chained past the threshold', () => {
    const f = decide(facts({ weeklyBefore: 567, weeklyAfter: 609 }));
    assert.deepEqual(f.reasons.map((r) => r.text), ['with the rises applied since the last approval it raises the weekly cost by £84.00 (from £525.00), more than the £50.00 threshold']);
  });

  it('a rise from a day already past needs a manager; measured against the terms in force on that day, the same cost as the latest terms is still a rise (issue 22, 2)', () => {
    assert.deepEqual(reasons(facts({ weeklyAfter: 567, effectiveFrom: '2026-12-14' })), ['back-dated rise']);
    assert.deepEqual(reasons(facts({ weeklyAfter: 567, effectiveFrom: '2026-12-22' })), [], 'from today is not back-dated');
  });

  it('any change to the money of a period already returned needs a manager, whatever the weekly cost (issue 22, 1)', () => {
    const f = decide(facts({ effectiveFrom: '2026-12-14', repriced: [{ start: '2026-12-14', plannedBefore: 525, plannedAfter: 525, payableBefore: 262.5, payableAfter: 525 }] }));
    assert.deepEqual(f.reasons, [{ rule: 'settled periods re-priced', text: 'it re-prices the period from 2026-12-14, already returned: payable £262.50 → £525.00' }]);
    const paid = decide(facts({ settledAs: 'paid', repriced: ['2026-12-14', '2026-12-21', '2026-12-28', '2027-01-04'].map((start) => ({ start, plannedBefore: 610, plannedAfter: 500, payableBefore: 610, payableAfter: 500 })) }));
    assert.equal(paid.reasons[0].text, 'it re-prices 4 periods already paid: from 2026-12-14 (payable £610.00 → £500.00), from 2026-12-21 (payable £610.00 → £500.00), from 2026-12-28 (payable £610.00 → £500.00) and 1 more');
  });

  it('a provider moving a fixed term’s end later needs a manager; the council doing so does not', () => {
    assert.deepEqual(reasons(facts({ endBefore: '2027-03-31', endAfter: '2029-12-31' })), ['end date later']);
    assert.deepEqual(reasons(facts({ side: 'council', endBefore: '2027-03-31', endAfter: '2029-12-31' })), []);
  });

  it('the provider reads every reason but the budget, unless the budget was shown to providers (issue 22, 4)', () => {
    const need = decide(facts({ weeklyAfter: 679 }));
    assert.deepEqual(reasonsForProvider(need, false), ['it raises the weekly cost by £154.00, more than the £50.00 threshold']);
    assert.equal(reasonsForProvider(need, true).length, 2);
  });

  it('a rise within the threshold still needs approval when its amounts are above the first level of the scheme of delegation; so does a council extension committing more than a manager may (issue 23)', () => {
    const low = ApprovalScheme.parse({ ...DEFAULT_SCHEME, levels: [{ id: 'manager', name: 'Manager', weeklyLimit: 500 }, { id: 'head-of-service', name: 'Head of service' }] });
    const rise = decide(facts({ side: 'council', weeklyAfter: 550 }), low);
    assert.deepEqual(rise.reasons, [{ rule: 'delegation level', text: "it needs Head of service approval (£550.00 a week is above Manager's £500.00 a week)" }]);
    assert.deepEqual(decide(facts({ side: 'council', weeklyAfter: 550 })).reasons, [], "within the default Manager's limits");
    assert.deepEqual(decide(facts({ side: 'council', weeklyBefore: 600, weeklyAfter: 560 }), low).reasons, [], 'a cut commits nothing more');
    const longer = decide(facts({ side: 'council', endBefore: '2027-03-31', endAfter: '2031-03-31' }));
    assert.match(longer.reasons.map((r) => r.text).join(), /^it needs Head of service approval \(£[\d,.]+ committed is above Manager's £100,000\.00\)$/);
  });

  it('the provider never reads the council’s levels of delegation, even with the budget shown', () => {
    const low = ApprovalScheme.parse({ ...DEFAULT_SCHEME, levels: [{ id: 'manager', name: 'Manager', weeklyLimit: 500 }, { id: 'director', name: 'Director' }] });
    const need = decide(facts({ weeklyAfter: 679 }), low);
    assert.deepEqual(need.reasons.map((r) => r.rule), ['rise over threshold', 'above budget', 'delegation level']);
    assert.deepEqual(reasonsForProvider(need, true), need.reasons.slice(0, 2).map((r) => r.text));
  });

  it('a provider’s cut of the hours, or an earlier end, first needs the council’s agreement; the council’s own cut, or a provider’s rise, does not (issue 23, 5)', () => {
    assert.equal(decide(facts({ hoursAfter: 14, weeklyAfter: 350 })).cut, 'it cuts the hours from 21 to 14 a week');
    assert.equal(decide(facts({ endBefore: '2027-03-31', endAfter: '2027-01-31' })).cut, 'it ends the package on 2027-01-31, before 2027-03-31');
    assert.equal(decide(facts({ endAfter: '2027-01-31' })).cut, 'it ends the package on 2027-01-31', 'ending an open-ended package');
    assert.equal(decide(facts({ side: 'council', hoursAfter: 14, weeklyAfter: 350 })).cut, undefined);
    assert.equal(decide(facts({ hoursAfter: 22, weeklyAfter: 550 })).cut, undefined);
  });
});

describe('domain/variationApproval: which settled periods a change re-prices', () => {
  const version = (n: number, effectiveFrom: string, hours: number, rate: number, over: Partial<AgreementVersion> = {}): AgreementVersion => ({
    version: n,
    change: n === 1 ? 'start confirmed' : 'variation',
    effectiveFrom,
    elements: [{ name: 'Support', hoursPerWeek: hours, hourlyRate: rate }],
    hoursPerWeek: hours,
    weeklyCost: hours * rate,
    startDate: '2026-12-14',
    financeCodes: { costCentre: '', providerFinanceId: '' },
    summary: '',
    by: 'x',
    at: 'x',
    ...over,
  });
  const ret = (periodStart: string, hours: number): DeliveredReturn => ({ periodStart, hours, source: 'card', by: 'p', at: 'x', corrections: [] });
  const money = { ...DEFAULT_RULES, period: 'weekly' as const };
  const base = [version(1, '2026-12-14', 21, 25)];
  const returns = [ret('2026-12-14', 10.5)];
  const settled = (versions: AgreementVersion[]) => settle({ versions, suspensions: [], returns }, money, '2026-12-27');

  it('the same weekly cost as fewer hours at a higher rate re-prices the returned week; the unreturned week is not counted', () => {
    assert.deepEqual(repricedPeriods(settled(base), settled([...base, version(2, '2026-12-14', 10.5, 50)])), [{ start: '2026-12-14', plannedBefore: 525, plannedAfter: 525, payableBefore: 262.5, payableAfter: 525 }]);
  });
  it('a change from after the returned week re-prices nothing', () => {
    assert.deepEqual(repricedPeriods(settled(base), settled([...base, version(2, '2026-12-21', 10.5, 60)])), []);
  });
  it('an end date moved before a returned week counts that week, at nothing payable', () => {
    const cut = repricedPeriods(settled(base), settled([...base, version(2, '2026-12-14', 21, 25, { endDate: '2026-12-13' })]));
    assert.equal(cut.length, 1);
    assert.equal(cut[0].payableBefore, 262.5);
  });
});
