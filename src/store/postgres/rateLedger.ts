import type { RateLedger } from '../../outbox/rateLedger.js';
import { TEAMS_LIMITS, type RateLimits } from '../../outbox/ratePolicy.js';
import { inline } from './literals.js';

/** What the ledger and the receipts need of `pg`: a Pool or a Client (the `pg` types are not a dependency of this code). */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}
/** A Pool hands out a client for a transaction; a Client is one already. */
export interface PoolLike extends Queryable {
  connect?(): Promise<Queryable & { release(error?: Error | boolean): void }>;
}

/** The key the bot-wide windows count under (conversation keys are `provider:…`, `user:…`, `conversation:…`). */
const BOT = 'bot';
/** Advisory locks of the ledger, apart from any other lock on the database (the two-key form). */
const LOCKS = 'rate_sends';

/**
 * The sending ledger of every instance, in PostgreSQL (table rate_sends, migration
 * 003_shared_work.sql). One take is one short transaction: it locks the conversation's key and
 * then the bot's (always in that order, so two takes cannot deadlock; every take counts the
 * bot-wide window, so takes run one at a time, which at under 50 a second is cheap), counts the
 * sends in each window on the database's clock, and records the send only if every window has
 * room. Read committed: each statement after the locks sees what the previous holder committed.
 */
export class PgRateLedger implements RateLedger {
  /** [key or BOT, limit, span ms]; the conversation's key fills in CONVERSATION. */
  private readonly windows: [conversation: boolean, limit: number, spanMs: number][];
  private readonly keepMs: number;
  private chain: Promise<unknown> = Promise.resolve();
  private prunedAt = 0;

  constructor(
    private readonly db: PoolLike,
    limits: RateLimits = TEAMS_LIMITS,
    private readonly pruneEveryMs = 60_000,
  ) {
    const span = (perMs: number) => perMs + limits.marginMs;
    this.windows = [
      ...limits.perConversation.map((w): [boolean, number, number] => [true, w.limit, span(w.perMs)]),
      ...limits.perBot.map((w): [boolean, number, number] => [false, w.limit, span(w.perMs)]),
      // The even spacing of bot requests is a window too: one request per gap.
      ...(limits.botGapMs > 0 ? [[false, 1, limits.botGapMs] as [boolean, number, number]] : []),
    ];
    this.keepMs = Math.max(...this.windows.map(([, , s]) => s));
  }

  /** Resolves 0 once the send is recorded, or the ms until every window has room (nothing recorded). */
  take(key: string): Promise<number> {
    // One take at a time per instance: they would queue on the bot's lock anyway, each holding a connection.
    const run = this.chain.then(() => this.takeNow(key));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async takeNow(key: string): Promise<number> {
    const client = this.db.connect ? await this.db.connect() : undefined;
    const db = client ?? this.db;
    let wait: number;
    try {
      // One round trip: the statements go as one query, values written in (each statement still
      // takes its own read-committed snapshot, after the locks before it).
      const results = (await db.query(
        [
          'BEGIN ISOLATION LEVEL READ COMMITTED',
          inline('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [LOCKS, key]),
          inline('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [LOCKS, BOT]),
          inline(TAKE, [this.windows.map(([c]) => (c ? key : BOT)), this.windows.map(([, l]) => l), this.windows.map(([, , s]) => s), [key, BOT]]),
          'COMMIT',
        ].join(';\n'),
      )) as unknown as { rows: Record<string, unknown>[] }[];
      wait = Number(results[3]?.rows[0]?.wait ?? 0);
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      client?.release(error instanceof Error ? error : true);
      throw error;
    }
    client?.release();
    this.prune();
    return wait;
  }

  /** Held on the database's clock, so every instance's takes see the same end; a longer pause already there stays. */
  async pause(key: string, ms: number): Promise<void> {
    await this.db.query(
      `INSERT INTO rate_pauses (key, until) VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET until = GREATEST(rate_pauses.until, EXCLUDED.until)`,
      [key, Math.max(0, Math.ceil(ms))],
    );
  }

  /** Sends older than the longest window, and pauses that have ended, count for nothing: dropped now and then, outside the takes. */
  private prune(): void {
    const now = Date.now();
    if (now - this.prunedAt < this.pruneEveryMs) return;
    this.prunedAt = now;
    this.db
      .query('DELETE FROM rate_sends WHERE at < clock_timestamp() - $1 * interval \'1 millisecond\'', [this.keepMs])
      .then(() => this.db.query('DELETE FROM rate_pauses WHERE until < clock_timestamp()'))
      .catch(() => (this.prunedAt = 0));
  }
}

/**
 * For each window ($1 keys, $2 limits, $3 spans in ms), the newest `limit`-th send still inside it
 * says how long until it leaves; a Retry-After pause on the conversation or the bot ($4) says how
 * long until it ends; the longest such wait is the answer. Only when it is 0 are the sends ($4)
 * recorded, at the database's time.
 */
const TAKE = `
WITH t AS (SELECT clock_timestamp() AS now),
w AS (SELECT * FROM unnest($1::text[], $2::int[], $3::int[]) AS w(key, lim, span_ms)),
waits AS (
  SELECT (SELECT EXTRACT(EPOCH FROM (s.at - t.now)) * 1000 + w.span_ms
          FROM rate_sends s
          WHERE s.key = w.key AND s.at > t.now - w.span_ms * interval '1 millisecond'
          ORDER BY s.at DESC OFFSET w.lim - 1 LIMIT 1) AS wait
  FROM w, t),
paused AS (
  SELECT EXTRACT(EPOCH FROM (p.until - t.now)) * 1000 AS wait
  FROM rate_pauses p, t WHERE p.key = ANY($4::text[]) AND p.until > t.now),
verdict AS (SELECT LEAST(GREATEST(0, COALESCE(CEIL(MAX(wait)), 0)), 2147483647)::int AS wait FROM (SELECT wait FROM waits UNION ALL SELECT wait FROM paused) AS all_waits),
ins AS (
  INSERT INTO rate_sends (key, at)
  SELECT k, t.now FROM unnest($4::text[]) AS k, t, verdict WHERE verdict.wait = 0
  RETURNING 1)
SELECT wait FROM verdict`;
