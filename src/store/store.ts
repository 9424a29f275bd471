/**
 * The persistence port. Use cases read through `get`/`find` and change state only inside
 * `transact`, which serialises every change through one writer, records each put/delete in the
 * append-only audit log with its before and after, and persists before it resolves.
 */
export interface AuditEntry {
  seq: number;
  at: string;
  /** aadObjectId of the person, or "system" for the scheduler and imports. */
  actor: string;
  action: string;
  collection: string;
  id: string;
  before: unknown;
  after: unknown;
}

export interface Entity {
  id: string;
}

/** One committed change to an item: its new value, or null when it was deleted. */
export interface Change<T> {
  id: string;
  after: T | null;
}

export interface Tx<C extends Record<string, Entity>> {
  get<K extends keyof C & string>(collection: K, id: string): C[K] | undefined;
  find<K extends keyof C & string>(collection: K, where?: (item: C[K]) => boolean): C[K][];
  put<K extends keyof C & string>(collection: K, item: C[K]): void;
  delete<K extends keyof C & string>(collection: K, id: string): void;
  /**
   * Records an audit entry that is not a data change. With `keepOnAbort`, it is kept even when
   * the transaction then throws: a refused forged action must leave a trace.
   */
  note(what: string, details: unknown, options?: { keepOnAbort?: boolean }): void;
}

export interface TransactOptions {
  actor: string;
  action: string;
  /**
   * A key that makes the change happen once: a repeat with the same key returns the first
   * result and changes nothing (double clicks, Teams' invoke retries).
   */
  idempotencyKey?: string;
}

export interface Store<C extends Record<string, Entity>> {
  get<K extends keyof C & string>(collection: K, id: string): Promise<C[K] | undefined>;
  find<K extends keyof C & string>(collection: K, where?: (item: C[K]) => boolean): Promise<C[K][]>;
  /**
   * Runs `fn` alone (no other transaction interleaves), then persists every change it made.
   * If `fn` throws, nothing it did is kept.
   */
  transact<R>(options: TransactOptions, fn: (tx: Tx<C>) => R | Promise<R>): Promise<R>;
  audit(where?: (e: AuditEntry) => boolean): Promise<AuditEntry[]>;
  /**
   * Calls `listener` once per change to `collection`, after each transaction that made it is
   * persisted, in commit order. It lets a component keep a small in-memory index (the outbox's
   * pending items, the scheduler's jobs) instead of scanning a collection that grows with
   * history. The `after` value is the store's own copy: read it, do not change it. Returns a
   * function that stops the calls.
   */
  watch<K extends keyof C & string>(collection: K, listener: (change: Change<C[K]>) => void): () => void;
  /** Waits for pending writes, then refuses new ones. */
  close(): Promise<void>;
}

export class StoreClosedError extends Error {
  constructor() {
    super('the store is closed');
  }
}
