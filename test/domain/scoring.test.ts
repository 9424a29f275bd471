import assert from 'node:assert/strict';
import fc from 'fast-check';
import { complianceReasons, mandatoryFailures, priceScore, qualityScore, rank, show2, type ScoringBid, type ScoringPackage } from '../../src/domain/scoring.js';

const PKG: ScoringPackage = {
  costWeight: 40,
  qualityWeight: 60,
  questions: [
    { id: 'q1', weight: 60 },
    { id: 'q2', weight: 40 },
  ],
  hoursPerWeek: 21,
  startDate: '2026-12-14',
  carerGender: 'female',
  languageNeeds: '',
  budgetWeekly: 520,
};

const bid = (id: string, over: Partial<ScoringBid> = {}): ScoringBid => ({
  id,
  weeklyPrice: 500,
  hourlyRate: 23.81,
  hoursPerWeek: 21,
  earliestStart: '2026-12-14',
  meetsCarerGender: 'yes',
  meetsLanguage: 'yes',
  submittedAt: '2026-11-25T10:00:00.000Z',
  scores: { q1: 3, q2: 3 },
  meetsNeeds: true,
  ...over,
});

const close = (a: number | undefined, b: number, eps = 1e-9) => assert.ok(a !== undefined && Math.abs(a - b) < eps, `${a} ≈ ${b}`);

describe('scoring: worked examples (numbers by hand)', () => {
  it('scores, ranks and flags a four-bid competition', () => {
    const ranking = rank(
      PKG,
      [
        // A: quality 60 × (60×4/5 + 40×3/5) / 100 = 60 × 72 / 100 = 43.2; price 40 × 450/500 = 36; total 79.2.
        bid('A', { weeklyPrice: 500, scores: { q1: 4, q2: 3 } }),
        // B: quality 60 × (60×3/5 + 40×3/5) / 100 = 36; the lowest compliant price, so 40; total 76.
        // £450 for 21 hours is £21.43 an hour: below the £21.50 minimum, so "unsustainable price".
        bid('B', { weeklyPrice: 450, hourlyRate: 21.43, scores: { q1: 3, q2: 3 } }),
        // C: cheapest, but a 0 on q2 makes it non-compliant, so its price does not set the lowest.
        bid('C', { weeklyPrice: 400, scores: { q1: 5, q2: 0 } }),
        // D: cannot start until after the requested start date: non-compliant.
        bid('D', { weeklyPrice: 600, earliestStart: '2027-01-04', scores: { q1: 5, q2: 5 } }),
      ],
      21.5,
    );
    assert.equal(ranking.lowestCompliantPrice, 450);
    const [a, b, d, c] = ranking.rows;
    assert.deepEqual(
      ranking.rows.map((r) => [r.bidId, r.rank]),
      [
        ['A', 1],
        ['B', 2],
        ['D', undefined],
        ['C', undefined],
      ],
    );
    close(a.qualityScore, 43.2);
    close(a.priceScore, 36);
    close(a.total, 79.2);
    assert.equal(show2(a.total), '79.20');
    close(b.qualityScore, 36);
    close(b.priceScore, 40);
    close(b.total, 76);
    assert.deepEqual(b.flags, { overBudget: false, unsustainable: true });
    assert.equal(c.total, undefined);
    assert.match(c.reasons.join(), /scored 0 on a quality question/);
    assert.match(d.reasons.join(), /cannot start by 2026-12-14/);
    // D (£600) is over the £520 budget: flagged even though it is not ranked.
    assert.equal(d.flags.overBudget, true);
    close(d.qualityScore, 60);
  });

  it('ranks on the exact total, not the 2 dp shown', () => {
    const pkg = { ...PKG, questions: [{ id: 'q1', weight: 99 }, { id: 'q2', weight: 1 }] };
    // X: £300 (the lowest): price 40; quality 60 × (99×3 + 1×3)/5/100 = 60 × 300/500 = 36; total 76.
    // Y: £300.92: price 40 × 300/300.92 = 39.87771; quality 60 × (99×3 + 1×4)/500 = 36.12;
    //    total 36.12 + 39.87771 = 75.99771 — shown as 76.00 like X, but lower, so X ranks first
    //    even though Y has the higher quality score.
    const ranking = rank(pkg, [bid('Y', { weeklyPrice: 300.92, scores: { q1: 3, q2: 4 } }), bid('X', { weeklyPrice: 300, scores: { q1: 3, q2: 3 } })], 21.5);
    const [x, y] = ranking.rows;
    assert.equal(x.bidId, 'X');
    assert.equal(show2(x.total), '76.00');
    assert.equal(show2(y.total), '76.00');
    close(y.priceScore, 12000 / 300.92);
    close(y.qualityScore, 36.12);
    assert.ok(x.total! > y.total!);
  });

  it('breaks an exact tie by the higher quality score, then the earlier final submission', () => {
    const pkg = { ...PKG, costWeight: 50, qualityWeight: 50, questions: [{ id: 'q1', weight: 100 }] };
    // P: £500, scored 5: price 50 × 400/500 = 40, quality 50 → 90.  Q: £400, scored 4: price 50, quality 40 → 90.
    const tie = rank(pkg, [bid('Q', { weeklyPrice: 400, scores: { q1: 4 } }), bid('P', { weeklyPrice: 500, scores: { q1: 5 } })], 21.5);
    assert.deepEqual(
      tie.rows.map((r) => [r.bidId, r.total]),
      [
        ['P', 90],
        ['Q', 90],
      ],
    );
    // Same price, same scores: the earlier final submission goes first.
    const same = rank(pkg, [bid('late', { submittedAt: '2026-11-30T09:00:00Z', scores: { q1: 4 } }), bid('early', { submittedAt: '2026-11-29T09:00:00Z', scores: { q1: 4 } })], 21.5);
    assert.deepEqual(
      same.rows.map((r) => r.bidId),
      ['early', 'late'],
    );
  });

  it('names each mandatory requirement a bid cannot meet', () => {
    const pkg = { ...PKG, languageNeeds: 'Speaks Urdu at home' };
    assert.deepEqual(mandatoryFailures(pkg, bid('ok')), []);
    assert.deepEqual(mandatoryFailures(pkg, bid('x', { meetsLanguage: 'no' })), ['cannot meet the language and cultural needs']);
    assert.deepEqual(mandatoryFailures(pkg, bid('x', { meetsCarerGender: 'no' })), ['cannot meet the carer gender preference (female)']);
    assert.deepEqual(mandatoryFailures({ ...pkg, carerGender: 'no preference' }, bid('x', { meetsCarerGender: 'no' })), []);
    assert.deepEqual(mandatoryFailures(pkg, bid('x', { hoursPerWeek: 20 })), ['offers 20 of the 21 hours a week']);
    assert.deepEqual(mandatoryFailures({ ...PKG, languageNeeds: '' }, bid('x', { meetsLanguage: 'no' })), [], 'no language needs stated: nothing to meet');
    assert.deepEqual(complianceReasons(PKG, bid('x', { meetsNeeds: false })), ["does not meet the person's needs (social worker)"]);
  });

  it('computes the formulas by hand', () => {
    assert.equal(priceScore(40, 450, 450), 40);
    assert.equal(priceScore(40, 450, 900), 20);
    assert.equal(qualityScore(60, PKG.questions, { q1: 5, q2: 5 }), 60);
    assert.equal(qualityScore(60, PKG.questions, { q1: 0, q2: 5 }), 24); // 60 × (40×5/5)/100
    assert.equal(qualityScore(60, PKG.questions, {}), 0);
  });
});

