import assert from 'node:assert/strict';
import type { Change } from '../../../src/store/store.js';
import { eventually, openStores } from './helpers.js';

type Counter = { id: string; value: number };
const as = { actor: 'u1', action: 'test' };

describe('PostgresStore change feed', function () {
  this.timeout(30_000);
  const stores = openStores();
  afterEach(() => stores.closeAll());

  it('tells local watchers right after commit, in commit order, with the committed values', async () => {
    const [store] = await stores.instances(1);
    const seen: Change<Counter>[] = [];
    const stop = store.watch('counters', (c) => seen.push(c));
    await store.transact(as, (tx) => tx.put('counters', { id: 'a', value: 1 }));
    assert.deepEqual(seen, [{ id: 'a', after: { id: 'a', value: 1 } }], 'heard before transact resolved');
    await store.transact(as, (tx) => tx.delete('counters', 'a'));
    await assert.rejects(store.transact(as, (tx) => { tx.put('counters', { id: 'b', value: 1 }); throw new Error('no'); }));
    stop();
    await store.transact(as, (tx) => tx.put('counters', { id: 'c', value: 1 }));
    assert.deepEqual(seen, [
      { id: 'a', after: { id: 'a', value: 1 } },
      { id: 'a', after: null },
    ]);
  });

  it('carries one instance\'s commits to the other\'s watchers, and not back to itself twice', async () => {
    const [a, b] = await stores.instances(2);
    const atA: Change<Counter>[] = [];
    const atB: Change<Counter>[] = [];
    a.watch('counters', (c) => atA.push(c));
    b.watch('counters', (c) => atB.push(c));
    await a.transact(as, (tx) => tx.put('counters', { id: 'x', value: 1 }));
    await a.transact(as, (tx) => tx.put('counters', { id: 'y', value: 2 }));
    await b.transact(as, (tx) => tx.delete('counters', 'x'));
    // B's own delete is heard at once, A's two commits when their notifications arrive; each
    // remote change is read fresh, so the last value heard of an item is its current one.
    await eventually(() => assert.equal(atB.length, 3));
    const lastAtB = new Map(atB.map((c) => [c.id, c.after]));
    assert.deepEqual(lastAtB, new Map([['x', null], ['y', { id: 'y', value: 2 }]]));
    await eventually(() => assert.deepEqual(atA.map((c) => [c.id, c.after?.value ?? null]), [['x', 1], ['y', 2], ['x', null]]));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(atA.length, 3, 'no duplicates of its own changes');
  });

  it('keeps hearing other instances after its LISTEN connection drops', async () => {
    const [a, b] = await stores.instances(2);
    const atB: Change<Counter>[] = [];
    b.watch('counters', (c) => atB.push(c));
    const pool = (a as unknown as { pool: import('pg').Pool }).pool;
    const dropped = (await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN brokerage_changes' AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid);
    assert.equal(dropped.length, 2, 'both instances listen');
    await pool.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [dropped]);
    // Both instances' LISTEN connections were dropped: commit once both listen again on new
    // connections (a terminated backend can linger in pg_stat_activity; a commit in the gap is not
    // heard, which the outbox's and scheduler's re-reads of the store cover).
    const listening = async () => (await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN brokerage_changes' AND state = 'idle' AND pid <> ALL($1::int[])`, [dropped])).rows[0].n;
    await eventually(async () => assert.equal(await listening(), 2));
    await a.transact(as, (tx) => tx.put('counters', { id: 'after-drop', value: 1 }));
    await eventually(() => assert.deepEqual(atB.map((c) => c.id), ['after-drop']));
  });
});
