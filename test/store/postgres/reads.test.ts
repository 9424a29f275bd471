import assert from 'node:assert/strict';
import pg from 'pg';
import type { PackageRequest } from '../../../src/domain/request.js';
import type { OutboxItem } from '../../../src/outbox/item.js';
import type { Collections } from '../../../src/store/collections.js';
import type { PostgresStore } from '../../../src/store/postgres/postgresStore.js';
import { openStores } from './helpers.js';

const as = { actor: 'u1', action: 'seed' };

const request = (id: string, over: Partial<PackageRequest> = {}) => ({ id, state: 'submitted', owner: 'sw1', ...over }) as unknown as PackageRequest;
const post = (id: string, status: OutboxItem['status'], batch?: string) => ({ id, status, ...(batch ? { batch: { id: batch } } : {}) }) as unknown as OutboxItem;
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('PostgresStore named reads', function () {
  this.timeout(30_000);
  const stores = openStores();
  let store: PostgresStore;
  afterEach(() => stores.closeAll());

  beforeEach(async () => {
    [store] = await stores.instances(1);
    await store.transact(as, (tx) => {
      tx.put('users', { id: 'b1', name: 'Bo', roles: ['broker'] } as unknown as Collections['users']);
      tx.put('users', { id: 'm1', name: 'Mo', roles: ['manager', 'broker'] } as unknown as Collections['users']);
      tx.put('users', { id: 'p1', name: 'Pat', roles: ['provider'], providerId: 'x' } as unknown as Collections['users']);
      tx.put('lots', { id: 'lot-2', name: 'Two' } as unknown as Collections['lots']);
      tx.put('lots', { id: 'lot-1', name: 'One' } as unknown as Collections['lots']);
      tx.put('requests', request('PKG-2026-0001', { state: 'open', submittedAt: '2026-01-05T10:00:00.000Z', calloff: { publishedAt: '2026-01-06T09:00:00.000Z' } as never }));
      tx.put('requests', request('PKG-2026-0002', { owner: 'sw2', submittedAt: '2026-02-01T23:30:00.000Z' }));
      tx.put('requests', request('PKG-2026-0003', { state: 'awarded', award: { approvedAt: '2026-03-10T12:00:00.000Z' } as never }));
      tx.put('outbox', post('post:1', 'pending', 'batch-a'));
      tx.put('outbox', post('post:2', 'sent', 'batch-a'));
      tx.put('outbox', post('post:3', 'pending'));
      tx.put('jobs', { id: 'job-1', kind: 'close', at: '2026-01-01T00:00:00.000Z', ref: 'PKG-2026-0001' });
      tx.put('agreements', { id: 'agr-1' } as unknown as Collections['agreements']);
    });
  });

  it('answers each read from committed data', async () => {
    await store.transact(as, async (tx) => {
      assert.deepEqual(ids(await tx.list('lots')), ['lot-1', 'lot-2']);
      assert.deepEqual(ids(await tx.usersWithRole('broker')), ['b1', 'm1']);
      assert.deepEqual(ids(await tx.usersWithRole('provider')), ['p1']);
      assert.deepEqual(ids(await tx.openCallOffs()), ['PKG-2026-0001']);
      assert.deepEqual(ids(await tx.requestsOf('sw1')), ['PKG-2026-0001', 'PKG-2026-0003']);
      assert.deepEqual(ids(await tx.requestsActiveBetween('2026-01-06', '2026-02-01')), ['PKG-2026-0001', 'PKG-2026-0002']);
      assert.deepEqual(ids(await tx.requestsActiveBetween('2026-03-10', '2026-12-31')), ['PKG-2026-0003']);
      assert.deepEqual(ids(await tx.requestsActiveBetween('2025-01-01', '2025-12-31')), []);
      assert.deepEqual(ids(await tx.agreements()), ['agr-1']);
      assert.deepEqual(ids(await tx.pendingPosts()), ['post:1', 'post:3']);
      assert.deepEqual(ids(await tx.postsOfBatch('batch-a')), ['post:1', 'post:2']);
      assert.deepEqual(ids(await tx.jobs()), ['job-1']);
    });
  });

  it('sees the transaction\'s own staged puts and deletes', async () => {
    await store.transact(as, async (tx) => {
      tx.put('lots', { id: 'lot-0', name: 'Zero' } as unknown as Collections['lots']);
      tx.delete('users', 'b1');
      tx.put('users', { id: 'p1', name: 'Pat', roles: ['broker'] } as unknown as Collections['users']);
      tx.put('requests', request('PKG-2026-0001', { state: 'closed', owner: 'sw3', submittedAt: '2026-07-01T00:00:00.000Z' }));
      tx.put('requests', request('PKG-2026-0004', { state: 'open', submittedAt: '2026-01-20T00:00:00.000Z' }));
      tx.delete('requests', 'PKG-2026-0002');
      tx.put('outbox', post('post:1', 'sent', 'batch-a'));
      tx.put('outbox', post('post:4', 'pending', 'batch-a'));
      tx.delete('jobs', 'job-1');
      tx.put('agreements', { id: 'agr-2' } as unknown as Collections['agreements']);
      assert.deepEqual(ids(await tx.list('lots')), ['lot-0', 'lot-1', 'lot-2']);
      assert.deepEqual(ids(await tx.usersWithRole('broker')), ['m1', 'p1']);
      assert.deepEqual(ids(await tx.openCallOffs()), ['PKG-2026-0004']);
      assert.deepEqual(ids(await tx.requestsOf('sw1')), ['PKG-2026-0003', 'PKG-2026-0004']);
      assert.deepEqual(ids(await tx.requestsOf('sw3')), ['PKG-2026-0001']);
      // 0001's days are now only 2026-07-01; 0002 is gone; 0004 is new.
      assert.deepEqual(ids(await tx.requestsActiveBetween('2026-01-01', '2026-02-28')), ['PKG-2026-0004']);
      assert.deepEqual(ids(await tx.requestsActiveBetween('2026-07-01', '2026-07-01')), ['PKG-2026-0001']);
      assert.deepEqual(ids(await tx.agreements()), ['agr-1', 'agr-2']);
      assert.deepEqual(ids(await tx.pendingPosts()), ['post:3', 'post:4']);
      assert.deepEqual(ids(await tx.postsOfBatch('batch-a')), ['post:1', 'post:2', 'post:4']);
      assert.deepEqual(await tx.jobs(), []);
      // A put after a read is seen by the next read too.
      tx.put('jobs', { id: 'job-2', kind: 'remind', at: '2026-01-02T00:00:00.000Z', ref: 'x' });
      assert.deepEqual(ids(await tx.jobs()), ['job-2']);
    });
    // And all of it committed, each item audited once with its value before the transaction.
    const audit = await store.audit({ action: 'seed', collection: 'requests', id: 'PKG-2026-0001' });
    assert.equal(audit.length, 2);
    assert.equal((audit[1].before as PackageRequest).state, 'open');
    assert.equal((audit[1].after as PackageRequest).state, 'closed');
  });

  it('leaves nothing of a rolled-back transaction in the reads', async () => {
    await assert.rejects(
      store.transact(as, async (tx) => {
        tx.put('requests', request('PKG-2026-0009', { state: 'open' }));
        assert.equal((await tx.openCallOffs()).length, 2);
        throw new Error('changed my mind');
      }),
    );
    await store.transact(as, async (tx) => assert.deepEqual(ids(await tx.openCallOffs()), ['PKG-2026-0001']));
  });

  it('answers the named reads from indexes', async () => {
    const url = (store as unknown as { pool: pg.Pool }).pool.options.connectionString!;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string) => (await client.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(await plan(`SELECT doc FROM requests WHERE state = 'open'`), /requests_open/);
      assert.match(await plan(`SELECT doc FROM requests WHERE owner = 'sw1'`), /requests_owner/);
      assert.match(await plan(`SELECT request_id FROM request_days WHERE day BETWEEN '2026-01-01' AND '2026-02-01'`), /request_days_day/);
      assert.match(await plan(`SELECT doc FROM outbox WHERE status = 'pending'`), /outbox_pending/);
      assert.match(await plan(`SELECT doc FROM outbox WHERE batch_id = 'batch-a'`), /outbox_batch/);
      assert.match(await plan(`SELECT doc FROM users WHERE doc -> 'roles' ? 'broker'`), /users_roles/);
    } finally {
      await client.end();
    }
  });
});
