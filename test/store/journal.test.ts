import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import { LowdbStore } from '../../src/store/lowdb/engine.js';

const journals = async (dir: string) => (await readdir(dir)).filter((f) => /^journal-\d+\.jsonl$/.test(f));

describe('the lowdb journal: what a crash leaves is finished on the next open', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'bb-journal-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replays a journal.json left by an earlier version, then removes it', async () => {
    const first = await openBrokerageLowdb(dir);
    await first.transact({ actor: 't', action: 'seed' }, async (tx) => tx.put('counters', { id: 'PKG-2026', value: 1 }));
    await first.close();
    // What the earlier version, killed after writing its journal but before the files, left behind.
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

  it('leaves no journal behind once closed', async () => {
    const store = await openBrokerageLowdb(dir);
    await store.transact({ actor: 't', action: 'two files' }, async (tx) => {
      tx.put('counters', { id: 'PKG-2026', value: 1 });
      tx.put('lots', { id: 'autism', name: 'Autism' });
    });
    assert.equal((await journals(dir)).length, 1, 'durable in the journal before the checkpoint');
    await store.close();
    assert.deepEqual(await journals(dir), []);
    assert.ok((await readdir(join(dir, 'lots'))).length);
  });

  it('keeps every acknowledged transaction of a burst killed (SIGKILL) before its checkpoint, each audited once', async function () {
    this.timeout(60_000);
    const acked: string[] = [];
    let done = false;
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'burstWriter.ts'), dir, 'PKG-2026-0001', '200'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith('ack ')) acked.push(l.slice(4));
        if (l === 'done') done = true;
      }
    });
    const exited = new Promise((r) => child.on('exit', r));
    while (!done && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await exited;
    assert.equal(acked.length, 200);
    assert.ok((await journals(dir)).length, 'killed with its journal');
    // The torn start of a record nobody was told about, as a kill mid-append leaves it.
    await appendFile(join(dir, (await journals(dir)).at(-1)!), '{"audit":[{"seq":99999,"at":"20');

    const store = await LowdbStore.open<{ things: { id: string; n: number }; counters: { id: string; n: number } }>(dir, { shards: { things: { by: (id) => id.split(':')[0] } } });
    try {
      for (const id of acked) assert.ok(await store.get('things', id), `${id} survived`);
      assert.equal((await store.get('counters', 'c'))?.n, 200);
      const audit = await store.audit({ action: 'write' });
      assert.equal(audit.length, 400, 'two entries a transaction, none twice');
      assert.equal(new Set(audit.map((e) => e.seq)).size, 400);
      assert.deepEqual(await journals(dir), [], 'replayed into the data files on open');
      const file = JSON.parse(await readFile(join(dir, 'things', 'PKG-2026-0001.json'), 'utf8')) as { items: Record<string, unknown> };
      assert.equal(Object.keys(file.items).length, 200);
    } finally {
      await store.close();
    }
  });

  it('refuses to open over a damaged journal file that is not the newest, naming it', async () => {
    await writeFile(join(dir, 'journal-1.jsonl'), '{"audit":[],"changes":[]}\n{ torn\n{"audit":[],"changes":[]}\n');
    await writeFile(join(dir, 'journal-2.jsonl'), '{"audit":[],"changes":[]}\n');
    await assert.rejects(openBrokerageLowdb(dir), /journal-1\.jsonl is damaged at line 2/);
  });
});
