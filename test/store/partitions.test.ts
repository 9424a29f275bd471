import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbStore, shardStem, type ShardSpec } from '../../src/store/lowdb/engine.js';
import { callOffOf } from '../../src/store/collections.js';
import { SHARDS } from '../../src/store/lowdb/shards.js';

type Thing = { id: string; n?: number };
type Cols = { things: Thing; small: Thing };
const tx = { actor: 'tester', action: 'test' };
const BY_CALLOFF: Record<string, ShardSpec> = { things: { by: callOffOf, fallback: 2 } };

describe('LowdbStore partitions: one file per call-off, read when first needed', () => {
  let dir: string;
  let store: LowdbStore<Cols> | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'store-parts-'));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });
  const open = async (shards: Record<string, ShardSpec> = BY_CALLOFF) => (store = await LowdbStore.open<Cols>(dir, { shards }));
  const files = async (c = 'things') => (await readdir(join(dir, c))).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();

  it('keeps each call-off in its own file, and ids that name none in hash files', async () => {
    const s = await open();
    await s.transact(tx, async (t) => {
      t.put('things', { id: 'PKG-2026-0001', n: 1 });
      t.put('things', { id: 'PKG-2026-0001:caring-hands', n: 2 });
      t.put('things', { id: 'post:PKG-2026-0002:brightpath', n: 3 });
      t.put('things', { id: 'no-call-off-here', n: 4 });
    });
    await s.flush(); // data files are brought up to date by the checkpoint
    const names = await files();
    assert.ok(names.includes('PKG-2026-0001.json') && names.includes('PKG-2026-0002.json'), names.join());
    assert.ok(names.some((f) => /^\d\.json$/.test(f)), 'the id without a call-off went to a hash file');
    const one = JSON.parse(await readFile(join(dir, 'things', 'PKG-2026-0001.json'), 'utf8'));
    assert.deepEqual(Object.keys(one.items).sort(), ['PKG-2026-0001', 'PKG-2026-0001:caring-hands']);
  });

  it('rewrites only the files a transaction touched', async () => {
    const s = await open();
    await s.transact(tx, async (t) => {
      for (let i = 1; i <= 5; i++) t.put('things', { id: `PKG-2026-000${i}`, n: i });
    });
    await s.flush();
    const before = await stat(join(dir, 'things', 'PKG-2026-0001.json'));
    await new Promise((r) => setTimeout(r, 20));
    await s.transact(tx, async (t) => t.put('things', { id: 'PKG-2026-0005:x', n: 50 }));
    await s.flush();
    assert.ok((await stat(join(dir, 'things', 'PKG-2026-0005.json'))).mtimeMs > before.mtimeMs);
    assert.equal((await stat(join(dir, 'things', 'PKG-2026-0001.json'))).mtimeMs, before.mtimeMs);
  });

  it('opens without reading keyed files; reads them on first use with get, transactions and find', async () => {
    let s = await open();
    await s.transact(tx, async (t) => {
      t.put('things', { id: 'PKG-2020-0001', n: 1 });
      t.put('things', { id: 'PKG-2020-0002', n: 2 });
      t.put('things', { id: 'PKG-2020-0003', n: 3 });
    });
    await s.close();
    // A broken file of one old call-off does not stop the bot from starting or serving the others.
    await writeFile(join(dir, 'things', 'PKG-2020-0003.json'), '{ torn');
    s = await open();
    assert.deepEqual(await s.get('things', 'PKG-2020-0001'), { id: 'PKG-2020-0001', n: 1 });
    assert.equal(await s.transact(tx, async (t) => (await t.get('things', 'PKG-2020-0002'))?.n), 2);
    await assert.rejects(s.get('things', 'PKG-2020-0003'), /PKG-2020-0003\.json cannot be read/);
    await writeFile(join(dir, 'things', 'PKG-2020-0003.json'), JSON.stringify({ schemaVersion: 1, items: { 'PKG-2020-0003': { id: 'PKG-2020-0003', n: 3 } } }));
    assert.deepEqual(((await s.scan('things')).filter((x) => (x.n ?? 0) >= 2)).map((x) => x.id).sort(), ['PKG-2020-0002', 'PKG-2020-0003']);
  });

  it('adds to a call-off file it has not read yet without losing what the file held', async () => {
    let s = await open();
    await s.transact(tx, async (t) => t.put('things', { id: 'PKG-2021-0001', n: 1 }));
    await s.close();
    s = await open();
    await s.transact(tx, async (t) => t.put('things', { id: 'PKG-2021-0001:late', n: 2 }));
    await s.close();
    s = await open();
    assert.equal((await s.scan('things')).length, 2);
  });

  it('removes a call-off file once its last item is deleted', async () => {
    const s = await open();
    await s.transact(tx, async (t) => t.put('things', { id: 'close:PKG-2026-0009', n: 1 }));
    await s.flush();
    assert.ok((await files()).includes('PKG-2026-0009.json'));
    await s.transact(tx, async (t) => t.delete('things', 'close:PKG-2026-0009'));
    await s.flush();
    assert.ok(!(await files()).includes('PKG-2026-0009.json'));
    assert.equal(await s.get('things', 'close:PKG-2026-0009'), undefined);
  });

  it('moves a data folder from hash shards to one file per call-off, losing nothing', async () => {
    let s = await open({ things: 4 });
    await s.transact(tx, async (t) => {
      for (let i = 1; i <= 30; i++) t.put('things', { id: `PKG-2025-${String(i).padStart(4, '0')}:p`, n: i });
      t.put('things', { id: 'plain', n: 0 });
    });
    await s.close();
    s = await open();
    assert.equal((await s.scan('things')).length, 31);
    for (let i = 1; i <= 30; i++) assert.equal((await s.get('things', `PKG-2025-${String(i).padStart(4, '0')}:p`))?.n, i);
    const names = await files();
    assert.equal(names.filter((f) => f.startsWith('PKG-')).length, 30);
    assert.ok(names.filter((f) => /^\d+\.json$/.test(f)).length <= 2, `old shard files left: ${names.join()}`);
    await s.close();
    s = await open();
    assert.equal((await s.scan('things')).length, 31, 'and again after a restart');
  });

  it('names files safely and keeps numeric names for hash shards', () => {
    assert.equal(shardStem(SHARDS.bids, 'PKG-2026-0042:caring-hands'), 'PKG-2026-0042');
    assert.equal(shardStem(SHARDS.outbox, 'report:publish:pkg-2026-0042'), 'PKG-2026-0042');
    assert.match(shardStem(SHARDS.outbox, 'whatever'), /^\d+$/);
    assert.equal(shardStem({ by: (id) => id }, '../../etc'), 'k.._.._etc');
    assert.equal(shardStem({ by: (id) => id }, '42'), 'k42');
  });

  describe('watch', () => {
    it('tells a watcher each committed change, after it is saved; nothing for a transaction that throws', async () => {
      const s = await open();
      const seen: string[] = [];
      const stop = s.watch('things', (c) => seen.push(`${c.id}=${c.after ? c.after.n : 'deleted'}`));
      await s.transact(tx, async (t) => {
        t.put('things', { id: 'PKG-2026-0001', n: 1 });
        t.put('small', { id: 'x' });
      });
      await assert.rejects(
        s.transact(tx, async (t) => {
          t.put('things', { id: 'PKG-2026-0002', n: 2 });
          throw new Error('no');
        }),
      );
      await s.transact(tx, async (t) => t.delete('things', 'PKG-2026-0001'));
      stop();
      await s.transact(tx, async (t) => t.put('things', { id: 'PKG-2026-0003', n: 3 }));
      assert.deepEqual(seen, ['PKG-2026-0001=1', 'PKG-2026-0001=deleted']);
    });
  });

  describe('the audit log on open', () => {
    it('continues the seq from the end of a long log without reading all of it, skipping a torn last line', async () => {
      let s = await open();
      await s.transact(tx, async (t) => t.put('small', { id: 'a' }));
      await s.close();
      const big = 'x'.repeat(2000);
      const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify({ seq: i + 2, at: '2026-01-01T00:00:00Z', actor: 'x', action: 'y', collection: '-', id: '-', before: null, after: big }));
      await appendFile(join(dir, 'audit.jsonl'), lines.join('\n') + '\n{"seq":999,"at":"2026');
      s = await open();
      await s.transact(tx, async (t) => t.put('small', { id: 'b' }));
      const log = await s.audit();
      assert.equal(log.at(-1)?.seq, 602);
      assert.equal(log.at(-1)?.id, 'b');
    });
  });
});
