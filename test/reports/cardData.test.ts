/**
 * The report card from the store's trimmed figures (loadCardData: requestFiguresBetween) must
 * give exactly the figures the full data gives (cardOf over every request and bid), on both
 * stores, over a data set with awards, an off-contract placement, a cancellation, a call-off
 * closed with only a withdrawn bid, a sealed open one, and choices of every kind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Choice } from '../../src/domain/award.js';
import type { BrokerageStore } from '../../src/store/collections.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import { PostgresStore } from '../../src/store/postgres/postgresStore.js';
import { loadCardData, loadReportData } from '../../src/reports/report.js';
import { cardOf, choiceStats, headline, type ReportData } from '../../src/reports/queries.js';
import { freshDatabase } from '../support/postgres.js';
import { dataset, Q1, seed } from './dataset.js';

const choice = (n: number, bidId: string, at: string, over: Partial<Choice> = {}): Choice => ({ n, bidId, providerId: bidId.split(':')[1], topBidId: bidId, by: 'sam', at, ...over });

/** The report data set, with choices: top chosen with a pack, another chosen for a grouped reason after a first choice, one ungrouped, one sequential, one in Q2. */
function withChoices(): ReportData {
  const data = dataset();
  const choices: Record<string, Choice[]> = {
    'PKG-2026-0001': [choice(1, 'PKG-2026-0001:caring-hands', '2026-01-17T10:00:00.000Z', { packUsed: true, tookPart: ['person'], personWords: 'I liked them' })],
    'PKG-2026-0002': [
      choice(1, 'PKG-2026-0002:caring-hands', '2026-01-26T10:00:00.000Z', { tookPart: ['person'] }),
      choice(2, 'PKG-2026-0002:caring-hands', '2026-02-01T10:00:00.000Z', { topBidId: 'PKG-2026-0002:other', reason: 'Starts sooner.', reasonCategory: 'it can start sooner', tookPart: ['carer', 'advocate'] }),
    ],
    'PKG-2026-0006': [
      choice(1, 'PKG-2026-0006:caring-hands', '2026-03-21T10:00:00.000Z', { topBidId: 'PKG-2026-0006:signing-hands', reason: 'Knows the staff.' }),
      choice(2, 'PKG-2026-0006:signing-hands', '2026-04-02T10:00:00.000Z', { packUsed: true }),
    ],
    'PKG-2025-0042': [choice(1, 'PKG-2025-0042:brightpath', '2026-01-02T10:00:00.000Z', { sequential: true, topBidId: undefined })],
  };
  return { ...data, requests: data.requests.map((r) => (choices[r.id] ? { ...r, choices: choices[r.id] } : r)) };
}

const PERIODS = [Q1, { from: '2026-04-01', to: '2026-06-30' }, { from: '2025-12-01', to: '2026-12-31' }, { from: '2026-02-09', to: '2026-02-09' }];

function describeOn(name: string, open: () => Promise<{ store: BrokerageStore; close: () => Promise<void> }>) {
  describe(`report card from the store's figures equals the card from full data (${name})`, function () {
    this.timeout(60_000);
    let store: BrokerageStore;
    let close: () => Promise<void>;
    const data = withChoices();
    before(async () => {
      ({ store, close } = await open());
      await seed(store, data);
    });
    after(async () => close?.());

    it('gives the same headline and choices for every period, and the data set exercises each figure', async () => {
      for (const p of PERIODS) {
        const slim = await loadCardData(store, p);
        assert.deepEqual(headline(slim, p), headline(cardOf(data), p), `headline ${p.from} to ${p.to}`);
        assert.deepEqual(choiceStats(slim, p), choiceStats(data, p), `choices ${p.from} to ${p.to}`);
      }
      const h = headline(await loadCardData(store, Q1), Q1);
      assert.ok(h.awarded >= 3 && h.offContract === 1 && h.cancelled === 1 && h.noBids === 1 && h.open === 1, JSON.stringify(h));
      assert.deepEqual(h.bidsPerCallOff, { callOffs: 4, bids: 5, mean: 1.25 }, 'the withdrawn bid does not count; the open call-off is not closed');
      const c = choiceStats(await loadCardData(store, Q1), Q1);
      assert.deepEqual([c.choices, c.topChosen, c.packUsed], [3, 1, 1], JSON.stringify(c));
    });

    it("hands the card no person, package or offers: only the figures' fields", async () => {
      const slim = await loadCardData(store, Q1);
      assert.ok(slim.requests.length >= 8);
      for (const r of slim.requests) {
        assert.deepEqual(Object.keys(r).filter((k) => !['id', 'state', 'createdAt', 'submittedAt', 'calloff', 'award', 'choices', 'activeBids'].includes(k)), [], r.id);
        if (r.calloff) assert.deepEqual(Object.keys(r.calloff).sort(), r.calloff.closedAt ? ['closedAt', 'publishedAt'] : ['publishedAt'], r.id);
        for (const c of r.choices ?? []) assert.ok(!('personWords' in c) && !('reason' in c), r.id);
      }
    });

    it('loads full report data with every bid of the period in one read', async () => {
      const full = await loadReportData(store, Q1);
      const refs = new Set(full.requests.map((r) => r.id));
      const expected = data.bids.filter((b) => refs.has(b.ref)).map((b) => b.id).sort();
      assert.deepEqual(full.bids.map((b) => b.id).sort(), expected);
      assert.ok(full.bids.some((b) => b.status === 'withdrawn'), 'withdrawn bids come too (the CSVs and provider figures count them)');
    });
  });
}

describeOn('lowdb', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-card-data-'));
  const store = await openBrokerageLowdb(dir);
  return { store, close: async () => (await store.close(), await rm(dir, { recursive: true, force: true })) };
});

describeOn('PostgreSQL', async () => {
  const store = await PostgresStore.open(await freshDatabase());
  return { store, close: () => store.close() };
});
