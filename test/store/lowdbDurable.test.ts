import assert from 'node:assert/strict';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

/** FileHandle is not exported; its prototype is reached through an open handle. */
async function fileHandlePrototype(dir: string): Promise<{ sync: () => Promise<void>; datasync: () => Promise<void> }> {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void>; datasync: () => Promise<void> };
  await probe.close();
  await rm(join(dir, 'probe'));
  return proto;
}

describe('lowdb adapter: a transaction resolves once durable', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'bb-durable-'))));
  afterEach(async () => {
    sinon.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves only after its journal record is fsynced: one fsync a transaction, data files later at the checkpoint', async () => {
    const store = await openBrokerageLowdb(dir);
    try {
      const proto = await fileHandlePrototype(dir);
      const original = proto.datasync;
      let synced = 0;
      let resolvedAfter = -1;
      const datasync = sinon.stub(proto, 'datasync').callsFake(async function (this: unknown) {
        await original.call(this);
        synced++;
      });
      await store.transact({ actor: 't', action: 'two files' }, async (tx) => {
        tx.put('lots', { id: 'autism', name: 'Autism' });
        tx.put('zones', { id: 'bury', name: 'Bury', neighbours: [] });
      }).then(() => (resolvedAfter = synced));
      assert.equal(resolvedAfter, 1, 'resolved after the one journal fsync, not before');
      assert.ok(!(await readdir(join(dir, 'lots'))).some((f) => f.endsWith('.json')), 'the data file waits for the checkpoint');
      datasync.resetHistory();
      await store.transact({ actor: 't', action: 'read only' }, async (tx) => tx.list('lots'));
      assert.equal(datasync.callCount, 0, 'a transaction that changes nothing writes nothing');
      await store.flush();
      assert.ok((await readdir(join(dir, 'lots'))).some((f) => f.endsWith('.json')), 'the checkpoint wrote the data file');
      assert.ok(!(await readdir(dir)).some((f) => f.startsWith('journal-')), 'and removed the journal it replaces');
    } finally {
      await store.close();
    }
  });

  it('lets a burst share its fsyncs (group commit), each transaction still answered only once its record is on disk', async () => {
    const store = await openBrokerageLowdb(dir);
    try {
      const proto = await fileHandlePrototype(dir);
      const original = proto.datasync;
      // The disk is slow: every fsync takes 20 ms, so transactions pile up behind it.
      let synced = 0;
      const datasync = sinon.stub(proto, 'datasync').callsFake(async function (this: unknown) {
        await new Promise((r) => setTimeout(r, 20));
        await original.call(this);
        synced++;
      });
      const answeredAfter: number[] = [];
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store
            .transact({ actor: 't', action: 'burst' }, async (tx) => {
              const c = await tx.get('counters', 'c');
              tx.put('counters', { id: 'c', value: (c?.value ?? 0) + 1 });
              tx.put('lots', { id: `lot-${i}`, name: `Lot ${i}` });
            })
            .then(() => answeredAfter.push(synced)),
        ),
      );
      assert.equal((await store.get('counters', 'c'))?.value, 50, 'no update lost');
      assert.ok(datasync.callCount <= 10, `50 transactions shared ${datasync.callCount} fsyncs`);
      assert.ok(answeredAfter.every((n) => n >= 1), 'none answered before an fsync');
      assert.equal((await store.audit({ action: 'burst' })).length, 100, 'every change audited once');
    } finally {
      await store.close();
    }
  });

  it('makes a read wait for a change it would see until that change is on disk, and for nothing else', async () => {
    const store = await openBrokerageLowdb(dir);
    try {
      await store.transact({ actor: 't', action: 'seed' }, async (tx) => {
        tx.put('lots', { id: 'autism', name: 'Autism' });
        tx.put('zones', { id: 'bury', name: 'Bury', neighbours: [] });
      });
      const proto = await fileHandlePrototype(dir);
      const original = proto.datasync;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      sinon.stub(proto, 'datasync').callsFake(async function (this: unknown) {
        await held;
        await original.call(this);
      });
      let renamed = false;
      const writing = store.transact({ actor: 't', action: 'rename' }, async (tx) => tx.put('lots', { id: 'autism', name: 'Autism (renamed)' })).then(() => (renamed = true));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await store.get('zones', 'bury'))?.name, 'Bury', 'an item nobody is changing is read at once');
      let read: string | undefined;
      const reading = store.get('lots', 'autism').then((l) => (read = l?.name));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(read, undefined, 'the changed item waits for its fsync');
      assert.equal(renamed, false);
      release();
      await Promise.all([writing, reading]);
      assert.equal(read, 'Autism (renamed)');
    } finally {
      await store.close();
    }
  });

  it('stops, rather than answer, when the journal cannot be written, and the next open has only what was durable', async () => {
    const store = await openBrokerageLowdb(dir);
    await store.transact({ actor: 't', action: 'kept' }, async (tx) => tx.put('lots', { id: 'kept', name: 'Kept' }));
    const proto = await fileHandlePrototype(dir);
    sinon.stub(proto, 'datasync').rejects(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await assert.rejects(store.transact({ actor: 't', action: 'lost' }, async (tx) => tx.put('lots', { id: 'lost', name: 'Lost' })), /EIO/);
    await assert.rejects(store.transact({ actor: 't', action: 'after' }, async (tx) => tx.list('lots')), /EIO/, 'no transaction runs on a store whose memory is ahead of its disk');
    await assert.rejects(store.get('lots', 'kept'), /EIO/);
    sinon.restore();
    await store.close();
    const again = await openBrokerageLowdb(dir);
    try {
      assert.ok(await again.get('lots', 'kept'));
      // The unacknowledged record was written but not fsynced: after a process crash it may survive, and its audit entry with it.
      const lost = await again.get('lots', 'lost');
      assert.equal(!!lost, (await again.audit({ action: 'lost' })).length === 1, 'a change is there only with its audit entry');
    } finally {
      await again.close();
    }
  });
});
