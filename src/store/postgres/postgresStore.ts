import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { BrokerageStore, BrokerageTx, Collections } from '../collections.js';
import type { AuditEntry, AuditQuery, Change, Entity, TransactOptions, WorkKind, Claimed } from '../store.js';
import { StoreClosedError } from '../store.js';
import { ChangeFeed } from './changeFeed.js';
import { claim, release } from './claims.js';
import { migrate } from './migrate.js';
import { createPool, withClient, type Password } from './pool.js';
import { ALONE_FROM_ATTEMPT, backoffMs, isRetryable, MAX_ATTEMPTS, sleep, TURN_LOCK } from './retry.js';
import { tableOf } from './tables.js';
import { literal } from './literals.js';
import { PgTransaction, TURN_LOCK_BUSY, TurnLockBusy } from './transaction.js';
import { appendAudit, roundTrip } from './writes.js';
import { count, timed } from '../../telemetry/phases.js';
import { transactionRerun } from '../../metrics.js';

export interface PostgresStoreOptions {
  /** The clock for audit times and receipts (leases use the database's clock). */
  now?: () => Date;
  /** Names this process in change notifications, so it skips its own. */
  instanceId?: string;
  /** Connections for transactions and reads (the change feed has one more of its own). */
  poolSize?: number;
  /** Overrides the URL's password: e.g. a function fetching a managed identity's token. */
  password?: Password;
}

/**
 * The PostgreSQL adapter of the store port, for production and for more than one instance on one
 * database. Each transaction runs SERIALIZABLE on a pooled connection and is run again when
 * PostgreSQL picks it as the loser of a conflict; it resolves once COMMIT has returned (with
 * synchronous_commit on, the change is then on disk). See docs/postgres.md.
 */
export class PostgresStore implements BrokerageStore {
  private closed = false;
  private readonly running = new Set<Promise<unknown>>();

  private constructor(
    /** The connections, shared with what instances keep beside the store (post receipts, the rate ledger). */
    readonly pool: pg.Pool,
    private readonly feed: ChangeFeed,
    private readonly instance: string,
    private readonly now: () => Date,
  ) {}

