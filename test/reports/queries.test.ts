import assert from 'node:assert/strict';
import { awardsOverTime, cardOf, daysDistribution, equality, headline, median, percentile, providerStats } from '../../src/reports/queries.js';
import { buckets, calendarDays, inPeriod, parsePeriod, PeriodError } from '../../src/reports/period.js';
import { dataset, Q1 } from './dataset.js';

const close = (a: number | undefined, b: number, what: string) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

describe('reports: periods in UK time', () => {
  // 23:30 GMT on 31 March 2026 is 00:30 BST on 1 April: the UK is already in April and in Q2.
  const now = new Date('2026-03-31T23:30:00Z');

  it('this month / quarter / year run from their first UK day to today', () => {
    assert.deepEqual(pick(parsePeriod('this month', now)), { from: '2026-04-01', to: '2026-04-01' });
    assert.deepEqual(pick(parsePeriod('this quarter', now)), { from: '2026-04-01', to: '2026-04-01' });
    assert.deepEqual(pick(parsePeriod('this year', now)), { from: '2026-01-01', to: '2026-04-01' });
    assert.deepEqual(pick(parsePeriod('', new Date('2026-02-10T12:00:00Z'))), { from: '2026-02-01', to: '2026-02-10' });
    assert.deepEqual(pick(parsePeriod('2026-01-01 to 2026-03-31', now)), { from: '2026-01-01', to: '2026-03-31' });
    assert.match(parsePeriod('2026-01-01 to 2026-03-31', now).label, /1 Jan 2026 to 31 Mar 2026/);
  });

  it('refuses a period it cannot read, an impossible date and a backwards range', () => {
    assert.throws(() => parsePeriod('last fortnight', now), PeriodError);
    assert.throws(() => parsePeriod('2026-02-30 to 2026-03-01', now), /2026-02-30 is not a date/);
    assert.throws(() => parsePeriod('2026-03-01 to 2026-01-01', now), /starts .* after it ends/);
  });

  it('places an instant on its UK calendar day', () => {
    assert.equal(inPeriod('2026-03-31T23:30:00Z', Q1), false, '00:30 BST on 1 April');
    assert.equal(inPeriod('2026-03-31T22:59:00Z', Q1), true, '23:59 BST on 31 March');
    assert.equal(inPeriod('2025-12-31T23:59:00Z', Q1), false, 'GMT in winter');
    assert.equal(calendarDays('2026-01-05T23:00:00Z', '2026-01-06T01:00:00Z'), 1, 'two hours, but the next calendar day');
  });

  it('cuts a long period into months and a short one into Monday-to-Sunday weeks', () => {
    assert.deepEqual(buckets(Q1).map((b) => [b.key, b.from, b.to]), [
      ['2026-01', '2026-01-01', '2026-01-31'],
      ['2026-02', '2026-02-01', '2026-02-28'],
      ['2026-03', '2026-03-01', '2026-03-31'],
    ]);
    // 1 March 2026 is a Sunday: a one-day first week, then Mondays 2, 9, 16, 23 and 30 March.
    assert.deepEqual(buckets({ from: '2026-03-01', to: '2026-03-31' }).map((b) => `${b.from}/${b.to}`), ['2026-03-01/2026-03-01', '2026-03-02/2026-03-08', '2026-03-09/2026-03-15', '2026-03-16/2026-03-22', '2026-03-23/2026-03-29', '2026-03-30/2026-03-31']);
  });
});

const pick = (p: { from: string; to: string }) => ({ from: p.from, to: p.to });

describe('reports: median and nearest-rank percentile', () => {
  it('works them as documented', () => {
    assert.equal(median([]), undefined);
    assert.equal(median([5]), 5);
    assert.equal(median([38, 15, 30, 19]), 24.5);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(percentile([15, 19, 30, 38], 90), 38); // ⌈0.9×4⌉ = 4th
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9); // ⌈0.9×10⌉ = 9th
    assert.equal(percentile([7], 90), 7);
  });
});

