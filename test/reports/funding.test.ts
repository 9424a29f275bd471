/**
 * The payments export and the contracts report by funder (issue 24), worked by hand: a £525 a week
 * package (£75 a day) paid 60% council / 40% ICB, changed to 50/50 from Thursday 24 December, with
 * Saturday–Sunday 26–27 December suspended (retainer 50%).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_RULES } from '../../src/domain/agreement.js';
import { agreement } from './agreementFixture.js';
import type { FundingSplit } from '../../src/domain/funding.js';
import type { AgreementData } from '../../src/reports/agreementData.js';
import { FUNDER_COLUMNS, FUNDER_TOTAL_COLUMNS, funderTotals, paymentFiles, paymentRows, paymentTotals } from '../../src/reports/payments.js';
import { contractsReport } from '../../src/reports/contracts.js';

const split = (percent: number, from?: string): FundingSplit => ({ shares: [{ partnerId: 'nhs-example-icb', percent, basis: 'chc', lawfulBasis: false }], from, n: from ? 1 : undefined, reason: 'CHC, agreed at the joint panel', by: 'sam', byName: 'Sam Patel', at: 'x' });
const joint = agreement({
  returns: [
    { periodStart: '2026-12-14', hours: 21, source: 'card', by: 'p', at: 'x', corrections: [] },
    { periodStart: '2026-12-21', hours: 12, source: 'card', by: 'p', at: 'x', corrections: [] },
  ],
  suspensions: [{ id: 's1', reason: 'hospital stay', from: '2026-12-26', to: '2026-12-27', by: 'sam', at: 'x' }],
  funding: [split(40), split(50, '2026-12-24')],
});
const data: AgreementData = { agreements: [joint], rules: { ...DEFAULT_RULES, period: 'weekly' }, caseRefs: new Map([['PKG-2026-0001', 'LAS-400123']]), funderNames: new Map([['nhs-example-icb', 'NHS Example ICB']]) };
const period = { from: '2026-12-14', to: '2026-12-27' };

describe('reports by funder (joint funding, issue 24)', () => {
  it('splits each period by the split in force each day, a suspended day at its retainer; the parts add up to the whole', () => {
    // Week 1: 21 h of 21 returned, £525.00 at 60/40: £315.00 and £210.00.
    // Week 2: planned Mon–Fri 5 × £75 = £375.00; Sat–Sun suspended: retainer 2 × £75 × 50% = £75.00; 12 h returned: 12 × £25 + £75 = £375.00.
    // Its weights: Mon–Wed 3 × (£45 / £30), Thu–Fri 2 × (£37.50 / £37.50), Sat–Sun 2 × 50% × (£37.50 / £37.50) = £247.50 / £202.50 of £450.
    // Planned £375 × 247.5/450 = £206.25 / £168.75; retainer £75 → £41.25 / £33.75; payable £375 → £206.25 / £168.75.
    const rows = paymentRows(data, period);
    assert.deepEqual(rows.map((r) => [r.p.start, r.p.plannedCost, r.p.retainer, r.p.payable]), [['2026-12-14', 525, 0, 525], ['2026-12-21', 375, 75, 375]]);
    assert.deepEqual(rows[1].funders, [
      { funder: 'council', plannedCost: 206.25, retainer: 41.25, payable: 206.25 },
      { funder: 'nhs-example-icb', plannedCost: 168.75, retainer: 33.75, payable: 168.75 },
    ]);
    const files = paymentFiles(rows, period);
    const all = files.find((f) => f.filename.endsWith('-all.csv'))!.csv.trim().split('\r\n');
    assert.ok(all[0].endsWith(',payable_hours,payable_amount,funder_amounts'), 'the new column is the last');
    assert.ok(all[2].endsWith(',375.00,council=206.25;nhs-example-icb=168.75'), all[2]);

    const byFunder = files.find((f) => f.filename.endsWith('-funders.csv'))!.csv.trim().split('\r\n');
    assert.equal(byFunder[0], `${FUNDER_COLUMNS.map((c) => c.name).join(',')}`);
    assert.deepEqual(byFunder.slice(1).map((l) => l.split(',').slice(4).join(',')), [
      'council,The council,PKG-2026-0001,LAS-400123,Caring Hands Ltd,315.00,0.00,315.00',
      'nhs-example-icb,NHS Example ICB,PKG-2026-0001,LAS-400123,Caring Hands Ltd,210.00,0.00,210.00',
      'council,The council,PKG-2026-0001,LAS-400123,Caring Hands Ltd,206.25,41.25,206.25',
      'nhs-example-icb,NHS Example ICB,PKG-2026-0001,LAS-400123,Caring Hands Ltd,168.75,33.75,168.75',
    ]);
  });

  it('totals per funder add up to the total payable: £521.25 + £378.75 = £900.00', () => {
    const rows = paymentRows(data, period);
    assert.deepEqual(funderTotals(rows).map((t) => [t.funderName, t.rows, t.plannedCost, t.retainer, t.payable]), [
      ['The council', 2, 521.25, 41.25, 521.25],
      ['NHS Example ICB', 2, 378.75, 33.75, 378.75],
      ['All funders', 2, 900, 75, 900],
    ]);
    assert.equal(paymentTotals(rows).total.payable, 900);
  });

  it('the contracts report shows committed (planned + retainer) and delivered spend by funder', () => {
    // Council: committed £315 + £206.25 + £41.25 = £562.50, delivered £521.25; ICB: £210 + £168.75 + £33.75 = £412.50, delivered £378.75.
    assert.deepEqual(contractsReport(data, period).byFunder, [
      { key: 'The council', committed: 562.5, delivered: 521.25 },
      { key: 'NHS Example ICB', committed: 412.5, delivered: 378.75 },
    ]);
  });

  it('a package paid by the council alone has one part, all of it', () => {
    const [row] = paymentRows({ ...data, agreements: [agreement()] }, { from: '2026-12-14', to: '2026-12-20' });
    assert.deepEqual(row.funders, [{ funder: 'council', plannedCost: 525, retainer: 0, payable: 525 }]);
  });

  it('docs/funding.md documents the funder files’ columns, in file order', () => {
    const doc = readFileSync('docs/funding.md', 'utf8');
    for (const [heading, cols] of [['-funders.csv', FUNDER_COLUMNS], ['-funder-totals.csv', FUNDER_TOTAL_COLUMNS]] as const) {
      const from = doc.indexOf(heading);
      const at = cols.map((c) => doc.indexOf(`| \`${c.name}\` |`, from));
      assert.ok(from > 0 && at.every((i) => i > 0), `${heading}: undocumented ${cols.filter((_, i) => at[i] < 0).map((c) => c.name).join(', ')}`);
      assert.deepEqual(at, [...at].sort((a, b) => a - b), 'in file order');
    }
  });
});
