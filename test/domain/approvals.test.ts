import assert from 'node:assert/strict';
import { ApprovalScheme, DEFAULT_SCHEME, levelFor, packageAmounts, variationAmounts } from '../../src/domain/approvals.js';

describe('domain/approvals: the scheme of delegation', () => {
  it('by default a manager approves up to £1,500 a week and £100,000 committed; a head of service to £250,000 a year; a director above', () => {
    assert.deepEqual(DEFAULT_SCHEME.levels.map((l) => l.id), ['manager', 'head-of-service', 'director']);
    assert.equal(levelFor(DEFAULT_SCHEME, packageAmounts(650)).index, 0, '£650 a week for a year is £33,800');
    const weekly = levelFor(DEFAULT_SCHEME, packageAmounts(1800));
    assert.equal(weekly.index, 1);
    assert.deepEqual(weekly.why, ["£1,800.00 a week is above Manager's £1,500.00 a week"]);
    const long = levelFor(DEFAULT_SCHEME, packageAmounts(1200, 104));
    assert.equal(long.index, 1, '£1,200 for two years is £124,800 committed');
    assert.match(long.why.join(), /£124,800\.00 committed is above Manager's £100,000\.00/);
    const big = levelFor(DEFAULT_SCHEME, packageAmounts(5000));
    assert.equal(big.index, 2);
    assert.match(big.why.join('; '), /£260,000\.00 a year is above Head of service's £250,000\.00 a year/);
  });

  it('a variation counts the new weekly cost and the commitment it adds', () => {
    const a = variationAmounts(525, 679, 10, 10);
    assert.deepEqual([a.weekly, a.weeklyBefore, a.commitment], [679, 525, 1540]);
    const open = variationAmounts(1400, 1600, undefined, undefined);
    assert.deepEqual([open.commitment, open.openEnded, levelFor(DEFAULT_SCHEME, open).index], [10400, true, 1]);
    const longer = variationAmounts(500, 500, 4, 10);
    assert.equal(longer.commitment, 3000, 'six weeks more at £500');
  });

  it('refuses a scheme whose top level has limits, whose levels go down, or that escalates before it reminds', () => {
    const bad = (levels: unknown[], extra = {}) => ApprovalScheme.safeParse({ ...DEFAULT_SCHEME, levels, ...extra });
    const top = bad([{ id: 'a', name: 'Manager', weeklyLimit: 1000 }, { id: 'b', name: 'Director', weeklyLimit: 2000 }]);
    assert.match(JSON.stringify(top.error?.issues), /the top level \(Director\) decides whatever is above the others/);
    const down = bad([{ id: 'a', name: 'Manager', weeklyLimit: 1000 }, { id: 'b', name: 'Head', weeklyLimit: 500 }, { id: 'c', name: 'Director' }]);
    assert.match(JSON.stringify(down.error?.issues), /Head's weekly limit is below Manager's/);
    assert.match(JSON.stringify(bad(DEFAULT_SCHEME.levels, { remindAfterHours: 24, escalateAfterHours: 16 }).error?.issues), /escalation must come after the reminder/);
  });
});
