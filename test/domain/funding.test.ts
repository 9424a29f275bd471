/**
 * Joint funding's split to the penny (src/domain/funding.ts), checked against examples worked by
 * hand in the comments. The rule: each funder gets floor(amount × weight ÷ total weight) pence; the
 * pence left over go one each to the largest remainders, ties to the one listed first (the council).
 */
import assert from 'node:assert/strict';
import type { AgreementVersion, Element, Suspension } from '../../src/domain/agreement.js';
import { settle } from '../../src/domain/agreementRules.js';
import { periodWeights, splitPence, splitPounds, splitProblem, SplitInput, splitWords, weeklyWeights, type FundingSplit } from '../../src/domain/funding.js';
import { settlementSplit } from '../../src/domain/fundingPeriods.js';

const split = (shares: FundingSplit['shares'], from?: string): FundingSplit => ({ shares, from, reason: 'Agreed at the joint panel', by: 'x', byName: 'X', at: '2026-01-01T00:00:00Z' });
const icb = (percent: number, from?: string) => split([{ partnerId: 'icb', percent, basis: 'chc', lawfulBasis: true }], from);
const support = (hours: number, rate = 25): Element => ({ name: 'Day support', hoursPerWeek: hours, hourlyRate: rate });
const version = (n: number, from: string, elements: Element[], start = '2026-03-02'): AgreementVersion => ({
  version: n,
  change: n === 1 ? 'created' : 'variation',
  effectiveFrom: from,
  elements,
  hoursPerWeek: elements.reduce((t, e) => t + e.hoursPerWeek, 0),
  weeklyCost: elements.reduce((t, e) => t + e.hoursPerWeek * e.hourlyRate, 0),
  startDate: start,
  financeCodes: { costCentre: '', providerFinanceId: '' },
  summary: '',
  by: 'x',
  at: '2026-01-01T00:00:00Z',
});
const weekly = { period: 'weekly' as const, tolerancePct: 10, bankMaxHours: 0, bankMaxWeeks: 0, retainerPct: 50, retainerWeeks: 2 };
const returned = (periodStart: string, hours: number) => ({ periodStart, hours, source: 'card' as const, by: 'p', at: '', corrections: [] });

