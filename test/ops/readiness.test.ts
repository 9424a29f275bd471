/**
 * GET /readyz (issue 27, part 3): ready only while the store answers and its schema is the one this
 * build needs, and not while the instance stops; /healthz stays liveness. On the embedded store and
 * on a real PostgreSQL server, whose database is held behind a lock and its schema made older.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServer, type Server } from '../../index.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { knownMigrations } from '../../src/store/postgres/migrate.js';
import { freshDatabase } from '../support/postgres.js';

const LINK_SECRET = 'readiness-test-link-secret-0123456789abcdef';

const get = async (server: Server, path: string) => {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('GET /readyz', function () {
  this.timeout(30_000);
  let dir: string;
  let server: Server | undefined;

  const start = async (env: Record<string, string> = {}) => {
    server = await startServer({ ...loadConfig({ HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'error', ...env }), PORT: 0 }, silentLogger);
    return server;
  };

  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'readyz-'))));
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('on the embedded store: ready while it runs, and not once it shuts down', async () => {
    const s = await start();
    assert.deepEqual(await get(s, '/readyz'), { status: 200, body: { status: 'ready', store: 'lowdb' } });
    // From the moment it stops, new connections are refused; a request on a connection still busy gets 503 "stopping".
    const closing = s.close();
    const after = await get(s, '/readyz').catch((e: Error) => ({ status: 0, body: { refused: (e.cause as { code?: string })?.code } as Record<string, unknown> }));
    assert.ok(after.status === 0 ? after.body.refused === 'ECONNREFUSED' : after.status === 503 && after.body.status === 'stopping', JSON.stringify(after));
    await closing;
    server = undefined;
  });

  describe('on PostgreSQL', () => {
    let url: string;

    beforeEach(async () => {
      url = await freshDatabase();
    });

    it('is ready at the build\'s schema, and says which version the database and the build are at', async () => {
      const s = await start({ DATABASE_URL: url, LINK_SECRET });
      const newest = (await knownMigrations()).at(-1)!.version;
      assert.deepEqual(await get(s, '/readyz'), { status: 200, body: { status: 'ready', store: 'postgres', schema: { database: newest, build: newest } } });
    });

    it('is not ready while the store does not answer in 2 s (the database stuck behind a lock), and ready again once it does', async () => {
      const s = await start({ DATABASE_URL: url, LINK_SECRET });
      const blocker = new pg.Client({ connectionString: url });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE');
        const t0 = Date.now();
        const stuck = await get(s, '/readyz');
        assert.equal(stuck.status, 503);
        assert.deepEqual(stuck.body, { status: 'not ready', store: 'postgres', reason: 'the store does not answer' });
        assert.ok(Date.now() - t0 < 4_000, 'answered after the 2 s the check allows, not when the database did');
        assert.equal((await get(s, '/healthz')).status, 200, 'liveness does not depend on the database');
        await blocker.query('ROLLBACK');
        assert.equal((await get(s, '/readyz')).status, 200);
      } finally {
        await blocker.end();
      }
    });

    it('is not ready when the database lacks a migration this build needs (restored from an older backup), but is with a newer one', async () => {
      const s = await start({ DATABASE_URL: url, LINK_SECRET });
      const newest = (await knownMigrations()).at(-1)!;
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        await db.query('DELETE FROM schema_migrations WHERE version = $1', [newest.version]);
        const older = await get(s, '/readyz');
        assert.equal(older.status, 503);
        assert.deepEqual(older.body, { status: 'not ready', store: 'postgres', schema: { database: newest.version - 1, build: newest.version }, reason: 'the database schema is not the one this build needs' });
        // A newer build applied its migration (a rolling upgrade): this instance still serves.
        await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2), ($3, $4)', [newest.version, newest.name, newest.version + 1, 'from_a_newer_build']);
        assert.deepEqual(await get(s, '/readyz'), { status: 200, body: { status: 'ready', store: 'postgres', schema: { database: newest.version + 1, build: newest.version } } });
      } finally {
        await db.end();
      }
    });
  });
});
