import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Agreement } from '../../src/domain/agreement.js';
import { DEFAULT_RULES } from '../../src/domain/agreement.js';
import { agreement, version } from './agreementFixture.js';
import type { AgreementData } from '../../src/reports/agreementData.js';
import { PAYMENT_COLUMNS, paymentFiles, paymentRows, paymentTotals, TOTAL_COLUMNS } from '../../src/reports/payments.js';
import { contractsReport } from '../../src/reports/contracts.js';

// An off-contract placement from 21 December at £610 a week (7 × £610/7 = £610 a week, paid as planned).
const acme = agreement({ id: 'AGR-PKG-2026-0002', ref: 'PKG-2026-0002', providerId: undefined, providerName: 'Acme Care', offContract: true, lots: ['autism'], zone: 'radcliffe', returns: [], versions: [version({ startDate: '2026-12-21', effectiveFrom: '2026-12-21', weeklyCost: 610, hoursPerWeek: 21 })] });
const data = (agreements: Agreement[]): AgreementData => ({ agreements, rules: { ...DEFAULT_RULES, period: 'weekly', frameworkMinAnnual: 36500, frameworkMaxAnnual: 73000 }, caseRefs: new Map([['PKG-2026-0001', 'LAS-400123'], ['PKG-2026-0002', 'LAS-400999']]) });
const period = { from: '2026-12-14', to: '2026-12-27' };

describe('reports/payments and reports/contracts', () => {
  it('one row per agreement and period starting in the dates, worked by hand', () => {
    const rows = paymentRows(data([agreement(), acme]), period);
    assert.deepEqual(
      rows.map((r) => [r.a.ref, r.p.start, r.p.delivered, r.p.payable]),
      [
        ['PKG-2026-0002', '2026-12-21', 21, 610], // Acme sorts first by name; off-contract: paid as planned
        ['PKG-2026-0001', '2026-12-14', 21, 525],
        ['PKG-2026-0001', '2026-12-21', 18, 450], // 18 × £25; 3 h banked
      ],
    );
    assert.equal(paymentRows(data([agreement()]), { from: '2026-12-15', to: '2026-12-27' }).length, 1, 'a period that started before the dates is in an earlier export');
    assert.equal(paymentRows(data([agreement({ status: 'awaiting_start' })]), period).length, 0);
  });

  it('totals per provider and in all; a missing return is counted', () => {
    const noReturn = agreement({ returns: [] });
    const { providers, total } = paymentTotals(paymentRows(data([noReturn, acme]), period));
    assert.deepEqual(providers.map((p) => [p.providerName, p.payable, p.missingReturns]), [['Acme Care', 610, 0], ['Caring Hands Ltd', 0, 2]]);
    assert.deepEqual([total.rows, total.plannedHours, total.payable], [3, 63, 610]);
  });

  it('files: one per provider, all rows, totals; only the case reference as personal detail; free text guarded', () => {
    const evil = agreement({ providerName: '=HYPERLINK("x")' });
    const files = paymentFiles(paymentRows(data([evil, acme]), period), period);
    // Rows sort by provider name, and "=" sorts before "A".
    assert.deepEqual(files.map((f) => f.filename), ['payments-2026-12-14-to-2026-12-27-caring-hands.csv', 'payments-2026-12-14-to-2026-12-27-off-contract-acme-care.csv', 'payments-2026-12-14-to-2026-12-27-all.csv', 'payments-2026-12-14-to-2026-12-27-totals.csv', 'payments-2026-12-14-to-2026-12-27-funders.csv', 'payments-2026-12-14-to-2026-12-27-funder-totals.csv']);
    const all = files[2].csv;
    assert.ok(all.startsWith('\uFEFFexport_from,export_to,period_start,'));
    assert.match(all, /"'=HYPERLINK\(""x""\)"/);
    assert.match(all, /LAS-400123/);
    assert.match(files[3].csv, /All providers,3,63\.00,60\.00,60\.00,0\.00,1585\.00,0\r\n$/);
  });

  it('docs/agreements.md documents every column, in the order of the file (the columns are a contract with finance)', () => {
    const readme = readFileSync('docs/agreements.md', 'utf8');
    const documented = (cols: { name: string }[]) => cols.map((c) => readme.indexOf(`| \`${c.name}\` |`, readme.indexOf('### Payments export')));
    for (const cols of [PAYMENT_COLUMNS, TOTAL_COLUMNS]) {
      const at = documented(cols);
      assert.ok(at.every((i) => i > 0), `undocumented: ${cols.filter((_, i) => at[i] < 0).map((c) => c.name).join(', ')}`);
    }
    const pay = documented(PAYMENT_COLUMNS);
    assert.deepEqual(pay, [...pay].sort((a, b) => a - b), 'in file order');
  });

  it('contracts: committed against delivered by provider, lot (split) and zone; framework limits pro rata; off-contract weeks', () => {
    const r = contractsReport(data([agreement({ reviews: [{ id: 'v', kind: 'variance', text: '18 of 21', at: '2026-12-28T09:00:00Z' }] }), acme]), period);
    assert.deepEqual(r.byProvider, [
      { key: 'Caring Hands Ltd', committed: 1050, delivered: 975 },
      { key: 'Acme Care (off-contract)', committed: 610, delivered: 610 },
    ]);
    assert.deepEqual(r.byLot, [
      { key: 'autism', committed: 1135, delivered: 1097.5 },
      { key: 'learning-disability', committed: 525, delivered: 487.5 },
    ]);
    // £36,500 to £73,000 a year is £1,400 to £2,800 for 14 days; framework spend excludes Acme.
    assert.deepEqual(r.framework, { spend: 975, min: 1400, max: 2800, days: 14, status: 'below minimum' });
    assert.deepEqual(r.offContract, [{ ref: 'PKG-2026-0002', provider: 'Acme Care', weeks: 1, cost: 610 }]);
    assert.deepEqual(r.needingReview.map((x) => x.ref), ['PKG-2026-0001']);
  });
});

