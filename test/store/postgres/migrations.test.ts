import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { knownMigrations, migrate, stepsOf, type Migration } from '../../../src/store/postgres/migrate.js';
import { PostgresStore } from '../../../src/store/postgres/postgresStore.js';
import { requestDays } from '../../../src/store/postgres/writes.js';
import type { PackageRequest } from '../../../src/domain/request.js';
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

  it('are numbered 1, 2, 3, … with no number used twice or skipped', async () => {
    // Two branches that each add "the next" migration collide here first, not in a database.
    const versions = (await knownMigrations()).map((m) => m.version);
    assert.deepEqual(versions, versions.map((_, i) => i + 1));
  });

  it('is a no-op when run again', async () => {
    await migrate(pool);
    const before = await tables();
    assert.deepEqual(await migrate(pool), []);
    assert.deepEqual(await tables(), before);
  });

  it('applies a migration numbered below one already recorded (branches that landed out of order)', async () => {
    const known = await knownMigrations();
    const skipped = known.at(-2)!;
    assert.deepEqual(await migrate(pool, known.filter((m) => m !== skipped)), known.filter((m) => m !== skipped).map((m) => m.version));
    assert.deepEqual(await migrate(pool, known), [skipped.version]);
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
    const versions = (await knownMigrations()).map((m) => m.version);
    // Progress lines of a batched step may come first; the last line names every migration.
    assert.match((await run()).stdout, new RegExp(`Applied migrations ${versions.join(', ')}\\.\n$`));
    assert.match((await run()).stdout, /The schema is up to date\./);
  });

  it('008 puts back the report days that the old day index lost, and removes none', async () => {
    const known = await knownMigrations();
    await migrate(pool, known.filter((m) => m.version < 8));
    const requests = [
      { id: 'R1', submittedAt: '2026-01-10T10:00:00.000Z', calloff: { publishedAt: '2026-01-10T15:00:00.000Z' } },
      { id: 'R2', submittedAt: '2026-01-05T10:00:00.000Z', calloff: { publishedAt: '2026-01-06T09:00:00.000Z' }, choices: [{ at: '2026-02-01T10:00:00.000Z' }, { at: 'not a time' }], award: { approvedAt: '2026-03-31T23:30:00.000Z' } },
      { id: 'R3', submittedAt: '2026-02-01T12:00:00+01:00', award: { offContract: true, recordedAt: '2026-02-20T11:00:00.000Z' } },
      { id: 'R4', submittedAt: '', calloff: 'odd' },
      { id: 'R5' },
    ] as unknown as PackageRequest[];
    for (const r of requests) await pool.query('INSERT INTO requests (id, doc) VALUES ($1, $2)', [r.id, JSON.stringify(r)]);
    // What the old writes left: R1 saved twice (no rows), R2 some days, R3 all of them.
    await pool.query(`INSERT INTO request_days VALUES ('R2', '2026-01-06'), ('R3', '2026-02-01'), ('R3', '2026-02-20')`);
    assert.deepEqual(await migrate(pool, known.filter((m) => m.version <= 8)), [8]);
    const { rows } = await pool.query<{ request_id: string; day: string }>(`SELECT request_id, day::text AS day FROM request_days ORDER BY 1, 2`);
    assert.deepEqual(rows.map((r) => `${r.request_id} ${r.day}`), requests.flatMap((r) => requestDays(r).sort().map((d) => `${r.id} ${d}`)));
    assert.deepEqual(rows.map((r) => `${r.request_id} ${r.day}`), ['R1 2026-01-10', 'R2 2026-01-05', 'R2 2026-01-06', 'R2 2026-02-01', 'R2 2026-03-31', 'R3 2026-02-01', 'R3 2026-02-20']);
    const { rows: left } = await pool.query(`SELECT proname FROM pg_proc WHERE proname LIKE 'request_days_008%'`);
    assert.deepEqual(left, [], 'its helper is dropped');
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

  describe('a migration in steps (a big table backfilled in batches)', () => {
    /** A derived column on a table of 20 000 rows: added, kept by a trigger, filled 500 rows a transaction. */
    const backfill = (version: number): Migration => ({
      version,
      name: 'backfill_test',
      sql: `
        ALTER TABLE things ADD COLUMN IF NOT EXISTS doubled int;
        CREATE OR REPLACE FUNCTION things_doubled() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.doubled := NEW.n * 2; RETURN NEW; END $$;
        DROP TRIGGER IF EXISTS things_doubled ON things;
        CREATE TRIGGER things_doubled BEFORE INSERT OR UPDATE OF n ON things FOR EACH ROW EXECUTE FUNCTION things_doubled();
        -- @no-transaction
        CREATE INDEX CONCURRENTLY IF NOT EXISTS things_to_do ON things (id) WHERE doubled IS NULL;
        -- @batch
        UPDATE things SET doubled = n * 2 WHERE id IN (SELECT id FROM things WHERE doubled IS NULL LIMIT 500)
        -- @no-transaction
        DROP INDEX CONCURRENTLY IF EXISTS things_to_do;
      `,
    });

    beforeEach(async () => {
      await migrate(pool);
      await pool.query('CREATE TABLE things (id int PRIMARY KEY, n int NOT NULL)');
      await pool.query('INSERT INTO things SELECT g, g FROM generate_series(1, 20000) g');
    });

    it('reads the steps a file marks', () => {
      const steps = stepsOf('ALTER TABLE a ADD b int;\n-- @batch\nUPDATE a SET b = 1 WHERE b IS NULL\n-- a comment only\n-- @no-transaction\nCREATE INDEX CONCURRENTLY x ON a (b);\n');
      assert.deepEqual(steps.map((s) => s.kind), ['transaction', 'batch', 'no-transaction']);
      assert.match(steps[1].sql, /^UPDATE a SET b = 1 WHERE b IS NULL/m);
    });

    it('fills every row, a batch a transaction, while other writes to the table go through, and records the version last', async () => {
      const known = await knownMigrations();
      const version = known.at(-1)!.version + 1;
      let writtenMidway = false;
      let recordedMidway = true;
      const applied = await migrate(pool, [...known, backfill(version)], async (message) => {
        if (!/rows so far/.test(message) || writtenMidway) return;
        // Half-way: a write to a row not filled yet takes its lock at once, and the version is not recorded.
        const c = await pool.connect();
        try {
          await c.query(`SET lock_timeout = '2s'`);
          await c.query('UPDATE things SET n = 100000 WHERE id = 20000');
          writtenMidway = true;
          recordedMidway = (await c.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version])).rowCount === 1;
        } finally {
          c.release();
        }
      });
      assert.deepEqual(applied, [version]);
      assert.ok(writtenMidway, 'a write went through while the backfill was under way');
      assert.equal(recordedMidway, false);
      const { rows } = await pool.query('SELECT count(*)::int AS left, sum((doubled = n * 2)::int)::int AS right FROM things WHERE doubled IS NULL OR doubled = n * 2');
      assert.deepEqual(rows[0], { left: 20000, right: 20000 }, 'every row filled, the one written meanwhile by the trigger');
      assert.equal((await pool.query(`SELECT to_regclass('things_to_do') AS t`)).rows[0].t, null);
    });

    it('is run again from the start when it stopped half-way, and finishes', async () => {
      const known = await knownMigrations();
      const version = known.at(-1)!.version + 1;
      const broken = { ...backfill(version), sql: backfill(version).sql.replace('DROP INDEX CONCURRENTLY IF EXISTS things_to_do;', 'SELECT 1/0;') };
      await assert.rejects(migrate(pool, [...known, broken]), /division by zero/);
      assert.equal((await pool.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version])).rowCount, 0);
      assert.deepEqual(await migrate(pool, [...known, backfill(version)]), [version]);
      assert.equal((await pool.query('SELECT count(*)::int AS n FROM things WHERE doubled = n * 2')).rows[0].n, 20000);
    });
  });
});
