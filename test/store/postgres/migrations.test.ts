import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { knownMigrations, migrate } from '../../../src/store/postgres/migrate.js';
import { PostgresStore } from '../../../src/store/postgres/postgresStore.js';
import { freshDatabase } from '../../support/postgres.js';

describe('PostgreSQL migrations', function () {
  this.timeout(30_000);
  let url: string;
  let pool: pg.Pool;

  beforeEach(async () => {
    url = await freshDatabase();
    pool = new pg.Pool({ connectionString: url, max: 4 });
  });
  afterEach(() => pool.end());

  const tables = async () =>
    (await pool.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t);

  it('gives a fresh database every migration, in order, and records each', async () => {
    const known = await knownMigrations();
    assert.deepEqual(await migrate(pool), known.map((m) => m.version));
    const { rows } = await pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows, known.map((m) => ({ version: m.version, name: m.name })));
    for (const t of ['requests', 'request_days', 'outbox', 'receipts', 'claims', 'audit', 'schema_migrations']) assert.ok((await tables()).includes(t), t);
  });

  it('is a no-op when run again', async () => {
    await migrate(pool);
    const before = await tables();
    assert.deepEqual(await migrate(pool), []);
    assert.deepEqual(await tables(), before);
  });

  it('lets two instances that start together apply the migrations once', async () => {
    const other = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const [a, b] = await Promise.all([migrate(pool), migrate(other)]);
      assert.equal(a.length + b.length, (await knownMigrations()).length);
    } finally {
      await other.end();
    }
  });

  it('npm run migrate applies them, then says the schema is up to date', async () => {
    const run = () => promisify(execFile)('npx', ['tsx', 'scripts/migrate.ts'], { env: { ...process.env, DATABASE_URL: url } });
    assert.match((await run()).stdout, /Applied migrations 1, 2, 3, 4, 5, 6, 7\./);
    assert.match((await run()).stdout, /The schema is up to date\./);
  });

  it('refuses a database that recorded one of its versions under another migration', async () => {
    await migrate(pool);
    await pool.query(`UPDATE schema_migrations SET name = 'report_figures' WHERE version = 5`);
    await assert.rejects(migrate(pool), /recorded migration 5 as "report_figures", but this bot's migration 5 is "rate_pauses"/);
  });

  it('refuses a database at a newer version than the code knows', async () => {
    await migrate(pool);
    await pool.query(`INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')`);
    await assert.rejects(migrate(pool), /schema version 999, newer than this bot knows/);
    await assert.rejects(PostgresStore.open(url), /newer than this bot knows/);
  });
});