// ───────────────────────────── properties ─────────────────────────────

/** 1–5 questions whose integer weights (each ≥ 1) sum to 100. */
const weightsArb = fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 4 }).map((cuts) => {
  const points = [0, ...cuts.sort((a, b) => a - b), 100];
  return points.slice(1).map((p, i) => ({ id: `q${i + 1}`, weight: p - points[i] }));
});

const packageArb = fc.record({ costWeight: fc.integer({ min: 0, max: 100 }), questions: weightsArb, budget: fc.integer({ min: 100, max: 3000 }) }).map(
  ({ costWeight, questions, budget }): ScoringPackage => ({ ...PKG, costWeight, qualityWeight: 100 - costWeight, questions, budgetWeekly: budget }),
);

const bidsArb = (pkg: ScoringPackage) =>
  fc.uniqueArray(
    fc.record({
      pence: fc.integer({ min: 5_000, max: 500_000 }),
      scores: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: pkg.questions.length, maxLength: pkg.questions.length }),
      meetsNeeds: fc.boolean(),
      late: fc.boolean(),
      minute: fc.integer({ min: 0, max: 59 }),
      rate: fc.integer({ min: 1500, max: 3500 }),
      n: fc.integer({ min: 0, max: 1_000_000 }),
    }),
    { minLength: 1, maxLength: 8, selector: (b) => b.n },
  ).map((xs) =>
    xs.map((x) =>
      bid(`bid-${x.n}`, {
        weeklyPrice: x.pence / 100,
        hourlyRate: x.rate / 100,
        earliestStart: x.late ? '2027-01-01' : '2026-12-14',
        submittedAt: `2026-11-25T10:${String(x.minute).padStart(2, '0')}:00.000Z`,
        scores: Object.fromEntries(pkg.questions.map((q, i) => [q.id, x.scores[i]])),
        meetsNeeds: x.meetsNeeds,
      }),
    ),
  );

