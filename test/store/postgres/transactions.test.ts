import assert from 'node:assert/strict';
import pg from 'pg';
import type { Entity } from '../../../src/store/store.js';
import { openStores } from './helpers.js';

const as = { actor: 'u1', action: 'test' };

describe('PostgresStore transactions', function () {
  this.timeout(60_000);
  const stores = openStores();
  afterEach(() => stores.closeAll());

  it('commits staged puts and deletes, audited with before and after', async () => {
    const [store] = await stores.instances(1);
    await store.transact(as, (tx) => tx.put('counters', { id: 'c', value: 1 }));
    await store.transact({ actor: 'u2', action: 'bump' }, async (tx) => {
      const c = (await tx.get('counters', 'c'))!;
      tx.put('counters', { ...c, value: c.value + 1 });
      tx.put('counters', { id: 'gone', value: 0 });
      tx.delete('counters', 'gone');
    });
    assert.deepEqual(await store.get('counters', 'c'), { id: 'c', value: 2 });
    assert.equal(await store.get('counters', 'gone'), undefined);
    const bumps = await store.audit({ action: 'bump' });
    assert.deepEqual(
      bumps.map((e) => [e.actor, e.collection, e.id, e.before, e.after]),
      [
        ['u2', 'counters', 'c', { id: 'c', value: 1 }, { id: 'c', value: 2 }],
        ['u2', 'counters', 'gone', null, null],
      ],
    );
    assert.ok(bumps[0].seq < bumps[1].seq);
    assert.equal((await store.audit()).length, 3);
  });

  it('keeps nothing when fn throws, except keepOnAbort notes', async () => {
    const [store] = await stores.instances(1);
    await assert.rejects(
      store.transact(as, async (tx) => {
        tx.put('counters', { id: 'c', value: 1 });
        tx.note('refused', { why: 'forged' }, { keepOnAbort: true });
        tx.note('dropped', {});
        await tx.openCallOffs(); // flushes the put: the rollback must still undo it
        throw new Error('no');
      }),
      /no/,
    );
    assert.equal(await store.get('counters', 'c'), undefined);
    const audit = await store.audit();
    assert.deepEqual(audit.map((e) => [e.action, e.collection, e.id, e.after]), [['refused', '-', '-', { why: 'forged' }]]);
  });

  it('get inside a transaction sees its own staged puts and deletes first', async () => {
    const [store] = await stores.instances(1);
    await store.transact(as, (tx) => tx.put('counters', { id: 'a', value: 1 }));
    await store.transact(as, async (tx) => {
      tx.put('counters', { id: 'b', value: 2 });
      tx.delete('counters', 'a');
      assert.deepEqual(await tx.get('counters', 'b'), { id: 'b', value: 2 });
      assert.equal(await tx.get('counters', 'a'), undefined);
    });
  });

  it('loses and duplicates nothing: 100 concurrent increments of one counter across two instances', async () => {
    const [a, b] = await stores.instances(2, { poolSize: 5 });
    await a.transact(as, (tx) => tx.put('counters', { id: 'n', value: 0 }));
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? a : b).transact({ actor: 'u', action: 'increment' }, async (tx) => {
          const n = (await tx.get('counters', 'n'))!;
          tx.put('counters', { ...n, value: n.value + 1 });
          return n.value + 1;
        }).then((v) => seen.push(v)),
      ),
    );
    assert.deepEqual(await a.get('counters', 'n'), { id: 'n', value: 100 });
    assert.deepEqual([...seen].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal((await b.audit({ action: 'increment' })).length, 100);
  });

  it('makes a keyed change once when two instances race with the same idempotency key', async () => {
    const [a, b] = await stores.instances(2);
    await a.transact(as, (tx) => tx.put('counters', { id: 'n', value: 0 }));
    let runs = 0;
    const bump = (store: typeof a) =>
      store.transact({ ...as, idempotencyKey: 'click-1' }, async (tx) => {
        runs++;
        const n = (await tx.get('counters', 'n'))!;
        tx.put('counters', { ...n, value: n.value + 1 });
        return { value: n.value + 1 };
      });
    const results = await Promise.all([bump(a), bump(b), bump(a), bump(b)]);
    assert.deepEqual(results, [{ value: 1 }, { value: 1 }, { value: 1 }, { value: 1 }]);
    assert.deepEqual(await b.get('counters', 'n'), { id: 'n', value: 1 });
    assert.equal((await a.audit({ action: 'test', collection: 'counters', id: 'n' })).length, 2);
    assert.ok(runs >= 1);
    assert.deepEqual(await a.transact({ ...as, idempotencyKey: 'click-1' }, () => ({ value: 99 })), { value: 1 });
  });

  it('gives both racers one answer even when their changes do not overlap (the receipt key decides)', async () => {
    const [a, b] = await stores.instances(2);
    // Both first attempts are inside fn before either commits: only the receipt can collide.
    let entered = 0;
    let bothIn!: () => void;
    const barrier = new Promise<void>((r) => (bothIn = r));
    const act = (store: typeof a, name: string) =>
      store.transact({ ...as, idempotencyKey: 'approve-7' }, async (tx) => {
        if (++entered === 2) bothIn();
        await Promise.race([barrier, new Promise((r) => setTimeout(r, 2000))]);
        tx.put('counters', { id: `done-by-${name}`, value: 1 });
        return name;
      });
    const [ra, rb] = await Promise.all([act(a, 'a'), act(b, 'b')]);
    assert.equal(entered, 2);
    assert.equal(ra, rb);
    assert.deepEqual(await a.get('counters', `done-by-${ra}`), { id: `done-by-${ra}`, value: 1 });
    assert.equal(await a.get('counters', `done-by-${ra === 'a' ? 'b' : 'a'}`), undefined);
    assert.deepEqual((await a.audit({ collection: 'counters' })).map((e) => e.id), [`done-by-${ra}`]);
  });

  it('keeps the audit append-only in the database: UPDATE, DELETE and TRUNCATE raise', async () => {
    const [store] = await stores.instances(1);
    await store.transact(as, (tx) => tx.put('counters', { id: 'c', value: 1 }));
    const url = (store as unknown as { pool: pg.Pool }).pool.options.connectionString!;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await assert.rejects(client.query(`UPDATE audit SET actor = 'someone else'`), /append-only: UPDATE/);
      await assert.rejects(client.query('DELETE FROM audit'), /append-only: DELETE/);
      await assert.rejects(client.query('TRUNCATE audit'), /append-only: TRUNCATE/);
    } finally {
      await client.end();
    }
    assert.equal((await store.audit()).length, 1);
  });

  it('runs every connection with synchronous_commit on (a resolved transaction is on disk)', async () => {
    const [store] = await stores.instances(1);
    const pool = (store as unknown as { pool: pg.Pool }).pool;
    assert.equal((await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit, 'on');
  });

  it('refuses work once closed', async () => {
    const [store] = await stores.instances(1);
    const pending = store.transact(as, (tx) => tx.put('counters', { id: 'c', value: 1 } as Entity & { value: number }));
    await store.close();
    await pending;
    await assert.rejects(store.transact(as, () => 1), /closed/);
  });
});
