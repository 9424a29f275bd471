import assert from 'node:assert/strict';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

describe('lowdb adapter: a transaction resolves once durable', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'bb-durable-'))));
  afterEach(async () => {
    sinon.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('fsyncs the audit append, each data file once, and each touched folder once, before it resolves', async () => {
    const store = await openBrokerageLowdb(dir);
    try {
      // FileHandle is not exported; its prototype is reached through an open handle.
      const probe = await open(join(dir, 'probe'), 'w');
      const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
      await probe.close();
      const sync = sinon.spy(proto, 'sync');
      let resolved = false;
      const done = store
        .transact({ actor: 't', action: 'two files' }, async (tx) => {
          tx.put('lots', { id: 'autism', name: 'Autism' });
          tx.put('zones', { id: 'bury', name: 'Bury', neighbours: [] });
        })
        .then(() => (resolved = true));
      await done;
      assert.ok(resolved);
      // audit 1; journal 1 + its folder 1; lots and zones files 2; their folders 2.
      assert.equal(sync.callCount, 7);
      assert.ok(!(await readdir(join(dir, 'lots'))).some((f) => f.endsWith('.tmp')), 'no temp file left');
      sync.resetHistory();
      await store.transact({ actor: 't', action: 'one file' }, async (tx) => tx.put('lots', { id: 'autism', name: 'Autism (renamed)' }));
      assert.equal(sync.callCount, 3, 'audit, the file, its folder: no journal for one file');
      sync.resetHistory();
      await store.transact({ actor: 't', action: 'read only' }, async (tx) => tx.list('lots'));
      assert.equal(sync.callCount, 0, 'a transaction that changes nothing writes nothing');
    } finally {
      await store.close();
    }
  });
});
