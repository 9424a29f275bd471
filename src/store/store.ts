/**
 * The persistence port. Use cases read committed state through `get` and the brokerage's named
 * reads (`R`, see reads.ts), and change state only inside `transact`. Every adapter (lowdb, the
 * embedded default; PostgreSQL, for production) passes the same contract suite
 * (test/store/contract.ts): transactions are all-or-nothing and behave as if run one at a time,
 * an idempotency key makes a change happen once, every put/delete is audited with its before and
 * after, and a transaction resolves only once it is durable.
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

/** What to read from the audit log: every field given must match. */
export interface AuditQuery {
  action?: string;
  actor?: string;
  collection?: string;
  id?: string;
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
  /** The item as this transaction sees it (its own puts and deletes included). */
  get<K extends keyof C & string>(collection: K, id: string): Promise<C[K] | undefined>;
  /** Staged until the transaction commits; reads in the same transaction see it. */
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
   * result and changes nothing (double clicks, Teams' invoke retries), on every instance.
   */
  idempotencyKey?: string;
}

/** Kinds of work instances share: a pending post, a due job. */
export type WorkKind = 'outbox' | 'jobs';

/**
 * What a claim got: false (another holder's lease is running), true (the work was free, or the
 * holder's own), or 'taken over': another holder's lease had run out without being given back,
 * so that holder stopped in the middle of the work (killed, crashed) and may have done part of it.
 */
export type Claimed = boolean | 'taken over';

export interface Store<C extends Record<string, Entity>, R> {
  get<K extends keyof C & string>(collection: K, id: string): Promise<C[K] | undefined>;
  /**
   * Runs `fn` as if alone (no other transaction, on any instance, interleaves), then makes every
   * change it staged durable before resolving. If `fn` throws, nothing it did is kept. An adapter
   * may run `fn` again after a conflict with another instance, so `fn` must only act through `tx`.
   */
  transact<T>(options: TransactOptions, fn: (tx: Tx<C> & R) => T | Promise<T>): Promise<T>;
  audit(query?: AuditQuery): Promise<AuditEntry[]>;
  /**
   * Calls `listener` once per committed change to `collection` (made by this instance or, on a
   * shared database, by another), after it is durable. It lets a component keep a small
   * in-memory index (the outbox's pending posts, the scheduler's jobs). The `after` value is the
   * store's own copy: read it, do not change it. Returns a function that stops the calls.
   */
  watch<K extends keyof C & string>(collection: K, listener: (change: Change<C[K]>) => void): () => void;
  /**
   * Takes a piece of shared work (a pending post, a due job) for `holder` until `leaseMs` from now,
   * unless another holder's lease on it is still running. Truthy when `holder` has it (`Claimed`).
   * An instance that dies stops renewing, so its work is taken by another once the lease runs
   * out: that claim says 'taken over'.
   */
  claim(kind: WorkKind, id: string, holder: string, leaseMs: number): Promise<Claimed>;
  /** Gives a claim back early (the work is done or failed). */
  release(kind: WorkKind, id: string, holder: string): Promise<void>;
  /** Waits for pending writes, then refuses new ones. */
  close(): Promise<void>;
}

export class StoreClosedError extends Error {
  constructor() {
    super('the store is closed');
  }
}