describe('reports: headline figures on the known data set (Q1 2026)', () => {
  const h = headline(cardOf(dataset()), Q1);

  it('counts call-offs published in the period and where they stand now', () => {
    // Published 6 Jan … 3 Mar: R1–R6 (R7 was published in December, R8 is a draft, R9 unpublished).
    assert.equal(h.published, 6);
    // Open: only R4 (R1, R2, R6 awarded; R3 placed off-contract; R5 cancelled). R6's award falls in Q2 but it is awarded now.
    assert.equal(h.open, 1);
    // Closed: R1, R2, R3, R6. With no active bid: R3 only (BrightPath withdrew).
    assert.equal(h.noBids, 1);
    assert.equal(h.cancelled, 1);
  });

  it('counts awards made in the period by their UK award day', () => {
    // R7 (8 Jan, published in December), R1 (20 Jan), R2 (9 Feb), R3 off-contract (20 Feb); R6 is 1 April in the UK.
    assert.equal(h.awarded, 4);
    assert.equal(h.offContract, 1);
  });

  it('days from submission to award: median 24.5, 90th percentile 38', () => {
    // R7 1 Dec → 8 Jan = 38; R1 5 → 20 Jan = 15; R2 10 Jan → 9 Feb = 30; R3 1 → 20 Feb = 19.
    // Sorted 15, 19, 30, 38: median (19+30)/2 = 24.5; p90 = ⌈3.6⌉ = 4th = 38.
    assert.deepEqual(h.daysToAward, { n: 4, median: 24.5, p90: 38 });
  });

  it('bids per closed call-off: 5 bids over 4 call-offs = 1.25', () => {
    // R1 2, R2 1, R3 0 (the withdrawn bid does not count), R6 2.
    assert.deepEqual(h.bidsPerCallOff, { callOffs: 4, bids: 5, mean: 1.25 });
  });

  it('share within the personal budget: 3 of 4 = 75%', () => {
    // R7 610 ≤ 610 (equal is within), R1 525 ≤ 650, R3 480 ≤ 500; R2 700 > 600.
    assert.deepEqual(h.withinBudget, { n: 3, of: 4, share: 0.75 });
  });

  it('weekly spend committed £2,315 against £2,360 of budgets: £45 under', () => {
    // 610 + 525 + 700 + 480 = 2315; 610 + 650 + 600 + 500 = 2360; 2315 − 2360 = −45.
    assert.deepEqual(h.spend, { weekly: 2315, budgets: 2360, difference: -45 });
  });

  it('an empty period has zeros and no medians', () => {
    const e = headline(cardOf(dataset()), { from: '2024-01-01', to: '2024-12-31' });
    assert.deepEqual(e, { published: 0, open: 0, noBids: 0, cancelled: 0, awarded: 0, offContract: 0, daysToAward: { n: 0, median: undefined, p90: undefined }, bidsPerCallOff: { callOffs: 0, bids: 0, mean: undefined }, withinBudget: { n: 0, of: 0, share: undefined }, spend: { weekly: 0, budgets: 0, difference: 0 } });
  });

  it('Q2 picks up R6, awarded at 00:30 BST on 1 April', () => {
    const q2 = headline(cardOf(dataset()), { from: '2026-04-01', to: '2026-06-30' });
    assert.equal(q2.awarded, 1);
    // R6 submitted 2 Mar, awarded 1 Apr (UK) = 30 days.
    assert.deepEqual(q2.daysToAward, { n: 1, median: 30, p90: 30 });
  });
});

describe('reports: over time (chart data)', () => {
  it('awards, spend and budgets by month', () => {
    // Jan: R7 610/610 + R1 525/650 → 2 awards, £1135 against £1260. Feb: R2 700/600 + R3 480/500 → 2, £1180 against £1100. Mar: none.
    assert.deepEqual(awardsOverTime(dataset(), Q1).map((s) => [s.key, s.awards, s.spend, s.budgets]), [
      ['2026-01', 2, 1135, 1260],
      ['2026-02', 2, 1180, 1100],
      ['2026-03', 0, 0, 0],
    ]);
  });

  it('days-to-award distribution', () => {
    // 15 and 19 in 15–21; 30 and 38 in 29–42.
    assert.deepEqual(daysDistribution(dataset(), Q1).map((b) => `${b.label}:${b.count}`), ['0–7:0', '8–14:0', '15–21:2', '22–28:0', '29–42:2', '43–56:0', '57+:0']);
  });
});

