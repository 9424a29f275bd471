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
import { PgTransaction } from './transaction.js';
import { appendAudit, notifyChanges } from './writes.js';
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
    for (let attempt = 1; ; attempt++) {
      // A transaction that keeps losing conflicts to newer ones would starve under a burst on one
      // row: from its third try it runs alone (see attempt), so it is bound to finish.
      const outcome = await this.attempt(client, options, fn, attempt >= ALONE_FROM_ATTEMPT);
      if (outcome.kind === 'done') return outcome.result;
      if (outcome.kind === 'aborted') throw outcome.error;
      if (attempt >= MAX_ATTEMPTS) throw outcome.error;
      transactionRerun(options.action);
      await sleep(backoffMs(attempt));
    }
  }

  /** One run of the transaction: done, aborted by fn (nothing kept but keepOnAbort notes), or lost a conflict. */
  private async attempt<T>(
    client: pg.PoolClient,
    options: TransactOptions,
    fn: (tx: BrokerageTx) => T | Promise<T>,
    alone = false,
  ): Promise<{ kind: 'done'; result: T } | { kind: 'aborted' | 'conflict'; error: unknown }> {
    const t = new PgTransaction(client);
    let inFn = false;
    // Every transaction holds the turn lock shared; one that runs alone holds it exclusively, so it
    // waits for those running and new ones wait for it. It is a session lock taken before BEGIN: a
    // serializable snapshot taken before the wait would be stale after it.
    const [lock, unlock] = alone ? ['pg_advisory_lock', 'pg_advisory_unlock'] : ['pg_advisory_lock_shared', 'pg_advisory_unlock_shared'];
    await client.query(`SELECT ${lock}(${TURN_LOCK})`);
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      if (options.idempotencyKey) {
        const { rows } = await client.query<{ doc: { result: T } }>('SELECT doc FROM receipts WHERE id = $1', [options.idempotencyKey]);
        if (rows.length) {
          await client.query('COMMIT');
          return { kind: 'done', result: rows[0].doc.result };
        }
      }
      inFn = true;
      const result = await fn(t.tx);
      inFn = false;
      const at = this.now().toISOString();
      if (options.idempotencyKey) {
        // A plain INSERT: if another instance committed this key meanwhile, the unique violation
        // sends this attempt round again, and the next one returns that instance's result.
        t.tx.put('receipts', { id: options.idempotencyKey, at, result: result === undefined ? undefined : structuredClone(result) });
      }
      await t.flush();
      const changes = t.changes();
      await appendAudit(client, t.auditRows(at, options.actor, options.action));
      await notifyChanges(client, this.instance, changes);
      await client.query('COMMIT');
      this.feed.publish(changes);
      return { kind: 'done', result };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (isRetryable(error) || t.conflicted) return { kind: 'conflict', error };
      if (inFn) await this.keepNotes(client, options, t);
      return { kind: 'aborted', error };
    } finally {
      await client.query(`SELECT ${unlock}(${TURN_LOCK})`).catch(() => {});
    }
  }

  /** A refused action leaves its trace even though the transaction that noted it was undone. */
  private async keepNotes(client: pg.PoolClient, options: TransactOptions, tx: PgTransaction): Promise<void> {
    const kept = tx.notes.filter((n) => n.keepOnAbort);
    if (!kept.length) return;
    const rows = kept.map((n) => ({ at: this.now().toISOString(), actor: options.actor, action: n.what, collection: '-', item_id: '-', before: null, after: n.details }));
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
