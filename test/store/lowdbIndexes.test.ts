import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrokerageLowdb, type BrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import { INDEX_VERSION, VERSION_KEY } from '../../src/store/lowdb/indexes.js';
import type { OutboxItem } from '../../src/outbox/item.js';
import type { Approval } from '../../src/domain/approvals.js';
import { request } from './contract.js';

const as = { actor: 'test', action: 'test' };
type Doc = { id: string; refs?: string[]; members?: string[] };

/** Every item of a collection as stored on disk, whatever file it is in. */
async function onDisk(dir: string, collection: string): Promise<Record<string, Doc>> {
  const out: Record<string, Doc> = {};
  for (const f of await readdir(join(dir, collection)).catch(() => [] as string[])) {
    if (!f.endsWith('.json')) continue;
    Object.assign(out, (JSON.parse(await readFile(join(dir, collection, f), 'utf8')) as { items: Record<string, Doc> }).items);
  }
  return out;
}

const pending = (id: string, batch?: string) => ({ id, target: { userId: 'sam' }, message: { kind: 'text', text: id }, status: 'pending', attempts: 0, dueAt: '2026-01-01T00:00:00Z', createdAt: '2026-01-01T00:00:00Z', ...(batch ? { batch: { id: batch } } : {}) }) as unknown as OutboxItem;

