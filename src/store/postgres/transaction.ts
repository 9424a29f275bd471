import type pg from 'pg';
import type { BrokerageTx } from '../collections.js';
import type { Entity } from '../store.js';
import { isRetryable } from './retry.js';
import { namedReads } from './reads.js';
import { tableOf } from './tables.js';
import { roundTrip, writeItem, type AuditRow } from './writes.js';
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

/**
 * One attempt of a transaction on its own client (inside BEGIN … SERIALIZABLE). Puts and deletes
 * are staged in memory and written to SQL before any named read and at commit, so the SQL reads
 * see them; `get` answers staged items first. The value an item had before the transaction is
 * captured the first time it is written, for the audit.
 */
export class PgTransaction {
  private readonly staged = new Map<string, Staged>();
  private readonly before = new Map<string, Entity | null>();
  readonly notes: Note[] = [];
  /** A statement failed with a conflict: whatever fn then did, the attempt must be run again. */
  conflicted = false;
  readonly tx: BrokerageTx;

  constructor(private readonly client: pg.ClientBase) {
    const reads = namedReads((sql, values) =>
      this.inTurn(async () => {
        await timed('tx.write', () => this.flushStaged());
        return timed('tx.read', () => this.query<Record<string, unknown>>(sql, values));
      }),
    );
    this.tx = {
      ...reads,
      get: async (collection, id) => {
        const s = this.staged.get(key(collection, id));
        if (s) return s.after ? structuredClone(s.after) : undefined;
        const rows = await this.inTurn(() => timed('tx.read', () => this.query<{ doc: never }>(`SELECT doc FROM ${tableOf(collection)} WHERE id = $1`, [id])));
        return rows[0]?.doc;
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

  private async query<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]> {
    try {
      return (await roundTrip<T>(this.client, sql, values)).rows;
    } catch (e) {
      if (isRetryable(e)) this.conflicted = true;
      throw e;
    }
  }

  private turn: Promise<unknown> = Promise.resolve();

  /**
   * One use of the client at a time: use cases read with Promise.all, and a read must not run
   * between the statements of a write it should see (pg would queue them, interleaved, and
   * warns that pg 9 will refuse overlapping queries on one client).
   */
  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Writes every change staged since the last flush, in the order staged. */
  flush(): Promise<void> {
    return this.inTurn(() => this.flushStaged());
  }

  private async flushStaged(): Promise<void> {
    for (const [k, s] of this.staged) {
      if (s.flushed) continue;
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

  /** The changes this transaction made, each with its value before the transaction. */
  changes(): { collection: string; id: string; before: Entity | null; after: Entity | null }[] {
    return [...this.staged].map(([k, s]) => ({ collection: s.collection, id: s.id, before: this.before.get(k) ?? null, after: s.after }));
  }

  /** Audit rows: one per changed item (receipts are bookkeeping, not audited), then the notes. */
  auditRows(at: string, actor: string, action: string, notes = this.notes): AuditRow[] {
    const rows: AuditRow[] = this.changes()
      .filter((c) => c.collection !== 'receipts')
      .map((c) => ({ at, actor, action, collection: c.collection, item_id: c.id, before: c.before, after: c.after }));
    for (const n of notes) rows.push({ at, actor, action: n.what, collection: '-', item_id: '-', before: null, after: n.details });
    return rows;
  }
}