  /** Connects, applies pending migrations, and starts listening for other instances' changes. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = createPool(url, options.poolSize ?? 10, options.password);
    const instance = options.instanceId ?? randomUUID();
    try {
      await migrate(pool);
      const feed = new ChangeFeed(url, instance, pool, options.password);
      await feed.start();
      return new PostgresStore(pool, feed, instance, options.now ?? (() => new Date()));
    } catch (e) {
      await pool.end().catch(() => {});
      throw e;
    }
  }

  async get<K extends keyof Collections & string>(collection: K, id: string): Promise<Collections[K] | undefined> {
    if (this.closed) throw new StoreClosedError();
    count('pg.round_trips');
    const { rows } = await this.pool.query<{ doc: Collections[K] }>(`SELECT doc FROM ${tableOf(collection)} WHERE id = $1`, [id]);
    return rows[0]?.doc;
  }

  transact<T>(options: TransactOptions, fn: (tx: BrokerageTx) => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    const run = withClient(this.pool, (client) => this.attempts(client, options, fn));
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run;
  }

  private async attempts<T>(client: pg.PoolClient, options: TransactOptions, fn: (tx: BrokerageTx) => T | Promise<T>): Promise<T> {
    let wait = false;
    for (let attempt = 1; ; ) {
      // A transaction that keeps losing conflicts to newer ones would starve under a burst on one
      // row: from its third try it runs alone (see attempt), so it is bound to finish.
      const outcome = await this.attempt(client, options, fn, attempt >= ALONE_FROM_ATTEMPT ? 'alone' : wait ? 'wait' : 'try');
      if (outcome.kind === 'done') return outcome.result;
      if (outcome.kind === 'aborted') throw outcome.error;
      // The turn lock was held by a transaction running alone: not a conflict, so not a try; this one waits its turn.
      if (outcome.kind === 'busy') {
        wait = true;
        continue;
      }
      if (attempt >= MAX_ATTEMPTS) throw outcome.error;
      transactionRerun(options.action);
      attempt++;
      await sleep(backoffMs(attempt - 1));
    }
  }

  /**
   * One run of the transaction: done, aborted by fn (nothing kept but keepOnAbort notes), lost a
   * conflict, or found the turn lock held by a transaction running alone (busy).
   *
   * Every transaction holds the turn lock shared; one that runs alone holds it exclusively, so it
   * waits for those running and new ones wait for it. Normally the shared lock is tried inside the
   * transaction, with BEGIN and the first read (one round trip, released by COMMIT): a try never
   * waits, so the serializable snapshot it takes is fresh. Waiting for the lock (`wait`) and
   * running alone take it as a session lock before BEGIN: a snapshot taken before the wait would
   * be stale after it.
   */
  private async attempt<T>(
    client: pg.PoolClient,
    options: TransactOptions,
    fn: (tx: BrokerageTx) => T | Promise<T>,
    lock: 'try' | 'wait' | 'alone',
  ): Promise<{ kind: 'done'; result: T } | { kind: 'aborted' | 'conflict' | 'busy'; error: unknown }> {
    const begin = 'BEGIN ISOLATION LEVEL SERIALIZABLE';
    const session = lock === 'alone' ? 'pg_advisory_lock' : 'pg_advisory_lock_shared';
    count('tx.attempts');
    if (lock !== 'try') await timed('tx.begin', () => roundTrip(client, `SELECT ${session}(${TURN_LOCK})`));
    const t = new PgTransaction(
      client,
      lock === 'try' ? [begin, `DO $$ BEGIN IF NOT pg_try_advisory_xact_lock_shared(${TURN_LOCK}) THEN RAISE EXCEPTION USING ERRCODE = '${TURN_LOCK_BUSY}', MESSAGE = 'turn lock busy'; END IF; END $$`] : [begin],
    );
    let inFn = false;
    try {
      if (options.idempotencyKey) {
        const rows = await t.read(`SELECT doc FROM receipts WHERE id = ${literal(options.idempotencyKey)}`);
        if (rows.length) {
          await t.commit(this.now().toISOString(), options.actor, options.action, this.instance);
          return { kind: 'done', result: (rows[0].doc as { result: T }).result };
        }
      }
      inFn = true;
      const result = await timed('stage', () => fn(t.tx));
      inFn = false;
      if (options.idempotencyKey) {
        // If another instance committed this key meanwhile, the conflict sends this attempt round
        // again, and the next one returns that instance's result.
        t.tx.put('receipts', { id: options.idempotencyKey, at: this.now().toISOString(), result: result === undefined ? undefined : structuredClone(result) });
      }
      await t.commit(this.now().toISOString(), options.actor, options.action, this.instance);
      this.feed.publish(t.changes());
      return { kind: 'done', result };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (error instanceof TurnLockBusy) return { kind: 'busy', error };
      if (isRetryable(error) || t.conflicted) return { kind: 'conflict', error };
      if (inFn) await this.keepNotes(client, options, t);
      return { kind: 'aborted', error };
    } finally {
      if (lock !== 'try') await timed('tx.begin', () => roundTrip(client, `SELECT ${session.replace('lock', 'unlock')}(${TURN_LOCK})`)).catch(() => {});
    }
  }

  /** A refused action leaves its trace even though the transaction that noted it was undone. */
  private async keepNotes(client: pg.PoolClient, options: TransactOptions, tx: PgTransaction): Promise<void> {
    const rows = tx.keptNotes(this.now().toISOString(), options.actor);
    if (!rows.length) return;
    await client.query('BEGIN');
    try {
      await appendAudit(client, rows);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  }

  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    if (this.closed) throw new StoreClosedError();
    const columns = { action: 'action', actor: 'actor', collection: 'collection', id: 'item_id' } as const;
    const where: string[] = [];
    const values: string[] = [];
    for (const [field, column] of Object.entries(columns)) {
      const v = query[field as keyof AuditQuery];
      if (v === undefined) continue;
      values.push(v);
      where.push(`${column} = $${values.length}`);
    }
    const { rows } = await this.pool.query<{ seq: string; at: Date; actor: string; action: string; collection: string; item_id: string; before: unknown; after: unknown }>(
      `SELECT seq, at, actor, action, collection, item_id, before, after FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq`,
      values,
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      collection: r.collection,
      id: r.item_id,
      before: r.before ?? null,
      after: r.after ?? null,
    }));
  }

  watch<K extends keyof Collections & string>(collection: K, listener: (change: Change<Collections[K]>) => void): () => void {
    return this.feed.watch(collection, listener as (change: Change<Entity>) => void);
  }

  claim(kind: WorkKind, id: string, holder: string, leaseMs: number): Promise<Claimed> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return claim(this.pool, kind, id, holder, leaseMs);
  }

  release(kind: WorkKind, id: string, holder: string): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return release(this.pool, kind, id, holder);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.running]);
    await this.feed.close();
    await this.pool.end();
  }
}
