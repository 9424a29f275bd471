/**
 * Bids while a migration runs on the 100 000-call-off database: the bot keeps answering while a
 * schema change adds derived data to `requests` and `bids` (the shape of migration 006, which
 * rewrote both tables under lock: 477 s at a million call-offs). Run two ways on two copies of the
 * database, each with bids and echoes paired as in the latency run for as long as it lasts:
 * - in steps (src/store/postgres/migrate.ts): the columns added empty, a trigger for new writes,
 *   the rows filled 5 000 a transaction (`-- @batch`), the helper indexes built CONCURRENTLY;
 * - in one transaction, as 006 did: generated columns, the tables rewritten under lock.
 * The migration is the bench's own (a version above the code's, on a throwaway copy), so the kept
 * databases stay at the code's version.
 */
import { migrate, knownMigrations, type Migration } from '../src/store/postgres/migrate.js';
import { createPool } from '../src/store/postgres/pool.js';
import { bidData, type Base } from './generate.js';
import { invoke, percentile, post, settle, startBot, stopBot } from './bot.js';
import type { MockConnector } from './mockConnector.js';
import { createDatabase, withDb, type PgServer } from './postgres.js';
import { accepted, pairs, round, startDate } from './turns.js';

/** Derived columns on both tables, added the way a big database can take while it serves. */
const IN_STEPS = `
ALTER TABLE requests ADD COLUMN IF NOT EXISTS bench_lots text;
ALTER TABLE bids ADD COLUMN IF NOT EXISTS bench_price numeric;
CREATE OR REPLACE FUNCTION bench_lots(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(doc #>> '{package,lots}', '') $$;
CREATE OR REPLACE FUNCTION bench_price(doc jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce((doc #>> '{versions,-1,weeklyPrice}')::numeric, 0) $$;
CREATE OR REPLACE FUNCTION bench_requests_derive() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.bench_lots := bench_lots(NEW.doc); RETURN NEW; END $$;
CREATE OR REPLACE FUNCTION bench_bids_derive() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.bench_price := bench_price(NEW.doc); RETURN NEW; END $$;
DROP TRIGGER IF EXISTS bench_derive ON requests;
CREATE TRIGGER bench_derive BEFORE INSERT OR UPDATE OF doc ON requests FOR EACH ROW EXECUTE FUNCTION bench_requests_derive();
DROP TRIGGER IF EXISTS bench_derive ON bids;
CREATE TRIGGER bench_derive BEFORE INSERT OR UPDATE OF doc ON bids FOR EACH ROW EXECUTE FUNCTION bench_bids_derive();
-- @no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS bench_requests_to_do ON requests (id) WHERE bench_lots IS NULL;
-- @no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS bench_bids_to_do ON bids (id) WHERE bench_price IS NULL;
-- @batch
UPDATE requests SET bench_lots = bench_lots(doc) WHERE id IN (SELECT id FROM requests WHERE bench_lots IS NULL LIMIT 5000)
-- @batch
UPDATE bids SET bench_price = bench_price(doc) WHERE id IN (SELECT id FROM bids WHERE bench_price IS NULL LIMIT 5000)
-- @no-transaction
DROP INDEX CONCURRENTLY IF EXISTS bench_requests_to_do;
-- @no-transaction
DROP INDEX CONCURRENTLY IF EXISTS bench_bids_to_do;
`;

/** The same, as 006 did it: generated columns, both tables rewritten in the migration's one transaction. */
const IN_ONE_TRANSACTION = `
-- Both tables locked first: taken one after the other, a bid holding one and waiting for the other deadlocks with it.
LOCK TABLE requests, bids IN ACCESS EXCLUSIVE MODE;
CREATE OR REPLACE FUNCTION bench_lots(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(doc #>> '{package,lots}', '') $$;
CREATE OR REPLACE FUNCTION bench_price(doc jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce((doc #>> '{versions,-1,weeklyPrice}')::numeric, 0) $$;
ALTER TABLE requests ADD COLUMN bench_lots text GENERATED ALWAYS AS (bench_lots(doc)) STORED;
ALTER TABLE bids ADD COLUMN bench_price numeric GENERATED ALWAYS AS (bench_price(doc)) STORED;
`;