describe('joint funding: the split to the penny', () => {
  it('60% council / 40% ICB of £525.00 a week: £315.00 and £210.00, nothing to round', () => {
    // 52,500p × 60% = 31,500p; × 40% = 21,000p.
    assert.deepEqual(splitPounds(525, weeklyWeights(icb(40), [support(21)])), [315, 210]);
  });

  it('£100.01 at 60/40: the odd penny goes to the larger remainder (the council), £60.01 and £40.00', () => {
    // 10,001p × 0.6 = 6,000.6 → 6,000 (rest .6); × 0.4 = 4,000.4 → 4,000 (rest .4); 1p left → the council.
    assert.deepEqual(splitPence(10001, weeklyWeights(icb(40), [support(4, 25.0025)])), [6001, 4000]);
    assert.deepEqual(splitPounds(100.01, [6000n, 4000n]), [60.01, 40]);
  });

  it('£0.01 at 50/50: a tie goes to the funder listed first, the council; £1.00 in three never loses a penny', () => {
    assert.deepEqual(splitPence(1, [1n, 1n]), [1, 0]);
    // 100p in thirds: 33 each (rest ⅓ each), 1p left → the first listed.
    assert.deepEqual(splitPence(100, [1n, 1n, 1n]), [34, 33, 33]);
    // Two partners at 33.33% each, the council 33.34%, of £123.45:
    const w = weeklyWeights(split([{ partnerId: 'a', percent: 33.33, basis: 'chc', lawfulBasis: false }, { partnerId: 'b', percent: 33.33, basis: 's117', lawfulBasis: false }]), [support(1, 123.45)]);
    // council 12,345 × 0.3334 = 4,115.823 → 4,115 (.823); a and b 12,345 × 0.3333 = 4,114.5885 → 4,114 (.5885 each); 2p left → council, then a.
    assert.deepEqual(splitPence(12345, w), [4116, 4115, 4114]);
  });

  it('the ICB pays the waking nights: £154.00 of £679.00 a week; the council the £525.00 rest', () => {
    const els = [support(21), { name: 'Waking night', hoursPerWeek: 7, hourlyRate: 22 }];
    const s = split([{ partnerId: 'icb', elements: ['waking night'], basis: 's117', lawfulBasis: false }]);
    assert.equal(splitProblem(s, els), undefined);
    assert.deepEqual(splitPounds(679, weeklyWeights(s, els)), [525, 154]);
    assert.match(splitProblem(split([{ partnerId: 'icb', elements: ['Sleep-in'], basis: 's117', lawfulBasis: false }]), els)!, /the package has no element "Sleep-in"/);
    assert.equal(splitWords(s, () => 'NHS Example ICB'), 'NHS Example ICB pays waking night (Section 117 aftercare); the council pays the rest.');
    assert.equal(splitWords(icb(40), () => 'NHS Example ICB'), 'The council 60%; NHS Example ICB 40% (NHS Continuing Healthcare (CHC)).');
  });

  it('a mid-period change of split (60/40 to 50/50 from the Thursday) splits the week day by day: £500.00 payable is £271.43 and £228.57', () => {
    // Week Mon 2 – Sun 8 March 2026, £525 a week = £75 a day. Mon–Wed at 60/40: council 3 × £45 = £135, ICB 3 × £30 = £90;
    // Thu–Sun at 50/50: 4 × £37.50 = £150 each. Planned £525.00 → council £285.00, ICB £240.00.
    const a = { versions: [version(1, '2026-03-02', [support(21)])], suspensions: [], returns: [returned('2026-03-02', 20)], funding: [icb(40, '2026-03-02'), icb(50, '2026-03-05')] };
    const [p] = settle(a, weekly, '2026-03-08');
    assert.equal(p.plannedCost, 525);
    // 20 h delivered of 21 at £25: £500.00. Council 50,000 × 285/525 = 27,142.857 → 27,142 (.857); ICB 50,000 × 240/525 = 22,857.143 → 22,857 (.143); 1p → council.
    assert.equal(p.payable, 500);
    assert.deepEqual(settlementSplit(a, p, weekly), [
      { funder: 'council', plannedCost: 285, retainer: 0, payable: 271.43 },
      { funder: 'icb', plannedCost: 240, retainer: 0, payable: 228.57 },
    ]);
  });

  it('a mid-period variation of hours (21 h to 28 h from the Thursday) at 40% keeps each day at 60/40: £625.00 planned is £375.00 and £250.00', () => {
    // Mon–Wed 3 × £75 = £225; Thu–Sun 4 × £100 = £400; £625 at 60/40.
    const a = { versions: [version(1, '2026-03-02', [support(21)]), version(2, '2026-03-05', [support(28)])], suspensions: [], returns: [], funding: [icb(40)] };
    const [p] = settle(a, weekly, '2026-03-08');
    assert.equal(p.plannedCost, 625);
    assert.deepEqual(settlementSplit(a, p, weekly).map((x) => x.plannedCost), [375, 250]);
  });

  it('a suspension: £100 a week at 66.67/33.33 with Sat–Sun suspended (retainer 50%) splits planned £71.43, retainer £14.29 and payable £85.71 to the penny', () => {
    // 5 planned days of £100/7: £71.428… → £71.43; 2 suspended days at 50%: £14.285… → £14.29. 3 h delivered of 2.857 planned:
    // paid 2.857 h × £25 + £14.2857 = £85.714… → £85.71.
    // Planned 7,143p: council × .6667 = 4,762.2381 (rest .2381), ICB × .3333 = 2,380.7619 (rest .7619) → 1p to the ICB: £47.62 / £23.81.
    // Retainer 1,429p: 952.7143 (.7143) / 476.2857 (.2857) → 1p to the council: £9.53 / £4.76.
    // Payable 8,571p: 5,714.2857 (.2857) / 2,856.7143 (.7143) → 1p to the ICB: £57.14 / £28.57.
    const suspension: Suspension = { id: 's1', reason: 'hospital stay', from: '2026-03-07', to: '2026-03-08', by: 'x', at: '' };
    const a = { versions: [version(1, '2026-03-02', [support(4)])], suspensions: [suspension], returns: [returned('2026-03-02', 3)], funding: [icb(33.33)] };
    const [p] = settle(a, weekly, '2026-03-08');
    assert.deepEqual([p.plannedCost, p.retainer, p.payable], [71.43, 14.29, 85.71]);
    const parts = settlementSplit(a, p, weekly);
    assert.deepEqual(parts, [
      { funder: 'council', plannedCost: 47.62, retainer: 9.53, payable: 57.14 },
      { funder: 'icb', plannedCost: 23.81, retainer: 4.76, payable: 28.57 },
    ]);
    for (const k of ['plannedCost', 'retainer', 'payable'] as const) assert.equal(Math.round(parts.reduce((t, x) => t + x[k], 0) * 100), Math.round(p[k] * 100), `${k}: the parts add up to the whole`);
  });

  it('a split that would leave the council nothing is refused; a package with no split is all the council’s', () => {
    assert.match(splitProblem(icb(100), [support(21)])!, /the council, as lead commissioner, keeps a share/);
    assert.deepEqual(periodWeights(undefined, [{ day: '2026-03-02', elements: [support(7)], factor: 1 }]), [17500n * 10000n * 10000n]);
  });
  it('a partner given every element of the package would leave the council nothing: refused as 100% is', () => {
    const els = [support(21), { name: 'Waking night', hoursPerWeek: 7, hourlyRate: 22 }];
    const all = split([{ partnerId: 'icb', elements: ['Day support', 'waking night'], basis: 's117', lawfulBasis: false }]);
    assert.match(splitProblem(all, els)!, /the council, as lead commissioner, keeps a share/);
    assert.equal(splitProblem(split([{ partnerId: 'icb', elements: ['Waking night'], basis: 's117', lawfulBasis: false }]), els), undefined, 'one element of two is fine');
  });
});

