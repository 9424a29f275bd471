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

/** The migrations the code knows, in order: `NNN_name.sql`. */
export async function knownMigrations(dir = DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: await readFile(dir + f, 'utf8') })),
  );
}

/**
 * Brings the database to the code's schema: every pending migration in one transaction (all or
 * none), under a transaction-scoped advisory lock, so two instances starting together do not race.
 * Refuses a database already at a newer version: older code must not write a newer schema.
 * Returns the versions it applied.
 */
export async function migrate(pool: pg.Pool, migrations?: Migration[]): Promise<number[]> {
  const known = migrations ?? (await knownMigrations());
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      // Created only when missing: the bot's own role may not create tables (docs/postgres.md).
      const { rows: found } = await client.query(`SELECT to_regclass('schema_migrations') AS t`);
      if (!found[0].t) {
        await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
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
      const applied: number[] = [];
      for (const m of known) {
        if (m.version <= current) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        applied.push(m.version);
      }
      await client.query('COMMIT');
      return applied;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });
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