type Log = (msg: string) => void;

export interface DuringMigration {
  migration_seconds: number;
  bids: number;
  bid_p50_ms: number;
  bid_p99_ms: number;
  bid_max_ms: number;
  echo_p99_ms: number;
  refused: number;
}

/**
 * On a fresh copy of `source`, starts the bot, then the migration, and pairs echoes and bids until
 * it has finished (at least `minPairs`). `prepare` puts the live council back on the copy.
 */
async function during(server: PgServer, source: string, sql: string, base: Base, mock: MockConnector, env: (url: string) => Record<string, string>, prepare: (url: string) => Promise<void>, log: Log): Promise<DuringMigration> {
  const url = await createDatabase(server, 'bench_migration', source);
  await prepare(url);
  const known = await knownMigrations();
  const bench: Migration = { version: known.at(-1)!.version + 100, name: 'bench_derived_columns', sql };
  const bot = await startBot(`${env(url).DATA_DIR}`, env(url));
  const bids: number[] = [];
  const echoes: number[] = [];
  let refused = 0;
  let seconds = 0;
  try {
    await settle(bot.child.pid!);
    const start = await startDate(base.dir, base.live[0]);
    const work = pairs(base);
    const pool = createPool(url, 2);
    let done = false;
    const t0 = performance.now();
    const migrating = migrate(pool, [...known, bench], (m) => log(`    ${m}`))
      .then(() => (seconds = (performance.now() - t0) / 1000))
      .finally(() => {
        done = true;
        return pool.end();
      });
    for (let k = 0; k < work.length && !done; k++) {
      const { ref, provider } = work[k];
      echoes.push((await post(bot.url, invoke(mock.url, provider, 'bench.echo', { ref }), 600_000)).ms);
      await new Promise((r) => setTimeout(r, 10));
      const bid = await post(bot.url, invoke(mock.url, provider, 'bid.submit', bidData(ref, start, 22 + k / 100)), 600_000);
      if (!accepted(bid)) refused++;
      bids.push(bid.ms);
      await new Promise((r) => setTimeout(r, 10));
    }
    await migrating;
  } finally {
    await stopBot(bot);
  }
  return {
    migration_seconds: round(seconds, 1),
    bids: bids.length,
    bid_p50_ms: round(percentile(bids, 50)),
    bid_p99_ms: round(percentile(bids, 99)),
    bid_max_ms: round(Math.max(0, ...bids)),
    echo_p99_ms: round(percentile(echoes, 99)),
    refused,
  };
}

/** Both ways, on copies of `source` (the kept 100 000-call-off database). */
export async function bidsDuringMigration(server: PgServer, source: string, base: Base, mock: MockConnector, env: (url: string) => Record<string, string>, prepare: (url: string) => Promise<void>, log: Log) {
  const inSteps = await during(server, source, IN_STEPS, base, mock, env, prepare, log);
  log(`  migration in steps: ${inSteps.migration_seconds} s; ${inSteps.bids} bids meanwhile, p50 ${inSteps.bid_p50_ms} ms, p99 ${inSteps.bid_p99_ms} ms, longest ${inSteps.bid_max_ms} ms; refused ${inSteps.refused}`);
  const oneTransaction = await during(server, source, IN_ONE_TRANSACTION, base, mock, env, prepare, log);
  log(`  the same in one transaction (as 006): ${oneTransaction.migration_seconds} s; ${oneTransaction.bids} bids meanwhile, p99 ${oneTransaction.bid_p99_ms} ms, longest ${oneTransaction.bid_max_ms} ms`);
  await withDb(server.url('postgres'), (c) => c.query('DROP DATABASE IF EXISTS bench_migration WITH (FORCE)'));
  return { in_steps: inSteps, one_transaction: oneTransaction };
}
