import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReportData } from '../../src/reports/report.js';
import { cardOf, headline } from '../../src/reports/queries.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import { dataset, Q1, seed } from './dataset.js';

describe('a report reads its own period, not the whole history', () => {
  it('loads only requests filed under the months the period overlaps, and gets the same figures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bb-report-load-'));
    const store = await openBrokerageLowdb(dir);
    try {
      const data = dataset();
      const old = { ...data.requests[0], id: 'PKG-2019-0001', submittedAt: '2019-05-02T10:00:00.000Z', calloff: undefined, award: undefined };
      await seed(store, { ...data, requests: [...data.requests, old] });
      const loaded = await loadReportData(store, Q1);
      assert.ok(!loaded.requests.some((r) => r.id === 'PKG-2019-0001'), 'a 2019 request is not read for Q1 2026');
      assert.deepEqual(headline(cardOf(loaded), Q1), headline(cardOf(data), Q1), 'the figures are those of the whole data set');
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