describe('reports/contracts: ended agreements with a return missing do not vanish (issue 22, 12)', () => {
  const flag = { id: 'missing:2026-12-21', kind: 'missing return' as const, periodStart: '2026-12-21', text: '2026-12-21 to 2026-12-27: no delivered-hours return', at: '2026-12-31T09:00:00Z' };
  const ended = agreement({ status: 'ended', ending: { on: '2026-12-27', reason: 'moved', kind: 'ended', by: 'sam', at: '2026-12-28T10:00:00Z' }, returns: agreement().returns.slice(0, 1), reviews: [flag] });
  const review = (a: Agreement, from: string, to: string) => contractsReport(data([a]), { from, to }).needingReview;

  it('shows an ended agreement with the missing-return review raised in the period, naming its last day', () => {
    assert.deepEqual(review(ended, '2026-12-28', '2027-01-10'), [{ ref: 'PKG-2026-0001', provider: 'Caring Hands Ltd', ended: '2026-12-27', reasons: ['missing return: 2026-12-21 to 2026-12-27: no delivered-hours return'] }]);
  });
  it('keeps it in later periods while the return is still missing, and lets it go once the return is in', () => {
    assert.deepEqual(review(ended, '2027-02-01', '2027-02-28').map((x) => x.reasons), [['missing return (still missing): 2026-12-21 to 2026-12-27: no delivered-hours return']]);
    assert.deepEqual(review({ ...ended, returns: agreement().returns }, '2027-02-01', '2027-02-28'), []);
  });
  it('a running agreement’s missing return stays in view the same way; an ended one has no review date due', () => {
    assert.equal(review({ ...ended, status: 'active', ending: undefined }, '2027-02-01', '2027-02-28').length, 1);
    assert.deepEqual(review({ ...ended, reviews: [], versions: [version({ reviewDate: '2027-01-05' })] }, '2027-01-01', '2027-01-31'), []);
  });
});

describe('reports/payments: no cell Excel would run as a formula (review)', () => {
  it('finance codes typed as "-2-3" or "+44" (the codes allow - and digits) are written as text; numbers stay numbers', () => {
    const a = agreement({ versions: [version({ financeCodes: { costCentre: '-2-3', providerFinanceId: '-1+1' } })] });
    const files = paymentFiles(paymentRows(data([a]), period), period);
    const all = files.find((f) => f.filename.endsWith('-all.csv'))!.csv;
    const cells = all.split('\r\n')[1].split(',');
    const col = (name: string) => cells[PAYMENT_COLUMNS.findIndex((c) => c.name === name)];
    assert.equal(col('cost_centre'), "'-2-3");
    assert.equal(col('provider_finance_id'), "'-1+1");
    assert.equal(col('planned_hours'), '21.00');
    for (const f of files) for (const line of f.csv.replace(/^\uFEFF/, '').split('\r\n')) for (const cell of line.split(',')) assert.ok(!/^[=+@]/.test(cell) && !/^-(?!\d+(\.\d+)?$)/.test(cell), `${f.filename}: ${cell}`);
  });
});
