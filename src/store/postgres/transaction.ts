import type pg from 'pg';
import { inline, literal } from './literals.js';
import type { BrokerageTx } from '../collections.js';
import type { Entity } from '../store.js';
import { isRetryable } from './retry.js';
import { namedReads } from './reads.js';
import { TABLES, tableOf } from './tables.js';
import { CHANNEL, roundTrip, writeItem, type AuditRow } from './writes.js';
import { timed } from '../../telemetry/phases.js';

interface Staged {
  collection: string;
  id: string;
  after: Entity | null;
  /** Written to the database since it was last staged. */
  flushed: boolean;
}

export interface Note {
  what: string;
  details: unknown;
  keepOnAbort?: boolean;
}

const key = (collection: string, id: string) => `${collection}\u0000${id}`;

const doc = (e: Entity) => `${literal(JSON.stringify(e))}::jsonb`;

/** The tables a named read's SQL reads from: staged writes to them must be in the database first. */
const TABLE_NAMES = new Set(Object.values(TABLES));
const tablesRead = (sql: string) => new Set([...sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)/gi)].map((m) => m[1]).filter((t) => TABLE_NAMES.has(t)));

/** The turn lock held by another transaction running alone: this attempt waits for it instead (postgresStore.ts). */
export class TurnLockBusy extends Error {
  constructor() {
    super('the turn lock is held by a transaction running alone');
  }
}
/** The SQLSTATE the try-lock statement raises (lock_not_available). */
export const TURN_LOCK_BUSY = '55P03';

interface Read {
  sql: string;
  resolve: (rows: Record<string, unknown>[]) => void;
  reject: (error: unknown) => void;
}

/**
 * One attempt of a transaction on its own client (inside BEGIN … SERIALIZABLE), in as few round
 * trips as the use case allows. `pg` sends one query at a time and waits for its answer, so the
 * lever is the number of queries: statements that can go together go as one simple-protocol
 * query (values written in as literals), answered together:
 * - BEGIN and the turn lock go with the first read;
 * - reads the use case starts together (Promise.all) go together;
 * - puts and deletes are staged in memory; a named read first writes the staged changes to the
 *   tables it reads, in the same round trip; `get` answers staged items itself;
 * - at the end the writes left, the audit rows, the change notices and COMMIT are one round trip.
 * The value an item had before the transaction is captured the first time it is written, for the
 * audit; requests are written on their own (their report days go with them, writes.ts).
 */