describe('reports: provider statistics (Q1 2026)', () => {
  const stats = providerStats(dataset(), Q1);
  const of = (id: string) => stats.find((s) => s.providerId === id)!;

  it('lists every provider with activity, by name', () => {
    assert.deepEqual(stats.map((s) => s.name), ['BrightPath Support', 'Caring Hands Ltd', 'Signing Hands Homecare']);
  });

  it('Caring Hands: 6 offers, 3 bids, 2 wins, average quality 32.4 and total 80.2', () => {
    const ch = of('caring-hands');
    // Offered R1–R6; bid on R1, R2, R6; won R1 and R2 (both approved in Q1).
    assert.deepEqual([ch.offers, ch.declined, ch.bids, ch.withdrawn, ch.wins], [6, 0, 3, 0, 2]);
    // Quality 44.4 (R1) + 36 (R2) + 16.8 (R6) = 97.2 / 3 = 32.4.
    assert.equal(ch.scored, 3);
    close(ch.avgQuality, 32.4, 'CH quality');
    // Totals only for compliant bids: 84.4 (R1) + 76 (R2) = 160.4 / 2 = 80.2 (R6 scored 0 on q3).
    assert.equal(ch.ranked, 2);
    close(ch.avgTotal, 80.2, 'CH total');
  });

  it('BrightPath: 4 offers, 1 declined (outside our area), 2 bids and 1 withdrawn, 1 win from December’s call-off', () => {
    const bp = of('brightpath');
    assert.deepEqual([bp.offers, bp.declined, bp.bids, bp.withdrawn, bp.wins], [4, 1, 2, 1, 1]);
    assert.deepEqual(bp.declineReasons, [{ reason: 'outside our area', count: 1 }]);
    // Only R1 was scored: quality 45.6, total 40×525/546 + 45.6 = 84.0615…; R4 is still sealed.
    assert.equal(bp.scored, 1);
    close(bp.avgQuality, 45.6, 'BP quality');
    close(bp.avgTotal, (40 * 525) / 546 + 45.6, 'BP total');
  });

  it('Signing Hands: 3 offers, declined 2 for no capacity, 1 bid, no win in Q1 (its award is 1 April)', () => {
    const sh = of('signing-hands');
    assert.deepEqual([sh.offers, sh.declined, sh.bids, sh.withdrawn, sh.wins], [3, 2, 1, 0, 0]);
    assert.deepEqual(sh.declineReasons, [{ reason: 'no capacity', count: 2 }]);
    close(sh.avgQuality, 51.6, 'SH quality');
    close(sh.avgTotal, 91.6, 'SH total');
  });
});

describe('reports: equality monitoring (Q1 2026)', () => {
  const e = equality(dataset(), Q1);
  const rows = (xs: { value: string; requested: number; awarded: number }[]) => xs.map((x) => `${x.value}:${x.requested}/${x.awarded}`);

  it('requested = submitted in the period (7); awarded = awards made in it (4)', () => {
    // R1, R2, R3, R4, R5, R6, R9 submitted in Q1 (R7 in December, R8 a draft). Awards R7, R1, R2, R3.
    assert.equal(e.requested, 7);
    assert.equal(e.awarded, 4);
  });

  it('by gender, with every category shown', () => {
    // female R1 R3 R5 R9 / R1 R3; male R2 R4 / R2 R7; non-binary R6 / –.
    assert.deepEqual(rows(e.gender), ['female:4/2', 'male:2/2', 'non-binary:1/0', 'prefer not to say:0/0']);
  });

  it('by disability category', () => {
    assert.deepEqual(rows(e.disabilityCategory), ['learning disability:1/2', 'autism:2/1', 'mental health:1/1', 'physical disability:1/0', 'sensory impairment:1/0', 'acquired brain injury:0/0', 'dementia:1/0', 'other:0/0']);
  });

  it('by age band, youngest first', () => {
    assert.deepEqual(rows(e.ageBand), ['18–24:1/0', '25–34:2/1', '35–44:1/0', '45–54:1/2', '65–74:1/1', '85+:1/0']);
  });

  it('by zone name', () => {
    // Bury East R1 R5 R9 / R1 R7; Prestwich R4 R6 / –; Radcliffe R2 R3 / R2 R3.
    assert.deepEqual(rows(e.zone), ['Bury East:3/2', 'Prestwich:2/0', 'Radcliffe:2/2']);
  });
});