describe('joint funding: the share as typed on the card', () => {
  const typed = (percent: string) => SplitInput.safeParse({ partnerId: 'icb', shareKind: 'percent', percent, basis: 'chc', lawfulBasis: 'false', reason: 'CHC eligibility confirmed at the joint panel' });
  const problem = (percent: string) => {
    const r = typed(percent);
    return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };

  it('any share with at most 2 decimals is taken exactly: 0.29%, 4.35%, 1.13%, 0.57%, 8.2%, 1.1%, and every 0.01 step to 99.99', () => {
    for (const ok of ['0.29', '4.35', '1.13', '0.57', '8.2', '1.1', '33.33', '99.99', '0.01']) {
      const r = typed(ok);
      assert.ok(r.success, `${ok}: ${problem(ok)}`);
      assert.equal(r.data.percent, Number(ok));
    }
    const refused = [];
    for (let i = 1; i < 10_000; i++) if (!typed((i / 100).toFixed(2)).success) refused.push(i / 100);
    assert.deepEqual(refused, []);
  });

  it('a share with more than 2 decimals is refused next to the field: 99.999%, 0.005%', () => {
    for (const bad of ['99.999', '0.005', '12.345']) assert.equal(problem(bad), 'percent: give the share to at most 2 decimal places', bad);
  });

  it('"40%" typed in the share field is 40, as percentages are elsewhere on cards', () => {
    for (const t of ['40%', '40 %', ' 40% ']) {
      const r = typed(t);
      assert.ok(r.success, `${t}: ${problem(t)}`);
      assert.equal(r.data.percent, 40);
    }
    assert.equal(problem('forty%'), "percent: the partner's share must be a number (%)");
  });
});