export class PgTransaction {
  private readonly staged = new Map<string, Staged>();
  private readonly before = new Map<string, Entity | null>();
  readonly notes: Note[] = [];
  /** A statement failed with a conflict: whatever fn then did, the attempt must be run again. */
  conflicted = false;
  readonly tx: BrokerageTx;
  /** Statements to send ahead of the next query (BEGIN and the turn lock), once. */
  private opening: string[] = [];
  private reads: Read[] = [];
  private scheduled = false;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: pg.ClientBase,
    /** BEGIN (and the turn lock, when taken inside the transaction): sent with the first query. */
    opening: string[],
  ) {
    this.opening = opening;
    const reads = namedReads((sql, values) => this.read(inline(sql, values), tablesRead(sql)));
    this.tx = {
      ...reads,
      get: async (collection, id) => {
        const s = this.staged.get(key(collection, id));
        if (s) return s.after ? structuredClone(s.after) : undefined;
        const rows = await this.read(`SELECT doc FROM ${tableOf(collection)} WHERE id = ${literal(id)}`);
        return rows[0]?.doc as never;
      },
      put: (collection, item) => {
        tableOf(collection);
        this.staged.set(key(collection, item.id), { collection, id: item.id, after: structuredClone(item), flushed: false });
      },
      delete: (collection, id) => {
        tableOf(collection);
        this.staged.set(key(collection, id), { collection, id, after: null, flushed: false });
      },
      note: (what, details, options) => {
        this.notes.push({ what, details, keepOnAbort: options?.keepOnAbort });
      },
    } as BrokerageTx;
  }

  /**
   * Queues a read; reads queued in the same turn of the event loop go in one round trip. A read of
   * `tables` first writes what is staged for them (in that round trip, ahead of the read).
   */
  read(sql: string, tables?: Set<string>): Promise<Record<string, unknown>[]> {
    if (tables?.size) this.writeStagedTo(tables);
    return new Promise((resolve, reject) => {
      this.reads.push({ sql, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        const batch = this.reads;
        this.reads = [];
        void this.inTurn(() => timed('tx.read', () => this.sendReads(batch)));
      });
    });
  }

  /** Staged changes not yet written, to tables in `tables`: queued as writes ahead of the next reads. */
  private pendingWrites: { k: string; sql: string; captures: boolean }[] = [];
  private writeStagedTo(tables: Set<string>): void {
    for (const [k, s] of this.staged) {
      if (s.flushed || s.collection === 'requests' || !tables.has(tableOf(s.collection))) continue;
      s.flushed = true;
      this.pendingWrites.push({ k, sql: this.writeSql(s, !this.before.has(k)), captures: !this.before.has(k) });
    }
  }

  /** One write; with `capture`, the statement also returns the row it replaced (`before`). */
  private writeSql(s: Staged, capture: boolean): string {
    const table = tableOf(s.collection);
    const id = literal(s.id);
    const write = s.after === null ? `DELETE FROM ${table} WHERE id = ${id}` : `INSERT INTO ${table} (id, doc) VALUES (${id}, ${doc(s.after)}) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`;
    // Both parts of one statement see the same snapshot, so `before` is the value before this write.
    return capture ? `WITH before AS (SELECT doc FROM ${table} WHERE id = ${id}), w AS (${write}) SELECT (SELECT doc FROM before) AS before` : write;
  }

  private async sendReads(batch: Read[]): Promise<void> {
    const writes = this.pendingWrites;
    this.pendingWrites = [];
    try {
      await this.writeRequests();
      const results = await this.send([...writes.map((w) => w.sql), ...batch.map((r) => r.sql)]);
      writes.forEach((w, i) => w.captures && !this.before.has(w.k) && this.before.set(w.k, (results[i].rows[0]?.before as Entity | null) ?? null));
      batch.forEach((r, i) => r.resolve(results[writes.length + i].rows));
    } catch (error) {
      for (const r of batch) r.reject(error);
    }
  }

  /**
   * Sends statements as one query and returns one result per statement (BEGIN and the turn lock
   * first, when not sent yet; their results are left out).
   */
  private async send(statements: string[]): Promise<pg.QueryResult[]> {
    const opening = this.opening;
    this.opening = [];
    const all = [...opening, ...statements];
    if (!all.length) return [];
    let result: pg.QueryResult | pg.QueryResult[];
    try {
      result = await roundTrip(this.client, all.join(';\n'));
    } catch (e) {
      if (isRetryable(e)) this.conflicted = true;
      if ((e as { code?: string }).code === TURN_LOCK_BUSY && opening.length) throw new TurnLockBusy();
      throw e;
    }
    const results = Array.isArray(result) ? result : [result];
    return results.slice(results.length - statements.length);
  }

  /**
   * One use of the client at a time: a read must not run between the statements of a write it
   * should see (pg would queue them, interleaved, and warns that pg 9 will refuse overlapping
   * queries on one client).
   */
  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Staged requests not yet written: on their own statements, since their report days are written with them (writes.ts). */
  private async writeRequests(): Promise<void> {
    for (const [k, s] of this.staged) {
      if (s.flushed || s.collection !== 'requests') continue;
      if (this.opening.length) await this.send([]); // BEGIN first
      s.flushed = true;
      let before: Entity | null;
      try {
        before = await writeItem(this.client, s.collection, s.id, s.after);
      } catch (e) {
        if (isRetryable(e)) this.conflicted = true;
        throw e;
      }
      if (!this.before.has(k)) this.before.set(k, before);
    }
  }

  /**
   * Ends the attempt in one round trip: the writes left, one audit row per change (receipts are
   * bookkeeping, not audited) in the order staged, then the notes, the change notices other
   * instances listen for, and COMMIT. A write whose `before` is not known yet inserts its audit
   * row in the same statement, reading `before` there.
   */
  async commit(at: string, actor: string, action: string, instance: string): Promise<void> {
    await this.inTurn(async () => {
      await timed('commit.write', () => this.writeRequests());
      const statements: string[] = this.pendingWrites.map((w) => w.sql);
      this.pendingWrites = [];
      const auditCols = 'INSERT INTO audit (at, actor, action, collection, item_id, before, after)';
      const json = (value: unknown) => (value === null || value === undefined ? 'NULL' : `${literal(JSON.stringify(value))}::jsonb`);
      const row = (collection: string, id: string, before: string, after: unknown, what = action) =>
        `${literal(at)}::timestamptz, ${literal(actor)}, ${literal(what)}, ${literal(collection)}, ${literal(id)}, ${before}, ${json(after)}`;
      for (const [k, s] of this.staged) {
        const audited = s.collection !== 'receipts';
        const known = this.before.has(k);
        if (!s.flushed && !known && audited) {
          // Write and audit in one statement: `before` read in the statement's snapshot, before the write.
          const table = tableOf(s.collection);
          const id = literal(s.id);
          const write = s.after === null ? `DELETE FROM ${table} WHERE id = ${id}` : `INSERT INTO ${table} (id, doc) VALUES (${id}, ${doc(s.after)}) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`;
          statements.push(`WITH before AS (SELECT doc FROM ${table} WHERE id = ${id}), w AS (${write}) ${auditCols} SELECT ${row(s.collection, s.id, '(SELECT doc FROM before)', s.after)}`);
          s.flushed = true;
          continue;
        }
        if (!s.flushed) {
          statements.push(this.writeSql(s, false));
          s.flushed = true;
        }
        if (audited) statements.push(`${auditCols} VALUES (${row(s.collection, s.id, json(this.before.get(k)), s.after)})`);
      }
      if (this.notes.length) statements.push(`${auditCols} VALUES ${this.notes.map((n) => `(${row('-', '-', 'NULL', n.details, n.what)})`).join(', ')}`);
      // A transaction that read and wrote nothing never began.
      if (!statements.length && this.opening.length) return;
      // PostgreSQL delivers notifications only when (and if) the transaction commits, in commit order; one small message per item keeps each under the 8000-byte limit.
      if (this.staged.size) statements.push(`SELECT pg_notify('${CHANNEL}', m) FROM unnest(${literal([...this.staged.values()].map((s) => JSON.stringify({ instance, collection: s.collection, id: s.id })))}) AS m`);
      await timed('commit.durable', () => this.send([...statements, 'COMMIT']));
    });
  }

  /** The changes this transaction made (what other instances and watchers hear of). */
  changes(): { collection: string; id: string; after: Entity | null }[] {
    return [...this.staged.values()].map((s) => ({ collection: s.collection, id: s.id, after: s.after }));
  }

  /** Audit rows of the notes kept when the transaction is undone (a refusal leaves its trace). */
  keptNotes(at: string, actor: string): AuditRow[] {
    return this.notes.filter((n) => n.keepOnAbort).map((n) => ({ at, actor, action: n.what, collection: '-', item_id: '-', before: null, after: n.details }));
  }
}
