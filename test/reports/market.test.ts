import assert from 'node:assert/strict';
import { demandIn, gapReasons, marketReport, marketSpan, monthsEnding, type Cell } from '../../src/reports/market.js';
import { marketData, NOVEMBER } from './marketDataset.js';

/** The market report's figures against the data set worked by hand (test/reports/marketDataset.ts). */
describe('reports/market: gaps by lot × zone (issue 25)', () => {
  const report = marketReport(marketData(), NOVEMBER);
  const cell = (lot: string, zone: string): Cell => report.cells.find((c) => c.lot === lot && c.zone === zone)!;

  it('looks at the period and the two months before it for persistence', () => {
    assert.deepEqual(monthsEnding('2026-11-22', 3).map((m) => [m.from, m.to]), [['2026-09-01', '2026-09-30'], ['2026-10-01', '2026-10-31'], ['2026-11-01', '2026-11-22']]);
    assert.deepEqual(monthsEnding('2027-01-15', 2).map((m) => m.label), ['Dec 2026', 'Jan 2027']);
    assert.deepEqual(marketSpan(NOVEMBER, { persistMonths: 3 }), { from: '2026-09-01', to: '2026-11-30' });
  });

  it('Autism in Radcliffe: every figure, worked by hand', () => {
    const c = cell('autism', 'radcliffe');
    const d = c.demand;
    // Published in November: A1 (0103), A2 (0104), A3 (0105). A3 is still open, so 2 closed.
    assert.equal(d.callOffs, 3);
    assert.equal(d.closed, 2);
    // First-round bids: A1 none, A2 Caring Hands: 1 bid; one call-off with none, one with one.
    assert.deepEqual([d.bids, d.noBid, d.oneBid], [1, 1, 1]);
    // A1 cascaded to 2 neighbouring zones, 1 provider, and ended off-contract.
    assert.deepEqual([d.cascades, d.cascadeZones, d.cascadeProviders, d.cascadeAwarded, d.cascadeOffContract], [1, 2, 1, 0, 1]);
    // A1 was placed on 20 Nov: 20–30 Nov is 11 days, 11 ÷ 7 = 1.57 → 1.6 weeks.
    assert.deepEqual([d.offContract, d.offContractWeeks, d.handBacks], [1, 1.6, 0]);
    // Started in November: O1 (submitted 1 Oct, started 2 Nov: 32 days), A1 (1 Nov → 20 Nov: 19 days). Median (19 + 32) ÷ 2 = 25.5.
    assert.deepEqual([...d.daysToStart].sort((a, b) => a - b), [19, 32]);
    // Admitted: Caring Hands (Oak Tree is suspended); it bid on A2, so active; it said 20 hours on 10 Nov (fresh).
    assert.deepEqual(c.supply, { admitted: 1, active: 1, capacityYes: 1, capacityHours: 20, capacityNo: 0, capacityStale: 0 });
    // Awarded in November: A2 at £24/h against the default model's £32.14: below.
    assert.deepEqual([c.awards, c.medianRate, c.belowModel, c.modelRate], [1, 24, 1, 32.14]);
    // Gap: no bid 1 of 2 = 50% ≥ 20%; one or none 2 of 2 = 100% ≥ 50%; 1 off-contract ≥ 1 (shown "<5"); 1 admitted < 2.
    assert.deepEqual(c.reasons, ['no bid on 50% of closed call-offs (gap from 20%)', 'one bid or none on 100% (gap from 50%)', 'off-contract placements: <5 (gap from 1)', '1 provider admitted (gap below 2)']);
    // September (S1: no bid), October (O1: one bid) and November were each a gap: it persists.
    assert.deepEqual(c.monthGaps, [true, true, true]);
    assert.equal(c.persistent, true);
  });

  it('Learning disability in Bury East: a gap this month only; a hand-back; a stale declaration', () => {
    const c = cell('learning-disability', 'bury-east');
    const d = c.demand;
    // L1 (0106): Caring Hands and BrightPath bid (Signing Hands withdrew); M1 (0107, two lots): no bid.
    assert.deepEqual([d.callOffs, d.closed, d.bids, d.noBid, d.oneBid], [2, 2, 2, 1, 0]);
    // X (0042) was handed back on 18 Nov; L1 started 23 Nov, 24 days after its submission on 30 Oct.
    assert.deepEqual([d.handBacks, d.daysToStart], [1, [24]]);
    // Both admitted providers bid; BrightPath's "no" of 1 Aug is over 8 weeks old: stale.
    assert.deepEqual(c.supply, { admitted: 2, active: 2, capacityYes: 0, capacityHours: 0, capacityNo: 0, capacityStale: 1 });
    // BrightPath awarded at £34/h, above the £32.14 model.
    assert.deepEqual([c.awards, c.medianRate, c.belowModel], [1, 34, 0]);
    // No bid 1 of 2 = 50% ≥ 20%; one or none 1 of 2 = 50% ≥ 50%; 1 hand-back < 2; median 24 ≤ 28.
    assert.deepEqual(c.reasons, ['no bid on 50% of closed call-offs (gap from 20%)', 'one bid or none on 50% (gap from 50%)']);
    // Nothing was published there in September or October: not a gap then, so it does not persist.
    assert.deepEqual(c.monthGaps, [false, false, true]);
    assert.equal(c.persistent, false);
  });

  it('a package in two lots counts in each lot’s cell; a cell with nothing is no gap', () => {
    const autism = cell('autism', 'bury-east');
    assert.deepEqual([autism.demand.callOffs, autism.demand.noBid], [1, 1]);
    assert.deepEqual(autism.reasons, ['no bid on 100% of closed call-offs (gap from 20%)', 'one bid or none on 100% (gap from 50%)', '1 provider admitted (gap below 2)']);
    const empty = cell('learning-disability', 'radcliffe');
    assert.equal(empty.demand.callOffs, 0);
    assert.deepEqual(empty.reasons, []);
    // Caring Hands is admitted there and said it can take 20 hours in Radcliffe.
    assert.deepEqual([empty.supply.admitted, empty.supply.capacityYes], [1, 1]);
  });

  it('totals count each call-off, placement, hand-back and start once', () => {
    // 5 call-offs in November (A1, A2, A3, L1, M1; M1 once though in two lots); 4 closed; no bid: A1, M1;
    // one bid: A2; first-round bids 1 + 2 + 0 = 3. Starts: 19, 32, 24 → median 24. Awards: A2 (below), L1.
    assert.deepEqual(report.totals, {
      callOffs: 5,
      closed: 4,
      noBid: 2,
      oneBid: 1,
      bids: 3,
      cascades: 1,
      offContract: 1,
      offContractWeeks: 1.6,
      handBacks: 1,
      starts: 3,
      medianDaysToStart: 24,
      awards: 2,
      belowModel: 1,
      cellsWithDemand: 3,
      gaps: 3,
      persistent: 1,
    });
    assert.deepEqual(report.gaps.map((c) => `${c.lot}/${c.zone}`), ['autism/radcliffe', 'autism/bury-east', 'learning-disability/bury-east']);
  });

  it('follows the council’s own rules: thresholds, persistence and the small-number threshold', () => {
    const strict = marketReport(marketData({ noBidPct: 60, thinPct: 100, minProviders: 1, offContract: 2, smallNumber: 1 }), NOVEMBER);
    const ld = strict.cells.find((c) => c.lot === 'learning-disability' && c.zone === 'bury-east')!;
    assert.deepEqual(ld.reasons, [], '50% no bid is under 60%, 50% thin is under 100%');
    const ar = strict.cells.find((c) => c.lot === 'autism' && c.zone === 'radcliffe')!;
    assert.deepEqual(ar.reasons, ['one bid or none on 100% (gap from 100%)']);
    // October (O1: one bid of one) is still a gap month, September (S1: none of one) too.
    assert.equal(ar.persistent, true);
    const twoMonths = marketReport(marketData({ persistMonths: 2 }), NOVEMBER).cells.find((c) => c.lot === 'learning-disability' && c.zone === 'bury-east')!;
    assert.deepEqual(twoMonths.monthGaps, [false, true]);
    assert.match(gapReasons({ ...demandIn(marketData(), NOVEMBER).get('autism|radcliffe')! }, 1, { ...marketData().rules, smallNumber: 1 }).join(' '), /off-contract placements: 1 \(gap from 1\)/);
  });
});