describe('lowdb adapter: its own indexes', () => {
  let dir: string;
  let store: BrokerageLowdb | undefined;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'bb-indexes-'))));
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const seed = (s: BrokerageLowdb) =>
    s.transact(as, async (tx) => {
      tx.put('requests', request('PKG-2026-0001', { owner: 'sam', state: 'open', submittedAt: '2026-01-10T10:00:00Z' }));
      tx.put('requests', request('PKG-2026-0002', { owner: 'kim', state: 'draft' }));
      tx.put('outbox', pending('post:PKG-2026-0001:a', 'publish:PKG-2026-0001'));
      tx.put('agreements', { id: 'AGR-PKG-2026-0001', ref: 'PKG-2026-0001' } as never);
      tx.put('jobs', { id: 'close:PKG-2026-0001', kind: 'calloff.close', ref: 'PKG-2026-0001', at: '2026-02-01T00:00:00Z' });
    });

  it('keeps them in the collections and keys an existing data folder has, written in the same commit, unaudited', async () => {
    store = await openBrokerageLowdb(dir);
    await seed(store);
    const indexes = await onDisk(dir, 'indexes');
    assert.deepEqual(indexes['owner:sam'].refs, ['PKG-2026-0001']);
    assert.deepEqual(indexes['owner:kim'].refs, ['PKG-2026-0002']);
    assert.deepEqual(indexes['open-calloffs'].refs, ['PKG-2026-0001']);
    assert.deepEqual(indexes['month:2026-01'].refs, ['PKG-2026-0001']);
    assert.deepEqual(indexes['agreements'].refs, ['AGR-PKG-2026-0001']);
    assert.deepEqual(indexes['jobs'].refs, ['close:PKG-2026-0001']);
    assert.deepEqual(indexes[VERSION_KEY].refs, [String(INDEX_VERSION)]);
    assert.deepEqual(Object.keys(await onDisk(dir, 'outboxPending')), ['post:PKG-2026-0001:a']);
    assert.deepEqual((await onDisk(dir, 'outboxBatches'))['publish:PKG-2026-0001'].members, ['post:PKG-2026-0001:a']);
    assert.deepEqual(await store.audit({ collection: 'indexes' }), []);
    // settling a post and closing the call-off take them out again
    await store.transact(as, async (tx) => {
      tx.put('outbox', { ...pending('post:PKG-2026-0001:a', 'publish:PKG-2026-0001'), status: 'sent' } as OutboxItem);
      tx.put('requests', request('PKG-2026-0001', { owner: 'sam', state: 'closed', submittedAt: '2026-01-10T10:00:00Z' }));
    });
    assert.deepEqual(await onDisk(dir, 'outboxPending'), {});
    assert.equal((await onDisk(dir, 'indexes'))['open-calloffs'], undefined);
  });

  it('refuses app code writing them', async () => {
    store = await openBrokerageLowdb(dir);
    await assert.rejects(store.transact(as, async (tx) => tx.put('indexes' as never, { id: 'x' } as never)), /kept by the store itself/);
  });

  it('rebuilds them once, on open, for a folder written before them (an upgrade), dropping stale entries', async () => {
    store = await openBrokerageLowdb(dir);
    await seed(store);
    await store.close();
    store = undefined;
    // The old app kept them by hand: no jobs index, no marker of this version, and a stale entry.
    await rm(join(dir, 'indexes'), { recursive: true });
    await rm(join(dir, 'outboxPending'), { recursive: true });
    await writeFile(join(dir, 'outboxBatches', 'PKG-2026-0001.json'), JSON.stringify({ schemaVersion: 1, items: {} }));
    const stale = { schemaVersion: 1, items: { 'owner:ghost': { id: 'owner:ghost', refs: ['PKG-2026-0009'] }, 'backfilled:3': { id: 'backfilled:3', refs: [] } } };
    await mkdir(join(dir, 'indexes'), { recursive: true });
    await writeFile(join(dir, 'indexes', '0.json'), JSON.stringify(stale));

    store = await openBrokerageLowdb(dir);
    const r = await store.transact(as, async (tx) => ({
      sams: (await tx.requestsOf('sam')).map((x) => x.id),
      open: (await tx.openCallOffs()).map((x) => x.id),
      pending: (await tx.pendingPosts()).map((x) => x.id),
      batch: (await tx.postsOfBatch('publish:PKG-2026-0001')).map((x) => x.id),
      jobs: (await tx.jobs()).map((x) => x.id),
    }));
    assert.deepEqual(r, { sams: ['PKG-2026-0001'], open: ['PKG-2026-0001'], pending: ['post:PKG-2026-0001:a'], batch: ['post:PKG-2026-0001:a'], jobs: ['close:PKG-2026-0001'] });
    const indexes = await onDisk(dir, 'indexes');
    assert.equal(indexes['owner:ghost'], undefined);
    assert.equal(indexes['backfilled:3'], undefined);

    // Once marked, opening again does not scan: a hand-made entry survives.
    await store.close();
    const marked = await onDisk(dir, 'indexes');
    marked['owner:hand'] = { id: 'owner:hand', refs: ['PKG-2026-0002'] };
    await rm(join(dir, 'indexes'), { recursive: true });
    await mkdir(join(dir, 'indexes'), { recursive: true });
    await writeFile(join(dir, 'indexes', '0.json'), JSON.stringify({ schemaVersion: 1, items: marked }));
    store = await openBrokerageLowdb(dir);
    assert.deepEqual((await onDisk(dir, 'indexes'))['owner:hand'].refs, ['PKG-2026-0002']);
  });

  it('rebuilds every index, once, for a folder marked 5 (approvals indexed, failed posts not yet: issue 27 added them)', async () => {
    store = await openBrokerageLowdb(dir);
    await seed(store);
    await store.transact(as, async (tx) => {
      tx.put('outbox', { ...pending('post:PKG-2026-0001:b'), status: 'failed', dueAt: '2026-01-02T09:00:00.000Z', lastError: '403 Forbidden' } as OutboxItem);
      tx.put('approvals', { id: 'award:PKG-2026-0001:1:council', ref: 'PKG-2026-0001', status: 'waiting', raisedAt: '2026-01-03T10:00:00.000Z' } as Approval);
    });
    await store.close();
    store = undefined;
    // As version 5 wrote it: its own indexes (approvals' included), none for failed posts.
    const older = await onDisk(dir, 'indexes');
    assert.ok(older['failed:2026-01-02'], 'this version indexes the failed post');
    delete older['failed:2026-01-02'];
    older[VERSION_KEY] = { id: VERSION_KEY, refs: ['5'] };
    await rm(join(dir, 'indexes'), { recursive: true });
    await mkdir(join(dir, 'indexes'), { recursive: true });
    await writeFile(join(dir, 'indexes', '0.json'), JSON.stringify({ schemaVersion: 1, items: older }));

    store = await openBrokerageLowdb(dir);
    const r = await store.transact(as, async (tx) => ({
      failed: (await tx.failedPostsBetween('2026-01-01T00:00:00.000Z', '2026-01-31T00:00:00.000Z')).map((x) => x.id),
      waiting: (await tx.waitingApprovals()).map((x) => x.id),
      raised: (await tx.approvalsRaisedBetween('2026-01-01', '2026-01-31')).map((x) => x.id),
      pending: (await tx.pendingPosts()).map((x) => x.id),
      jobs: (await tx.jobs()).map((x) => x.id),
    }));
    assert.deepEqual(r, {
      failed: ['post:PKG-2026-0001:b'],
      waiting: ['award:PKG-2026-0001:1:council'],
      raised: ['award:PKG-2026-0001:1:council'],
      pending: ['post:PKG-2026-0001:a'],
      jobs: ['close:PKG-2026-0001'],
    });
    assert.deepEqual((await onDisk(dir, 'indexes'))[VERSION_KEY].refs, [String(INDEX_VERSION)]);
  });

  it('answers the named reads without reading the files of call-offs they do not list', async () => {
    store = await openBrokerageLowdb(dir);
    await seed(store);
    await store.transact(as, async (tx) => {
      for (let i = 10; i < 40; i++) tx.put('requests', request(`PKG-2020-00${i}`, { owner: 'old', state: 'awarded', submittedAt: '2020-05-01T10:00:00Z' }));
    });
    await store.close();
    // Years of finished call-offs, each in its own file: torn, so reading one would throw.
    for (let i = 10; i < 40; i++) await writeFile(join(dir, 'requests', `PKG-2020-00${i}.json`), '{ torn');
    store = await openBrokerageLowdb(dir);
    const r = await store.transact(as, async (tx) => ({
      open: (await tx.openCallOffs()).map((x) => x.id),
      sams: (await tx.requestsOf('sam')).map((x) => x.id),
      january: (await tx.requestsActiveBetween('2026-01-01', '2026-01-31')).map((x) => x.id),
      pending: (await tx.pendingPosts()).length,
      jobs: (await tx.jobs()).length,
    }));
    assert.deepEqual(r, { open: ['PKG-2026-0001'], sams: ['PKG-2026-0001'], january: ['PKG-2026-0001'], pending: 1, jobs: 1 });
  });
});
