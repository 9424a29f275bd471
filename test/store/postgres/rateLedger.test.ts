import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { PgRateLedger, type PoolLike } from '../../../src/store/postgres/rateLedger.js';
import { PgPostReceipts } from '../../../src/store/postgres/postReceipts.js';
import type { RateLimits } from '../../../src/outbox/ratePolicy.js';

/**
 * The shared rate ledger and post receipts on a real PostgreSQL: TEST_DATABASE_URL names it
 * (skipped without). Each run works in a schema of its own, dropped afterwards.
 */
type Pool = PoolLike & { end(): Promise<void> };
const url = process.env.TEST_DATABASE_URL;
const MIGRATION = new URL('../../../src/store/postgres/migrations/100_shared_work.sql', import.meta.url);
const LIMITS: RateLimits = { perConversation: [{ limit: 7, perMs: 1000 }, { limit: 8, perMs: 2000 }], perBot: [{ limit: 12, perMs: 1000 }], marginMs: 0, botGapMs: 0 };

describe('PostgreSQL: the shared rate ledger and post receipts', function () {
  this.timeout(20_000);
  const schema = `shared_work_${randomBytes(4).toString('hex')}`;
  const pools: Pool[] = [];
  let admin: Pool;
  /** A pool as one instance of the bot has it. */
  const instance = async (): Promise<Pool> => {
    // A name in a variable: `pg` is the PostgreSQL adapter's dependency, not one this code is typed against.
    const name = 'pg';
    const pg = ((await import(name)) as { default: { Pool: new (o: object) => Pool } }).default;
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 4 });
    pools.push(pool);
    return pool;
  };
  before(async function () {
    if (!url) return this.skip();
    admin = await instance();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(await readFile(MIGRATION, 'utf8'));
  });
  after(async () => {
    if (!url) return;
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const p of pools) await p.end();
  });
  beforeEach(async () => {
    await admin.query('TRUNCATE rate_sends, post_receipts');
  });

  it('records a send while every window has room, then says how long to wait', async () => {
    const ledger = new PgRateLedger(admin, LIMITS);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) waits.push(await ledger.take('provider:a'));
    assert.deepEqual(waits.slice(0, 7), [0, 0, 0, 0, 0, 0, 0]);
    assert.ok(waits[7] > 0 && waits[7] <= 1000, `the eighth waits for the first to leave the second (${waits[7]} ms)`);
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM rate_sends WHERE key = 'provider:a'");
    assert.equal(rows[0].n, 7, 'refused takes record nothing');
  });

  it('holds the limits for several instances together', async () => {
    const [a, b, c] = [new PgRateLedger(await instance(), LIMITS), new PgRateLedger(await instance(), LIMITS), new PgRateLedger(await instance(), LIMITS)];
    const all = await Promise.all([a, b, c].flatMap((l) => Array.from({ length: 10 }, () => l.take('provider:busy'))));
    assert.equal(all.filter((w) => w === 0).length, 7, '7 in a second to one conversation, whoever sends');
    // Bot-wide: 12 a second over every conversation.
    await admin.query('TRUNCATE rate_sends');
    const spread = await Promise.all([a, b, c].flatMap((l, i) => Array.from({ length: 6 }, (_, j) => l.take(`provider:${i}-${j}`))));
    assert.equal(spread.filter((w) => w === 0).length, 12);
  });

  it('prunes sends older than the longest window, by the database clock', async () => {
    await admin.query("INSERT INTO rate_sends (key, at) VALUES ('provider:old', now() - interval '2 hours'), ('provider:a', now() + interval '10 seconds')");
    const ledger = new PgRateLedger(admin, LIMITS, 0);
    const wait = await ledger.take('provider:b');
    assert.equal(wait, 0);
    await new Promise((r) => setTimeout(r, 100)); // the prune runs after the take
    const { rows } = await admin.query('SELECT key FROM rate_sends ORDER BY key');
    assert.deepEqual(rows.map((r) => r.key).sort(), ['bot', 'provider:a', 'provider:b']);
  });

  it('keeps receipts every instance reads, once each', async () => {
    const mine = new PgPostReceipts(await instance());
    const theirs = new PgPostReceipts(await instance());
    await mine.record('post:1', 'act-1');
    await mine.record('post:1', 'act-1'); // a repeat is harmless
    await mine.record('post:1', 'act-1b');
    assert.deepEqual(await theirs.of('post:1'), ['act-1', 'act-1b']);
    assert.deepEqual(await theirs.of('post:2'), []);
    assert.deepEqual(await theirs.leftOver(), []);
  });
});
