import assert from 'node:assert/strict';
import type pg from 'pg';
import { PgRateLedger } from '../../../src/store/postgres/rateLedger.js';
import { createPool } from '../../../src/store/postgres/pool.js';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { freshDatabase } from '../../support/postgres.js';
import { eventually } from './helpers.js';
import { PgPostReceipts } from '../../../src/store/postgres/postReceipts.js';
import type { RateLimits } from '../../../src/outbox/ratePolicy.js';

/** The shared rate ledger and post receipts on a real PostgreSQL (embedded, or TEST_DATABASE_URL), migrated as the bot migrates. */
// Windows of 10 and 20 s (Teams' are 1 and 2 s), so that a slow machine's takes all fall in one window.
const LIMITS: RateLimits = { perConversation: [{ limit: 7, perMs: 10_000 }, { limit: 8, perMs: 20_000 }], perBot: [{ limit: 12, perMs: 10_000 }], marginMs: 0, botGapMs: 0 };

describe('PostgreSQL: the shared rate ledger and post receipts', function () {
  this.timeout(30_000);
  const pools: pg.Pool[] = [];
  let url: string;
  let admin: pg.Pool;
  /** A pool as one instance of the bot has it. */
  const instance = async (): Promise<pg.Pool> => {
    const pool = createPool(url, 4);
    pools.push(pool);
    return pool;
  };
  before(async () => {
    url = await freshDatabase();
    admin = await instance();
    await migrate(admin);
  });
  after(async () => {
    for (const p of pools) await p.end();
  });
  beforeEach(async () => {
    await admin.query('TRUNCATE rate_sends, rate_pauses, post_receipts');
  });

  it('records a send while every window has room, then says how long to wait', async () => {
    const ledger = new PgRateLedger(admin, LIMITS);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) waits.push(await ledger.take('provider:a'));
    assert.deepEqual(waits.slice(0, 7), [0, 0, 0, 0, 0, 0, 0]);
    assert.ok(waits[7] > 0 && waits[7] <= 10_000, `the eighth waits for the first to leave the window (${waits[7]} ms)`);
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM rate_sends WHERE key = 'provider:a'");
    assert.equal(rows[0].n, 7, 'refused takes record nothing');
  });

  it('holds the limits for several instances together', async () => {
    const [a, b, c] = [new PgRateLedger(await instance(), LIMITS), new PgRateLedger(await instance(), LIMITS), new PgRateLedger(await instance(), LIMITS)];
    const all = await Promise.all([a, b, c].flatMap((l) => Array.from({ length: 10 }, () => l.take('provider:busy'))));
    assert.equal(all.filter((w) => w === 0).length, 7, '7 in a window to one conversation, whoever sends');
    // Bot-wide: 12 a window over every conversation.
    await admin.query('TRUNCATE rate_sends');
    const spread = await Promise.all([a, b, c].flatMap((l, i) => Array.from({ length: 6 }, (_, j) => l.take(`provider:${i}-${j}`))));
    assert.equal(spread.filter((w) => w === 0).length, 12);
  });

  it('holds a conversation for every instance once one was given a Retry-After, and no other conversation', async () => {
    const [a, b] = [new PgRateLedger(await instance(), LIMITS), new PgRateLedger(await instance(), LIMITS)];
    await a.pause('provider:x', 3_000);
    const wait = await b.take('provider:x');
    assert.ok(wait > 2_000 && wait <= 3_000, `the other instance waits out the pause (${wait} ms)`);
    assert.equal(await b.take('provider:y'), 0, 'other conversations go on');
    await a.pause('provider:x', 100); // a shorter Retry-After later does not cut the first one short
    assert.ok((await b.take('provider:x')) > 2_000);
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM rate_sends WHERE key = 'provider:x'");
    assert.equal(rows[0].n, 0, 'refused takes record nothing');
  });

  /** The prune runs after a take, unawaited: waits until `sql` finds nothing. */
  const eventuallyGone = (sql: string) => eventually(async () => assert.equal((await admin.query(sql)).rows.length, 0, sql));

  it('prunes sends older than the longest window, and pauses that have ended, by the database clock', async () => {
    await admin.query("INSERT INTO rate_sends (key, at) VALUES ('provider:old', now() - interval '2 hours'), ('provider:a', now() + interval '10 seconds')");
    await admin.query("INSERT INTO rate_pauses (key, until) VALUES ('provider:ended', now() - interval '1 second') ON CONFLICT DO NOTHING");
    const ledger = new PgRateLedger(admin, LIMITS, 0);
    const wait = await ledger.take('provider:b');
    assert.equal(wait, 0);
    await eventuallyGone("SELECT 1 FROM rate_sends WHERE key = 'provider:old'");
    const keys = async () => (await admin.query<{ key: string }>('SELECT key FROM rate_sends ORDER BY key')).rows.map((r) => r.key).sort();
    assert.deepEqual(await keys(), ['bot', 'provider:a', 'provider:b']);
    await eventuallyGone("SELECT 1 FROM rate_pauses WHERE key = 'provider:ended'");
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
