import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { copyFolder } from '../../../src/store/postgres/copyFolder.js';
import { PostgresStore } from '../../../src/store/postgres/postgresStore.js';
import { freshDatabase } from '../../support/postgres.js';

const run = promisify(execFile);

/** A small embedded data folder, written by hand in the lowdb adapter's format. */
async function writeFolder(dir: string): Promise<void> {
  const file = (items: Record<string, unknown>) => JSON.stringify({ schemaVersion: 1, items });
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ schemaVersion: 1, createdAt: '2026-01-01T00:00:00.000Z' }));
  await writeFile(join(dir, 'store.lock'), '2147483646'); // a pid no process has: the bot is stopped
  for (const c of ['requests', 'users', 'counters', 'outboxPending']) await mkdir(join(dir, c));
  await writeFile(
    join(dir, 'requests', 'PKG-2026-0001.json'),
    file({ 'PKG-2026-0001': { id: 'PKG-2026-0001', state: 'open', owner: 'sw1', submittedAt: '2026-01-05T10:00:00.000Z' } }),
  );
  await writeFile(
    join(dir, 'requests', 'PKG-2026-0002.json'),
    file({ 'PKG-2026-0002': { id: 'PKG-2026-0002', state: 'submitted', owner: 'sw2', submittedAt: '2026-02-01T10:00:00.000Z' } }),
  );
  await writeFile(join(dir, 'users', '0.json'), file({ b1: { id: 'b1', name: 'Bo', roles: ['broker'] } }));
  await writeFile(join(dir, 'counters', '0.json'), file({ 'PKG-2026': { id: 'PKG-2026', value: 2 } }));
  await writeFile(join(dir, 'outboxPending', '0.json'), file({ 'post:1': { id: 'post:1' } }));
  const entry = (seq: number, id: string) =>
    JSON.stringify({ seq, at: '2026-01-05T10:00:00.000Z', actor: 'sw1', action: 'submit', collection: 'requests', id, before: null, after: { id } });
  // Three whole entries, then a line torn by a crash mid-append (skipped, as the store does).
  await writeFile(join(dir, 'audit.jsonl'), [entry(1, 'PKG-2026-0001'), entry(2, 'PKG-2026-0002'), entry(3, 'PKG-2026-0002'), '{"seq":4,"at":"20'].join('\n'));
}

describe('copy-to-postgres', function () {
  this.timeout(60_000);
  let dir: string;
  let url: string;
  let pool: pg.Pool;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'brokerage-copy-'));
    await writeFolder(dir);
    url = await freshDatabase();
    pool = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterEach(async () => {
    await pool.end();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies a data folder, every count OK, and the store carries on from it', async () => {
    const report = await copyFolder(dir, pool);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.lines.map((l) => [l.collection, l.inFolder, l.inDatabase, l.ok]),
      [
        ['counters', 1, 1, true],
        ['requests', 2, 2, true],
        ['users', 1, 1, true],
        ['audit', 3, 3, true],
      ],
    );
    const store = await PostgresStore.open(url);
    try {
      assert.deepEqual(await store.get('counters', 'PKG-2026'), { id: 'PKG-2026', value: 2 });
      await store.transact({ actor: 'sw1', action: 'check' }, async (tx) => {
        assert.deepEqual((await tx.requestsActiveBetween('2026-02-01', '2026-02-01')).map((r) => r.id), ['PKG-2026-0002']);
        assert.deepEqual((await tx.usersWithRole('broker')).map((u) => u.id), ['b1']);
        tx.put('counters', { id: 'PKG-2026', value: 3 });
      });
      assert.deepEqual((await store.audit()).map((e) => e.seq), [1, 2, 3, 4], 'new entries continue after the copied ones');
    } finally {
      await store.close();
    }
  });

  it('prints the counts and exits 0 (npm run copy-to-postgres)', async () => {
    const { stdout } = await run('npx', ['tsx', 'scripts/copyToPostgres.ts', dir], { env: { ...process.env, DATABASE_URL: url } });
    assert.match(stdout, /requests\s+2\s+2\s+OK/);
    assert.match(stdout, /audit\s+3\s+3\s+OK/);
    assert.match(stdout, /every count matches/);
  });

  it('exits non-zero on a tampered folder and keeps nothing', async () => {
    // The same request in a second file, and a broken line in the middle of the audit log.
    await writeFile(join(dir, 'requests', 'stray.json'), JSON.stringify({ schemaVersion: 1, items: { 'PKG-2026-0001': { id: 'PKG-2026-0001', state: 'open', owner: 'x' } } }));
    await writeFile(join(dir, 'audit.jsonl'), '{"seq":1,"at":"2026-01-05T10:00:00.000Z","actor":"a","action":"b","collection":"c","id":"d","before":null,"after":null}\n{broken\n');
    const failed = await run('npx', ['tsx', 'scripts/copyToPostgres.ts', dir], { env: { ...process.env, DATABASE_URL: url } }).then(
      () => assert.fail('expected a non-zero exit'),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /requests\s+3\s+2\s+MISMATCH/);
    assert.match(failed.stdout, /audit\s+2\s+1\s+MISMATCH/);
    assert.match(failed.stdout, /rolled back/);
    assert.equal((await pool.query('SELECT count(*)::int AS n FROM requests')).rows[0].n, 0);
  });

  it('refuses while the bot runs, with an unfinished write, or into a database with data', async () => {
    await writeFile(join(dir, 'store.lock'), String(process.ppid));
    await assert.rejects(copyFolder(dir, pool), /in use by process .*stop it first/);
    await writeFile(join(dir, 'store.lock'), '2147483646');
    // What a bot killed before its checkpoint leaves (and an earlier version's journal.json).
    for (const journal of ['journal-3.jsonl', 'journal.json']) {
      await writeFile(join(dir, journal), '');
      await assert.rejects(copyFolder(dir, pool), new RegExp(`unfinished writes \\(${journal.replace('.', '\\.')}\\): start and stop the bot once`));
      await rm(join(dir, journal));
    }
    assert.equal((await copyFolder(dir, pool)).ok, true);
    await assert.rejects(copyFolder(dir, pool), /already has brokerage data/);
  });
});
