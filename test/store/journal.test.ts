import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

describe('a transaction over several files survives a crash between their writes', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'bb-journal-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finishes the journalled change on the next open, then removes the journal', async () => {
    const first = await openBrokerageLowdb(dir);
    await first.transact({ actor: 't', action: 'seed' }, async (tx) => tx.put('counters', { id: 'PKG-2026', value: 1 }));
    await first.close();
    // What a process killed after writing the journal, but before the files, leaves behind.
    const change = [
      { collection: 'counters', id: 'PKG-2026', after: { id: 'PKG-2026', value: 2 } },
      { collection: 'lots', id: 'autism', after: { id: 'autism', name: 'Autism' } },
      { collection: 'counters', id: 'gone', after: null },
    ];
    await writeFile(join(dir, 'journal.json'), JSON.stringify(change));

    const second = await openBrokerageLowdb(dir);
    assert.equal((await second.get('counters', 'PKG-2026'))?.value, 2);
    assert.ok(await second.get('lots', 'autism'));
    assert.ok(!(await readdir(dir)).includes('journal.json'));
    await second.close();
  });

  it('leaves no journal behind after an ordinary multi-file transaction', async () => {
    const store = await openBrokerageLowdb(dir);
    await store.transact({ actor: 't', action: 'two files' }, async (tx) => {
      tx.put('counters', { id: 'PKG-2026', value: 1 });
      tx.put('lots', { id: 'autism', name: 'Autism' });
    });
    assert.ok(!(await readdir(dir)).includes('journal.json'));
    await store.close();
  });
});