const scenario = packageArb.chain((pkg) => bidsArb(pkg).map((bids) => ({ pkg, bids })));
const EPS = 1e-9;

describe('scoring: properties', () => {
  it('every score stays within its weight and every total within 100', () => {
    fc.assert(
      fc.property(scenario, ({ pkg, bids }) => {
        for (const r of rank(pkg, bids, 21.5).rows) {
          assert.ok(r.qualityScore >= 0 && r.qualityScore <= pkg.qualityWeight + EPS);
          if (r.compliant) {
            assert.ok(r.priceScore! >= 0 && r.priceScore! <= pkg.costWeight + EPS);
            assert.ok(r.total! <= 100 + EPS);
          }
        }
      }),
    );
  });

  it('the cheapest compliant bid gets the full cost weight', () => {
    fc.assert(
      fc.property(scenario, ({ pkg, bids }) => {
        const ranking = rank(pkg, bids, 21.5);
        const compliant = ranking.rows.filter((r) => r.compliant);
        if (!compliant.length) return assert.equal(ranking.lowestCompliantPrice, undefined);
        const lowest = Math.min(...compliant.map((r) => r.weeklyPrice));
        assert.equal(ranking.lowestCompliantPrice, lowest);
        for (const r of compliant.filter((x) => x.weeklyPrice === lowest)) assert.equal(r.priceScore, pkg.costWeight);
      }),
    );
  });

  it('the ranking is a permutation of the bids, compliant ones sorted by exact total with ranks 1..k', () => {
    fc.assert(
      fc.property(scenario, ({ pkg, bids }) => {
        const rows = rank(pkg, bids, 21.5).rows;
        assert.deepEqual(rows.map((r) => r.bidId).sort(), bids.map((b) => b.id).sort());
        const ranked = rows.filter((r) => r.rank !== undefined);
        assert.deepEqual(
          ranked.map((r) => r.rank),
          ranked.map((_, i) => i + 1),
        );
        assert.ok(rows.slice(0, ranked.length).every((r) => r.compliant), 'ranked bids come first');
        for (let i = 1; i < ranked.length; i++) {
          const [a, b] = [ranked[i - 1], ranked[i]];
          assert.ok(a.total! > b.total! || (a.total === b.total && (a.qualityScore > b.qualityScore || (a.qualityScore === b.qualityScore && a.submittedAt <= b.submittedAt))));
        }
      }),
    );
  });

  it('a non-compliant bid (a 0, not meeting needs, a mandatory failure) is never ranked', () => {
    fc.assert(
      fc.property(scenario, ({ pkg, bids }) => {
        const rows = new Map(rank(pkg, bids, 21.5).rows.map((r) => [r.bidId, r]));
        for (const b of bids) {
          const bad = !b.meetsNeeds || b.earliestStart > pkg.startDate || pkg.questions.some((q) => b.scores[q.id] === 0);
          const r = rows.get(b.id)!;
          assert.equal(r.compliant, !bad);
          if (bad) assert.ok(r.rank === undefined && r.total === undefined && r.priceScore === undefined && r.reasons.length > 0);
        }
      }),
    );
  });

  it('scaling every price by the same factor changes no price score', () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0.1, max: 10, noNaN: true }), ({ pkg, bids }, k) => {
        const before = rank(pkg, bids, 0).rows;
        const after = new Map(rank(pkg, bids.map((b) => ({ ...b, weeklyPrice: b.weeklyPrice * k })), 0).rows.map((r) => [r.bidId, r]));
        for (const r of before) {
          const s = after.get(r.bidId)!;
          if (r.priceScore === undefined) assert.equal(s.priceScore, undefined);
          else assert.ok(Math.abs(r.priceScore - s.priceScore!) < 1e-9);
          assert.equal(r.qualityScore, s.qualityScore, 'quality never depends on price');
        }
      }),
    );
  });

  it('flags over budget and unsustainable prices exactly at their thresholds', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1500, max: 3500 }), ({ pkg, bids }, floorPence) => {
        const floor = floorPence / 100;
        for (const r of rank(pkg, bids, floor).rows) {
          assert.equal(r.flags.overBudget, r.weeklyPrice > pkg.budgetWeekly);
          assert.equal(r.flags.unsustainable, r.hourlyRate < floor);
        }
      }),
    );
  });
});
