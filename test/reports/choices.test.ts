import assert from 'node:assert/strict';
import type { Choice } from '../../src/domain/award.js';
import type { PackageRequest } from '../../src/domain/request.js';
import { choiceStats, NOT_GROUPED } from '../../src/reports/queries.js';
import { headlineCard } from '../../bot/views/reportCards.js';
import { Q1 } from './dataset.js';

const choice = (n: number, at: string, over: Partial<Choice> = {}): Choice => ({ n, bidId: 'R:a', providerId: 'a', topBidId: 'R:a', by: 'sam', at, ...over });
const request = (id: string, choices: Choice[]) => ({ id, choices }) as unknown as PackageRequest;

/**
 * Q1 2026: R1 chose the top offer with a pack; R2 first chose the top offer (rejected), then
 * another because it starts sooner; R3's choice is in April; R4 was a sequential offer; R5 chose
 * another before reasons were grouped.
 */
const data = {
  requests: [
    request('R1', [choice(1, '2026-01-10T10:00:00Z', { packUsed: true, tookPart: ['person'] })]),
    request('R2', [choice(1, '2026-02-01T10:00:00Z', { tookPart: ['person'] }), choice(2, '2026-02-20T10:00:00Z', { bidId: 'R:b', reason: 'Can start a week earlier.', reasonCategory: 'it can start sooner', tookPart: ['carer', 'advocate'] })]),
    request('R3', [choice(1, '2026-04-02T10:00:00Z', { bidId: 'R:b', reasonCategory: 'other', packUsed: true })]),
    request('R4', [choice(1, '2026-03-01T10:00:00Z', { sequential: true, topBidId: undefined })]),
    request('R5', [choice(1, '2026-03-31T22:30:00Z', { bidId: 'R:b', reason: 'Knows the staff.', tookPart: ['best-interests'] })]),
  ],
};

describe("reports: the person's choice", () => {
  it('counts each request’s last choice in the period: top-ranked chosen, reasons grouped otherwise, packs used, who took part', () => {
    const c = choiceStats(data, Q1);
    assert.equal(c.choices, 3, 'R1, R2 (its second choice) and R5; not R3 (April) nor R4 (sequential)');
    assert.equal(c.topChosen, 1);
    assert.equal(c.share, 1 / 3);
    assert.deepEqual(c.otherReasons, [
      { reason: 'it can start sooner', count: 1 },
      { reason: NOT_GROUPED, count: 1 },
    ]);
    assert.equal(c.packUsed, 1);
    assert.deepEqual(c.tookPart, [
      { who: 'advocate', count: 1 },
      { who: 'best-interests', count: 1 },
      { who: 'carer', count: 1 },
      { who: 'person', count: 1 },
    ]);
  });

  it('shows them on the headline card', () => {
    const empty = { published: 0, open: 0, noBids: 0, cancelled: 0, awarded: 0, offContract: 0, daysToAward: { n: 0 }, bidsPerCallOff: { callOffs: 0, bids: 0 }, withinBudget: { n: 0, of: 0 }, spend: { weekly: 0, budgets: 0, difference: 0 } };
    const card = headlineCard({ period: Q1, headline: empty, choices: choiceStats(data, Q1), charts: [], csvs: [], expiresAt: new Date('2026-04-02T00:00:00Z') });
    const json = JSON.stringify(card);
    assert.match(json, /"title":"Chose the top-ranked offer","value":"33.3% \(1 of 3\)"/);
    assert.match(json, /"title":"Chose another, because","value":"it can start sooner; not grouped"/);
    assert.match(json, /"title":"Choice pack used","value":"33.3% \(1 of 3\)"/);
    assert.match(json, /"title":"Who took part","value":"an advocate 1, best-interests decision 1, a carer 1, the person 1"/);
  });
});
