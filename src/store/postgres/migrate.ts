import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withClient } from './pool.js';
import type { SchemaState } from '../health.js';

const DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Any constant: instances that start together wait on it, so one applies and the others see it done. */
const LOCK_KEY = 1_407_202_614;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * How a migration's SQL runs. The text before any marker runs in one transaction, which also
 * records the version when nothing follows. `-- @batch` starts a statement run again and again,
 * each run its own short transaction, until it changes no row: a backfill of a big table in
 * batches, so its locks last a batch, not the table (it must pick rows still to do, e.g.
 * `WHERE x IS NULL LIMIT 5000`). `-- @no-transaction` starts statements run outside a transaction
 * (CREATE INDEX CONCURRENTLY). Every part must be safe to run again: a migration stopped half-way
 * (a crash, a deploy) is recorded only when all of it has run, and is run again from the start.
 */
export interface Step {
  kind: 'transaction' | 'batch' | 'no-transaction';
  sql: string;
}

export function stepsOf(sql: string): Step[] {
  const steps: Step[] = [];
  let kind: Step['kind'] = 'transaction';
  let lines: string[] = [];
  const end = () => {
    if (lines.some((l) => l.trim() && !l.trim().startsWith('--'))) steps.push({ kind, sql: lines.join('\n') });
    lines = [];
  };
  for (const line of sql.split('\n')) {
    const marker = /^--\s*@(batch|no-transaction)\s*$/.exec(line.trim());
    if (!marker) {
      lines.push(line);
      continue;
    }
    end();
    kind = marker[1] as Step['kind'];
  }
  end();
  return steps;
}

/** The migrations the code knows, in order: `NNN_name.sql`. */
export async function knownMigrations(dir = DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: await readFile(dir + f, 'utf8') })),
  );
}

/** What a batch step reports while it works (npm run migrate prints it); the step waits for it. */
export type Progress = (message: string) => void | Promise<void>;

/**
 * Brings the database to the code's schema: each pending migration in turn (see Step), under a
 * session advisory lock, so two instances starting together do not race: the second waits, then
 * finds nothing left to do. Refuses a database already at a newer version: older code must not
 * write a newer schema. Returns the versions it applied.
 */
export async function migrate(pool: pg.Pool, migrations?: Migration[], progress: Progress = () => {}): Promise<number[]> {
  const known = migrations ?? (await knownMigrations());
  return withClient(pool, async (client) => {
    // Tried, not waited for: a statement waiting on the lock holds a snapshot, which a CREATE INDEX
    // CONCURRENTLY run by the holder waits for in turn (a deadlock).
    while (!(await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY])).rows[0].ok) await new Promise((r) => setTimeout(r, 200));
    try {
      const recorded = await checkVersions(client, known);
      const applied: number[] = [];
      // Each one not recorded, not only those above the newest recorded: a migration numbered below
      // one already applied (branches landing out of order) still runs.
      for (const m of known) {
        if (recorded.has(m.version)) continue;
        await apply(client, m, progress);
        applied.push(m.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    }
  });
}

/** The versions the database has recorded, after refusing a database the code cannot serve. */
async function checkVersions(client: pg.PoolClient, known: Migration[]): Promise<Set<number>> {
  // Created only when missing: the bot's own role may not create tables (docs/postgres.md).
  const { rows: found } = await client.query(`SELECT to_regclass('schema_migrations') AS t`);
  if (!found[0].t) {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  }
  const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const current = rows[0].v ?? 0;
  const newest = known.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(`The database is at schema version ${current}, newer than this bot knows (${newest}). Upgrade the bot.`);
  }
  // A version recorded under another name is another migration (a build that numbered them
  // differently): going on would skip this one, so stop and say which.
  const { rows: recorded } = await client.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations');
  for (const r of recorded) {
    const mine = known.find((m) => m.version === r.version);
    if (mine && mine.name !== r.name) throw new Error(`The database recorded migration ${r.version} as "${r.name}", but this bot's migration ${r.version} is "${mine.name}". Restore the database from before that migration, or run the build that made it.`);
  }
  return new Set(recorded.map((r) => r.version));
}

async function inTransaction(client: pg.PoolClient, fn: () => Promise<unknown>): Promise<void> {
  await client.query('BEGIN');
  try {
    await fn();
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

async function apply(client: pg.PoolClient, m: Migration, progress: Progress): Promise<void> {
  const record = () => client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
  const steps = stepsOf(m.sql);
  for (const [i, step] of steps.entries()) {
    const last = i === steps.length - 1;
    if (step.kind === 'transaction') {
      await inTransaction(client, async () => {
        await client.query(step.sql);
        if (last) await record();
      });
      if (last) return;
    } else if (step.kind === 'no-transaction') {
      await client.query(step.sql);
    } else {
      let rows = 0;
      for (let batch = 1; ; batch++) {
        let changed = 0;
        await inTransaction(client, async () => {
          changed = (await client.query(step.sql)).rowCount ?? 0;
        });
        if (!changed) break;
        rows += changed;
        if (batch % 20 === 0) await progress(`migration ${m.version}: ${rows} rows so far`);
      }
      await progress(`migration ${m.version}: ${rows} rows in batches`);
    }
  }
  await record();
}

/**
 * Where the database's schema stands against this build's migrations: current when every
 * migration the build knows is recorded under its own name. A newer database (another instance
 * applied a newer build's migration during a rolling upgrade) is still current for this build:
 * migrations only add (docs/operations.md), so the older code keeps working on it.
 */
export async function schemaState(db: Pick<pg.Pool, 'query'>, known: Migration[]): Promise<SchemaState> {
  const { rows: found } = await db.query(`SELECT to_regclass('schema_migrations') AS t`);
  const applied = found[0].t ? (await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows : [];
  const newest = known.at(-1)?.version ?? 0;
  const byVersion = new Map(applied.map((m) => [m.version, m.name]));
  return {
    applied,
    known: newest,
    current: known.every((m) => byVersion.get(m.version) === m.name),
    newer: applied.some((m) => m.version > newest),
  };
}
