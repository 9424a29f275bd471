import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbStore, SCHEMA_VERSION } from '../../src/store/lowdb/engine.js';
import { StoreClosedError } from '../../src/store/store.js';

type Thing = { id: string; n?: number; label?: string };
type Cols = { things: Thing; counters: Thing; receipts: { id: string; at: string; result: unknown } };

const tx = { actor: 'tester', action: 'test' };

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'store-test-'));
}

async function jsonFilesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.json')) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }
  return out;
}

describe('LowdbStore', () => {
  let dir: string;
  let store: LowdbStore<Cols> | undefined;

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const open = async (options = {}) => (store = await LowdbStore.open<Cols>(dir, options));

  describe('reading and writing through transactions', () => {
    it('puts, gets, finds and deletes items', async () => {
      const s = await open();
      await s.transact(tx, async (t) => {
        t.put('things', { id: 'a', n: 1 });
        t.put('things', { id: 'b', n: 2 });
      });
      assert.deepEqual(await s.get('things', 'a'), { id: 'a', n: 1 });
      assert.equal(await s.get('things', 'missing'), undefined);
      assert.deepEqual(((await s.scan('things')).filter((x) => (x.n ?? 0) > 1)).map((x) => x.id), ['b']);
      await s.transact(tx, async (t) => t.delete('things', 'a'));
      assert.equal(await s.get('things', 'a'), undefined);
      assert.equal((await s.scan('things')).length, 1);
    });

    it('lets a transaction see its own staged changes', async () => {
      const s = await open();
      await s.transact(tx, async (t) => t.put('things', { id: 'a', n: 1 }));
      const seen = await s.transact(tx, async (t) => {
        t.put('things', { id: 'b', n: 2 });
        t.delete('things', 'a');
        return { b: await t.get('things', 'b'), a: await t.get('things', 'a') };
      });
      assert.deepEqual(seen, { b: { id: 'b', n: 2 }, a: undefined });
    });

    it('hands out copies, so changing a returned item changes nothing stored', async () => {
      const s = await open();
      await s.transact(tx, async (t) => t.put('things', { id: 'a', n: 1 }));
      const got = (await s.get('things', 'a'))!;
      got.n = 99;
      (await s.scan('things'))[0].n = 98;
      await s.transact(tx, async (t) => {
        (await t.get('things', 'a'))!.n = 97;
      });
      assert.equal((await s.get('things', 'a'))!.n, 1);
    });

    it('keeps nothing of a transaction that throws, and writes no audit entry for it', async () => {
      const s = await open();
      await s.transact(tx, async (t) => t.put('things', { id: 'a', n: 1 }));
      await assert.rejects(
        s.transact(tx, async (t) => {
          t.put('things', { id: 'a', n: 2 });
          t.put('things', { id: 'b', n: 3 });
          t.note('something', {});
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await s.scan('things'), [{ id: 'a', n: 1 }]);
      assert.equal((await s.audit()).length, 1);
      // and the queue keeps working after a failure
      await s.transact(tx, async (t) => t.put('things', { id: 'c' }));
      assert.ok(await s.get('things', 'c'));
    });

    it('loses no update when 200 transactions increment one counter at once', async () => {
      const s = await open();
      await s.transact(tx, async (t) => t.put('counters', { id: 'c', n: 0 }));
      await Promise.all(
        Array.from({ length: 200 }, () =>
          s.transact(tx, async (t) => {
            const c = (await t.get('counters', 'c'))!;
            await new Promise((r) => setImmediate(r));
            t.put('counters', { ...c, n: c.n! + 1 });
          }),
        ),
      );
      assert.equal((await s.get('counters', 'c'))!.n, 200);
      await s.close();
      const again = await open();
      assert.equal((await again.get('counters', 'c'))!.n, 200);
    });

    it('loses no item when 200 distinct puts across 8 shards run at once, and a re-opened store sees them all', async () => {
      const s = await open({ shards: { things: 8 } });
      await Promise.all(Array.from({ length: 200 }, (_, i) => s.transact(tx, async (t) => t.put('things', { id: `item-${i}`, n: i }))));
      assert.equal((await s.scan('things')).length, 200);
      await s.close();
      const again = await open({ shards: { things: 8 } });
      const items = await again.scan('things');
      assert.equal(items.length, 200);
      assert.deepEqual(new Set(items.map((x) => x.n)), new Set(Array.from({ length: 200 }, (_, i) => i)));
    });

    it('refuses transactions once closed', async () => {
      const s = await open();
      await s.close();
      await assert.rejects(s.transact(tx, () => 1), StoreClosedError);
    });
  });

  describe('idempotency keys', () => {
    it('returns the first result for a repeated key and changes nothing the second time', async () => {
      const s = await open();
      let runs = 0;
      const once = () =>
        s.transact({ ...tx, idempotencyKey: 'click-1' }, async (t) => {
          runs++;
          const n = ((await t.get('counters', 'c'))?.n ?? 0) + 1;
          t.put('counters', { id: 'c', n });
          return { n };
        });
      const [a, b] = await Promise.all([once(), once()]);
      const c = await once();
      assert.deepEqual([a, b, c], [{ n: 1 }, { n: 1 }, { n: 1 }]);
      assert.equal(runs, 1);
      assert.equal((await s.get('counters', 'c'))!.n, 1);
      assert.equal((await s.audit()).length, 1, 'one audit entry, none for the repeats');
    });

    it('remembers keys across a restart', async () => {
      const s = await open();
      await s.transact({ ...tx, idempotencyKey: 'k' }, async (t) => t.put('things', { id: 'a', n: 1 }));
      await s.close();
      const again = await open();
      await again.transact({ ...tx, idempotencyKey: 'k' }, async (t) => t.put('things', { id: 'a', n: 2 }));
      assert.equal((await again.get('things', 'a'))!.n, 1);
    });

    it('returns undefined again when the first run returned undefined', async () => {
      const s = await open();
      const first = await s.transact({ ...tx, idempotencyKey: 'u' }, async (t) => t.put('things', { id: 'a' }));
      const second = await s.transact({ ...tx, idempotencyKey: 'u' }, async (t) => t.put('things', { id: 'a' }));
      assert.equal(first, undefined);
      assert.equal(second, undefined);
    });
  });

  describe('the audit log', () => {
    it('records actor, action, collection, id, before and after with an increasing seq', async () => {
      const s = await open();
      await s.transact({ actor: 'u1', action: 'things.add' }, async (t) => t.put('things', { id: 'a', n: 1 }));
      await s.transact({ actor: 'u2', action: 'things.edit' }, async (t) => t.put('things', { id: 'a', n: 2 }));
      await s.transact({ actor: 'u3', action: 'things.remove' }, async (t) => t.delete('things', 'a'));
      const log = await s.audit();
      assert.deepEqual(
        log.map(({ seq, actor, action, collection, id, before, after }) => ({ seq, actor, action, collection, id, before, after })),
        [
          { seq: 1, actor: 'u1', action: 'things.add', collection: 'things', id: 'a', before: null, after: { id: 'a', n: 1 } },
          { seq: 2, actor: 'u2', action: 'things.edit', collection: 'things', id: 'a', before: { id: 'a', n: 1 }, after: { id: 'a', n: 2 } },
          { seq: 3, actor: 'u3', action: 'things.remove', collection: 'things', id: 'a', before: { id: 'a', n: 2 }, after: null },
        ],
      );
      assert.ok(log.every((e) => !Number.isNaN(Date.parse(e.at))));
      assert.equal((await s.audit({ actor: 'u2' })).length, 1);
    });

    it('records a note that is not a data change', async () => {
      const s = await open();
      await s.transact({ actor: 'u1', action: 'bid.submit' }, async (t) => t.note('refused a forged action', { verb: 'award' }));
      const [entry] = await s.audit();
      assert.equal(entry.actor, 'u1');
      assert.equal(entry.action, 'refused a forged action');
      assert.deepEqual(entry.after, { verb: 'award' });
      assert.equal(entry.collection, '-');
    });

    it('continues the seq after a restart', async () => {
      const s = await open();
      await s.transact(tx, async (t) => t.put('things', { id: 'a' }));
      await s.close();
      const again = await open();
      await again.transact(tx, async (t) => t.put('things', { id: 'b' }));
      assert.deepEqual((await again.audit()).map((e) => e.seq), [1, 2]);
    });

    it('skips a torn last line and starts the next entry on a new line', async () => {
      const s = await open();
      await s.transact(tx, async (t) => t.put('things', { id: 'a' }));
      await s.close();
      await appendFile(join(dir, 'audit.jsonl'), '{"seq":2,"at":"2026-01-01T00:00:00.000Z","actor":"x","act');
      const again = await open();
      await again.transact(tx, async (t) => t.put('things', { id: 'b' }));
      const log = await again.audit();
      assert.deepEqual(log.map((e) => e.id), ['a', 'b']);
      assert.ok(log[1].seq > log[0].seq);
      const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trimEnd().split('\n');
      assert.equal(lines.length, 3);
      assert.doesNotThrow(() => JSON.parse(lines[2]));
    });
  });

  describe('sharding', () => {
    it('spreads a collection over its shard files', async () => {
      const s = await open({ shards: { things: 8 } });
      await s.transact(tx, async (t) => {
        for (let i = 0; i < 64; i++) t.put('things', { id: `t-${i}` });
      });
      await s.flush(); // data files are brought up to date by the checkpoint
      const files = (await readdir(join(dir, 'things'))).filter((f) => f.endsWith('.json')).sort();
      assert.equal(files.length, 8);
      let total = 0;
      for (const f of files) {
        const n = Object.keys(JSON.parse(await readFile(join(dir, 'things', f), 'utf8')).items).length;
        assert.ok(n > 0, `shard ${f} holds something`);
        total += n;
      }
      assert.equal(total, 64);
    });

    for (const [from, to] of [
      [8, 3],
      [1, 8],
      [3, 5],
    ] as const) {
      it(`re-homes every item when re-opened with ${to} shards instead of ${from}`, async () => {
        const s = await open({ shards: { things: from } });
        await s.transact(tx, async (t) => {
          for (let i = 0; i < 50; i++) t.put('things', { id: `t-${i}`, n: i });
        });
        await s.close();
        const again = await open({ shards: { things: to } });
        assert.equal((await again.scan('things')).length, 50);
        for (let i = 0; i < 50; i++) assert.deepEqual(await again.get('things', `t-${i}`), { id: `t-${i}`, n: i });
        // changes after re-homing stick, and nothing deleted comes back on the next open
        await again.transact(tx, async (t) => {
          t.delete('things', 't-0');
          t.put('things', { id: 't-1', n: 100 });
        });
        await again.close();
        const third = await open({ shards: { things: to } });
        assert.equal(await third.get('things', 't-0'), undefined);
        assert.equal((await third.get('things', 't-1'))!.n, 100);
        assert.equal((await third.scan('things')).length, 49);
        const files = (await readdir(join(dir, 'things'))).filter((f) => /^\d+\.json$/.test(f));
        assert.ok(files.every((f) => Number.parseInt(f, 10) < to), `no stale shard files left: ${files.join(', ')}`);
      });
    }
  });

  describe('schema version', () => {
    it('writes meta.json with the current version in a new folder', async () => {
      await open();
      const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8'));
      assert.equal(meta.schemaVersion, SCHEMA_VERSION);
    });

    it('refuses data written by a newer version with a clear message', async () => {
      await writeFile(join(dir, 'meta.json'), JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, createdAt: '2026-01-01T00:00:00Z' }));
      await assert.rejects(LowdbStore.open(dir), /schema version 2, newer than this bot understands \(1\)\. Upgrade the bot/);
    });

    it('refuses an unreadable meta.json with a message naming the file', async () => {
      await writeFile(join(dir, 'meta.json'), '{ nope');
      await assert.rejects(LowdbStore.open(dir), /meta\.json cannot be read/);
    });
  });

  describe('the lock', () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      child = undefined;
    });

    it('refuses a second live process on the same folder', async () => {
      child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'holdStore.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child!.stdout!.on('data', (d: Buffer) => d.toString().includes('open') && resolve());
        child!.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
      await assert.rejects(LowdbStore.open(dir), (e: Error) => {
        assert.match(e.message, new RegExp(`in use by another process \\(pid ${child!.pid}\\)`));
        return true;
      });
    });

    it('refuses a lock file holding the pid of another live process', async () => {
      child = spawn('sleep', ['30'], { stdio: 'ignore' });
      await writeFile(join(dir, 'store.lock'), String(child.pid));
      await assert.rejects(LowdbStore.open(dir), /in use by another process/);
    });

    it('takes over a stale lock whose process is gone', async () => {
      const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
      await new Promise((r) => dead.on('exit', r));
      await writeFile(join(dir, 'store.lock'), String(dead.pid));
      const s = await open();
      assert.equal(await readFile(join(dir, 'store.lock'), 'utf8'), String(process.pid));
      await s.close();
      await assert.rejects(readFile(join(dir, 'store.lock')), { code: 'ENOENT' });
    });

    it('refuses a second open of the same folder in this process until the first is closed', async () => {
      const s = await open();
      await assert.rejects(LowdbStore.open(dir), /in use/);
      await s.close();
      store = await LowdbStore.open<Cols>(dir);
    });
  });

  describe('a crash mid-write', function () {
    this.timeout(60_000);

    it('leaves every data file whole and keeps every acknowledged item', async () => {
      let ackedSoFar = 0;
      for (let round = 0; round < 4; round++) {
        const acked: string[] = [];
        const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'writeLoop.ts'), dir, `r${round}`], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let buffered = '';
        child.stdout!.on('data', (d: Buffer) => {
          buffered += d.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const l of lines) if (l.startsWith('ack ')) acked.push(l.slice(4));
        });
        const exited = new Promise((r) => child.on('exit', r));
        // wait until it is writing, then kill it at a random moment
        while (acked.length < 5 && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
        child.kill('SIGKILL');
        await exited;
        assert.ok(acked.length >= 5, `round ${round}: the child acknowledged writes`);
        ackedSoFar += acked.length;

        for (const f of await jsonFilesIn(dir)) {
          const text = await readFile(f, 'utf8');
          assert.doesNotThrow(() => JSON.parse(text), `round ${round}: ${f} is whole JSON`);
        }
        const s = await LowdbStore.open<Cols>(dir, { shards: { things: 4 } });
        try {
          for (const id of acked) assert.ok(await s.get('things', id), `round ${round}: acknowledged ${id} survived`);
          const c = await s.get('counters', 'c');
          assert.ok(c && c.n! >= ackedSoFar, 'the counter kept every acknowledged increment');
          await s.transact(tx, async (t) => t.put('things', { id: `after-${round}` }));
          assert.ok((await s.audit()).length > 0);
        } finally {
          await s.close();
        }
      }
    });
  });
});
