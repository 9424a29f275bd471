import { readdirSync } from 'node:fs';
import { mkdir, opendir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Claimed, AuditEntry, AuditQuery, Change, Entity, Store, StoreClosedError, TransactOptions, Tx, WorkKind } from '../store.js';
import { Leases } from '../leases.js';
import { WriteQueue } from '../writeQueue.js';
import { syncDirs, writeFileDurable } from './durable.js';
import { AuditFile } from './auditFile.js';
import { emptyData, isKeyed, mapLimit, readPartitionFile, readPartitionSync, SCHEMA_VERSION, shardStem, writePartition, type Partition, type ShardSpec } from './files.js';
import { lockFolder } from './folderLock.js';
import { Journal, readJournal } from './journal.js';
import { detached, timed } from '../../telemetry/phases.js';

export { SCHEMA_VERSION, shardStem, type ShardSpec } from './files.js';

/** What an earlier version of the store left when it died in the middle of a multi-file write. */
const LEGACY_JOURNAL = 'journal.json';

/**
 * A checkpoint follows 30 s after the first change it would write, or at once when the journal
 * passes 16 MB: rarely, because each one fsyncs every file it writes, and those fsyncs delay the
 * journal's (one disk); a busy call-off's files are then written once for many bids. A crash costs
 * a replay of at most that much journal on the next open (well under a second).
 */
const CHECKPOINT_AFTER_MS = 30_000;
const CHECKPOINT_BYTES = 16 * 1024 * 1024;
/** Files a checkpoint writes at once: few, so the journal's write and fsync find a free thread (libuv has four). */
const CHECKPOINT_FILES_AT_ONCE = 2;

/** Steps that bring a data folder from version N-1 to N; keyed by the version they produce. */
const MIGRATIONS: Record<number, (dir: string) => Promise<void>> = {};

interface Meta {
  schemaVersion: number;
  createdAt: string;
}

/** A staged change, as a transaction commits it. */
export interface StagedChange {
  collection: string;
  id: string;
  after: Entity | null;
}

/**
 * One transaction in the journal: its audit entries (an audited change is read back from its
 * entry, so each document is written once) and the changes nobody audits (receipts, indexes).
 */
interface JournalRecord {
  audit: AuditEntry[];
  changes: StagedChange[];
}

/**
 * What an adapter built on the engine sees of a transaction: reads that include its staged
 * changes, synchronous and uncloned (the adapter clones what it hands out).
 */
export interface TxView {
  /** The item as the transaction sees it. */
  get(collection: string, id: string): Entity | undefined;
  /** The transaction's own puts (item) and deletes (null) in a collection, by id. */
  staged(collection: string): Map<string, Entity | null>;
  /** Every committed item of a collection held in memory or in hash files (not for collections kept one file per call-off). */
  committedAll(collection: string): Entity[];
}

export interface LowdbStoreOptions<R = unknown> {
  /** How each collection is spread over files (default: one file). */
  shards?: Record<string, ShardSpec>;
  now?: () => Date;
  /** The named reads a transaction offers, answered from what the view sees. */
  reads?: (view: TxView) => R;
  /**
   * Changes derived from a commit's changes (an adapter's indexes), written in the same commit.
   * `committed` gives the item before this commit. Derived collections are neither audited nor watched.
   */
  derive?: (changes: (StagedChange & { before: Entity | null })[], committed: (collection: string, id: string) => Entity | undefined) => StagedChange[];
  /** Collections written only through `derive`. */
  derived?: string[];
}

type Listener = (change: Change<Entity>) => void;

/**
 * The embedded store: each collection lives in lowdb JSON files (`<dir>/<collection>/<stem>.json`,
 * see `ShardSpec`); collections that grow with history are kept one file per call-off, so the cost
 * of a change stays flat as the years pile up. Every item is held in memory once read; reads never
 * touch the disk. Transactions run one at a time (one queue); each is durable once its journal
 * record is fsynced (journal.ts: the records queued behind one flush share the next), and resolves
 * then. The data files are brought up to date by a checkpoint a second later, many transactions at
 * a time, each file written temp file, fsync, rename (durable.ts), so a crash leaves the old file
 * or the new one; what the files lack is in the journal, which is replayed on open. The audit log
 * follows the journal (auditFile.ts). An adapter adds its named reads (`reads`) and keeps its
 * indexes in the same commit (`derive`).
 */
export class LowdbStore<C extends Record<string, Entity>, R = unknown> implements Store<C, R> {
  private readonly collections = new Map<string, Map<string, Partition>>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly auditLog: AuditFile;
  private journal!: Journal;
  private readonly queue = new WriteQueue();
  private closed = false;
  private auditSeq = 0;
  /** Claims on shared work: one process owns the folder, so a lease lives in memory. */
  private readonly leases = new Leases();
  /** The newest journal record the running transaction read or wrote (transactions run one at a time). */
  private seen = 0;
  /** Partitions changed since the last checkpoint took its list, with their collection. */
  private dirty = new Map<Partition, string>();
  /** Committed changes whose journal record is not durable yet: watchers hear of them once it is. */
  private unheard: { n: number; changes: StagedChange[] }[] = [];
  private checkpointTimer?: NodeJS.Timeout;
  private checkpointing?: Promise<void>;
  private unlock?: () => Promise<void>;

  private constructor(
    private readonly dir: string,
    private readonly options: LowdbStoreOptions<R>,
  ) {
    this.auditLog = new AuditFile(dir);
  }

  static async open<C extends Record<string, Entity>, R = unknown>(dir: string, options: LowdbStoreOptions<R> = {}): Promise<LowdbStore<C, R>> {
    const store = new LowdbStore<C, R>(dir, options);
    await mkdir(dir, { recursive: true });
    const unlock = await lockFolder(dir);
    try {
      await store.checkSchema();
      await store.loadAll();
      await store.recover();
    } catch (e) {
      await unlock();
      throw e;
    }
    store.unlock = unlock;
    return store;
  }

  private get now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  private async checkSchema(): Promise<void> {
    const path = join(this.dir, 'meta.json');
    let meta: Meta | undefined;
    try {
      meta = JSON.parse(await readFile(path, 'utf8')) as Meta;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`The data file ${path} cannot be read: ${(e as Error).message}`);
    }
    if (!meta) {
      await writeFileDurable(path, JSON.stringify({ schemaVersion: SCHEMA_VERSION, createdAt: this.now.toISOString() }, null, 2));
      await syncDirs([this.dir]);
      return;
    }
    if (meta.schemaVersion > SCHEMA_VERSION) {
      throw new Error(
        `The data in ${this.dir} is schema version ${meta.schemaVersion}, newer than this bot understands (${SCHEMA_VERSION}). Upgrade the bot.`,
      );
    }
    for (let v = meta.schemaVersion + 1; v <= SCHEMA_VERSION; v++) {
      const migrate = MIGRATIONS[v];
      if (!migrate) throw new Error(`No migration to schema version ${v}`);
      await migrate(this.dir);
      await writeFileDurable(path, JSON.stringify({ ...meta, schemaVersion: v }, null, 2));
      await syncDirs([this.dir]);
    }
  }

  private spec(collection: string): ShardSpec | undefined {
    return this.options.shards?.[collection];
  }

  private stemFor(collection: string, id: string): string {
    return shardStem(this.spec(collection), id);
  }

  private async loadAll(): Promise<void> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isDirectory()) await this.load(entry.name);
    }
  }

  /**
   * Reads every data file of a collection. An item found in a file that is not its home under the
   * current spec (the spec changed, e.g. more shards or one file per call-off) is re-homed: the new
   * files are written first and the old ones rewritten or removed after, so a crash loses nothing.
   * A copy in its home file wins over a stray copy left by a re-homing that was cut short.
   */
  private async load(collection: string): Promise<Map<string, Partition>> {
    const folder = join(this.dir, collection);
    await mkdir(folder, { recursive: true });
    // Only the hash files' names are kept: a folder of ten years of call-offs is streamed past, not held.
    const stems: string[] = [];
    for await (const entry of await opendir(folder)) if (/^\d+\.json$/.test(entry.name)) stems.push(entry.name.slice(0, -'.json'.length));
    // Hash shards are read now (and checked for items whose home moved); keyed files when first used.
    const loaded = await mapLimit(
      stems,
      32,
      async (stem) => ({ stem, data: await readPartitionFile(this.dir, collection, stem) }),
    );
    // Keyed files are not even listed: ten years of call-offs would be 300 000 entries held for nothing.
    const parts = new Map<string, Partition>();
    const part = (stem: string) => {
      let p = parts.get(stem);
      if (!p) parts.set(stem, (p = { stem, data: (isKeyed(stem) ? readPartitionSync(this.dir, collection, stem) : null) ?? emptyData() }));
      return p;
    };
    const strays: Entity[] = [];
    const sources = new Set<string>();
    for (const { stem, data } of loaded) {
      const items = data?.items ?? {};
      if (!Object.keys(items).length) continue;
      for (const id in items) {
        if (this.stemFor(collection, id) === stem) part(stem).data.items[id] = items[id];
        else {
          strays.push(items[id]);
          sources.add(stem);
        }
      }
    }
    if (strays.length) {
      const dirty = new Set<Partition>();
      for (const item of strays) {
        const home = part(this.stemFor(collection, item.id));
        if (item.id in home.data.items) continue;
        home.data.items[item.id] = item;
        dirty.add(home);
      }
      await mapLimit([...dirty], 32, (p) => writePartition(this.dir, collection, p));
      await syncDirs([folder]);
      for (const stem of sources) {
        const p = parts.get(stem);
        if (p && Object.keys(p.data.items).length) await writePartition(this.dir, collection, p);
        else {
          parts.delete(stem);
          await rm(join(folder, `${stem}.json`), { force: true });
        }
      }
      await syncDirs([folder]);
    }
    this.collections.set(collection, parts);
    return parts;
  }

  /**
   * The partition holding `id`, in memory. A call-off's file is read (synchronously: transactions
   * are) the first time one of its items is asked for, and kept; asking for an item no file holds
   * keeps nothing, unless `create` (a write).
   */
  private partitionOf(collection: string, id: string, create = false): Partition | undefined {
    const parts = this.collections.get(collection);
    if (!parts) return undefined;
    const stem = this.stemFor(collection, id);
    let p = parts.get(stem);
    if (!p) {
      const data = isKeyed(stem) ? readPartitionSync(this.dir, collection, stem) : null;
      if (data || create) parts.set(stem, (p = { stem, data: data ?? emptyData() }));
    }
    return p;
  }

  /** The call-off files of a collection not in memory (none for collections kept in hash files only). */
  private coldStems(collection: string, files: string[]): string[] {
    const parts = this.collections.get(collection);
    return files.filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -'.json'.length)).filter((stem) => isKeyed(stem) && !parts?.has(stem));
  }

  private keyed(collection: string): boolean {
    return typeof this.spec(collection) === 'object';
  }

  private committed(collection: string, id: string): Entity | undefined {
    const items = this.partitionOf(collection, id)?.data.items;
    return items && Object.hasOwn(items, id) ? items[id] : undefined;
  }

  /** `committed`, for the running transaction: it answers once the record that wrote what it read is durable. */
  private read(collection: string, id: string): Entity | undefined {
    const p = this.partitionOf(collection, id);
    if (p?.n && p.n > this.seen) this.seen = p.n;
    return p && Object.hasOwn(p.data.items, id) ? p.data.items[id] : undefined;
  }

  /** Puts a change into memory, as written by journal record `n`; the partition is written at the next checkpoint. */
  private apply(c: StagedChange, n?: number): void {
    const p = this.partitionOf(c.collection, c.id, true)!;
    if (c.after) p.data.items[c.id] = c.after;
    else delete p.data.items[c.id];
    p.n = n;
    this.dirty.set(p, c.collection);
  }

  /**
   * Every item of a collection. Files not yet in memory are read for this call only and not kept:
   * a scan over ten years of call-offs must not pull them all into memory (but it does cost a read
   * of each, so hot paths look items up by id instead).
   */
  committedAll(collection: string): Entity[] {
    const out: Entity[] = [];
    for (const p of this.collections.get(collection)?.values() ?? []) {
      if (p.n && p.n > this.seen) this.seen = p.n;
      for (const id in p.data.items) out.push(p.data.items[id]);
    }
    if (!this.keyed(collection)) return out;
    for (const stem of this.coldStems(collection, readdirSync(join(this.dir, collection)))) {
      const items = readPartitionSync(this.dir, collection, stem)?.items ?? {};
      for (const id in items) out.push(items[id]);
    }
    return out;
  }

  private async committedAllAsync(collection: string): Promise<Entity[]> {
    const out: Entity[] = [];
    for (const p of this.collections.get(collection)?.values() ?? []) for (const id in p.data.items) out.push(p.data.items[id]);
    if (!this.keyed(collection)) return out;
    await mapLimit(this.coldStems(collection, await readdir(join(this.dir, collection))), 16, async (stem) => {
      const items = (await readPartitionFile(this.dir, collection, stem))?.items ?? {};
      // A transaction may have read (and changed) it meanwhile: then what memory holds is the answer.
      const p = this.collections.get(collection)?.get(stem);
      const now = p?.data.items ?? items;
      for (const id in now) out.push(now[id]);
    });
    return out;
  }

  /** Waits until whatever was committed before this call is durable, so no read hands out a change a crash could still undo. */
  private async settled(upTo = this.journal.last): Promise<void> {
    if (this.broken) throw this.broken;
    if (this.journal.pending) await this.journal.whenDurable(upTo);
  }

  /** The journal could not be written: memory holds changes the disk does not, so the store stops. */
  private get broken(): unknown {
    return this.journal?.failure;
  }

  async get<K extends keyof C & string>(collection: K, id: string): Promise<C[K] | undefined> {
    if (this.broken) throw this.broken;
    const p = this.partitionOf(collection, id);
    const item = p && Object.hasOwn(p.data.items, id) ? p.data.items[id] : undefined;
    const copy = item ? (structuredClone(item) as C[K]) : undefined;
    // Only a change still on its way to disk is waited for, not every write in flight.
    if (p?.n && this.journal.waitsFor(p.n)) await this.journal.whenDurable(p.n);
    return copy;
  }

  /**
   * Every committed item of a collection, reading each file of it: for tools, tests and one-off
   * rebuilds, never a hot path (use cases ask the named reads). Not part of the port.
   */
  async scan<K extends keyof C & string>(collection: K): Promise<C[K][]> {
    if (!this.collections.has(collection)) return [];
    const all = structuredClone((await this.committedAllAsync(collection)) as C[K][]);
    await this.settled();
    return all;
  }

  async transact<T>(options: TransactOptions, fn: (tx: Tx<C> & R) => T | Promise<T>): Promise<T> {
    if (this.closed) throw new StoreClosedError();
    if (this.broken) throw this.broken;
    // Whatever the transaction read or wrote is durable before it answers, refusals included.
    let upTo = 0;
    try {
      return await timed('tx.wait', () =>
        this.queue.run(async () => {
          this.seen = 0;
          try {
            return await this.runTransaction(options, fn);
          } finally {
            upTo = this.seen;
          }
        }),
      );
    } finally {
      await timed('commit.durable', () => this.settled(upTo));
    }
  }

  private async runTransaction<T>(options: TransactOptions, fn: (tx: Tx<C> & R) => T | Promise<T>): Promise<T> {
    if (options.idempotencyKey) {
      const receipt = this.read('receipts', options.idempotencyKey) as { result: T } | undefined;
      if (receipt) return structuredClone(receipt.result);
    }
    const staged = new Map<string, StagedChange>();
    const byCollection = new Map<string, Map<string, Entity | null>>();
    const notes: { what: string; details: unknown; keepOnAbort?: boolean }[] = [];
    const key = (c: string, id: string) => `${c}\u0000${id}`;
    const stage = (collection: string, id: string, after: Entity | null) => {
      staged.set(key(collection, id), { collection, id, after });
      let mine = byCollection.get(collection);
      if (!mine) byCollection.set(collection, (mine = new Map()));
      mine.set(id, after);
    };
    const view: TxView = {
      get: (collection, id) => {
        const s = staged.get(key(collection, id));
        return (s ? s.after : this.read(collection, id)) ?? undefined;
      },
      staged: (collection) => byCollection.get(collection) ?? new Map(),
      committedAll: (collection) => this.committedAll(collection),
    };
    const base: Tx<C> = {
      get: async (collection, id) => {
        const item = view.get(collection, id);
        return item ? (structuredClone(item) as C[typeof collection]) : undefined;
      },
      put: (collection, item) => {
        if (this.options.derived?.includes(collection)) throw new Error(`${collection} is kept by the store itself`);
        stage(collection, item.id, structuredClone(item));
      },
      delete: (collection, id) => {
        stage(collection, id, null);
      },
      note: (what, details, opts) => {
        notes.push({ what, details, keepOnAbort: opts?.keepOnAbort });
      },
    };
    const tx = Object.assign(base, this.options.reads?.(view)) as Tx<C> & R;
    let result: T;
    try {
      result = await timed('stage', () => fn(tx));
    } catch (error) {
      const kept = notes.filter((n) => n.keepOnAbort);
      if (kept.length) await this.commit(options, [], kept);
      throw error;
    }
    if (options.idempotencyKey) {
      staged.set(key('receipts', options.idempotencyKey), {
        collection: 'receipts',
        id: options.idempotencyKey,
        after: { id: options.idempotencyKey, at: this.now.toISOString(), result: structuredClone(result) } as Entity,
      });
    }
    await this.commit(options, staged.values(), notes);
    return result;
  }

  /** Writes changes to derived collections (an index rebuild) as one unaudited commit. */
  async writeDerived(changes: StagedChange[]): Promise<void> {
    await this.queue.run(() => this.commit({ actor: 'system:store', action: 'store.index' }, changes, [], false));
    await this.settled();
  }

  /**
   * Makes a transaction's changes the committed state and queues its journal record: audit
   * entries for every change but receipts and derived ones, then the derived changes (indexes).
   * Everything after the collections are loaded is synchronous, so a checkpoint never sees half a commit.
   */
  private commit(options: TransactOptions, changes: Iterable<StagedChange>, notes: { what: string; details: unknown }[], derive = true): Promise<void> {
    return timed('commit.prepare', async () => {
      let list = [...changes];
      const loadAll = async (all: StagedChange[]) => {
        for (const c of all) if (!this.collections.has(c.collection)) await this.load(c.collection);
      };
      await loadAll(list);
      const unaudited = new Set(['receipts', ...(this.options.derived ?? [])]);
      const withBefore = list.map((c) => ({ ...c, before: this.committed(c.collection, c.id) ?? null }));
      let extra: StagedChange[] = [];
      if (derive && this.options.derive && list.length) {
        extra = this.options.derive(withBefore, (collection, id) => this.committed(collection, id));
        await loadAll(extra);
        list = [...list, ...extra];
      }
      if (!list.length && !notes.length) return;
      const at = this.now.toISOString();
      const entries: AuditEntry[] = [];
      for (const c of withBefore) {
        if (!unaudited.has(c.collection)) entries.push({ seq: ++this.auditSeq, at, actor: options.actor, action: options.action, collection: c.collection, id: c.id, before: c.before, after: c.after });
      }
      for (const n of notes) entries.push({ seq: ++this.auditSeq, at, actor: options.actor, action: n.what, collection: '-', id: '-', before: null, after: n.details });
      const n = this.journal.last + 1;
      for (const c of list) this.apply(c, n);
      // Each entry is serialized once: the same text goes into the journal record and, once durable, the audit log.
      const lines = entries.map((e) => JSON.stringify(e));
      const record = `{"audit":[${lines.join(',')}],"changes":${JSON.stringify(list.filter((c) => unaudited.has(c.collection)))}}`;
      timed('commit.write', () => this.journal.append(record, lines.map((l) => l + '\n').join('')));
      this.seen = n;
      const heard = list.filter((c) => !this.options.derived?.includes(c.collection));
      if (heard.length) this.unheard.push({ n, changes: heard });
      this.scheduleCheckpoint();
    });
  }

  /** The journal is durable up to record `upTo`: watchers hear those records' changes, in commit order. */
  private heard(upTo: number): void {
    while (this.unheard.length && this.unheard[0].n <= upTo) {
      for (const c of this.unheard.shift()!.changes) {
        for (const listener of this.listeners.get(c.collection) ?? []) {
          try {
            listener({ id: c.id, after: c.after });
          } catch {
            // A watcher's bug must not fail a transaction that is already saved.
          }
        }
      }
    }
  }

  /**
   * Brings the store back to where the last durable commit left it: a journal left by an earlier
   * version (one multi-file transaction), then every journal record, into memory; the audit entries
   * the log lacks appended; then one checkpoint, so the store starts with no journal behind it.
   */
  private async recover(): Promise<void> {
    const legacy = await readFile(join(this.dir, LEGACY_JOURNAL), 'utf8').catch(() => undefined);
    const changes: StagedChange[] = legacy === undefined ? [] : (JSON.parse(legacy) as StagedChange[]);
    const { records, lastGeneration } = await readJournal<JournalRecord>(this.dir);
    await this.auditLog.endTornLine();
    const logged = await this.auditLog.lastSeq();
    let missing = '';
    this.auditSeq = logged;
    for (const r of records) {
      for (const e of r.audit) {
        if (e.collection !== '-') changes.push({ collection: e.collection, id: e.id, after: e.after as Entity | null });
        if (e.seq > logged) missing += JSON.stringify(e) + '\n';
        this.auditSeq = Math.max(this.auditSeq, e.seq);
      }
      changes.push(...r.changes);
    }
    for (const c of changes) {
      if (!this.collections.has(c.collection)) await this.load(c.collection);
      this.apply(c);
    }
    if (missing) await this.auditLog.append(missing);
    this.journal = new Journal(
      this.dir,
      lastGeneration,
      (text) => this.auditLog.append(text),
      (upTo) => this.heard(upTo),
    );
    if (!records.length && legacy === undefined) return;
    await this.writeFiles(this.takeDirty());
    await this.auditLog.sync();
    await this.journal.removeUpTo(lastGeneration);
    if (legacy !== undefined) {
      await rm(join(this.dir, LEGACY_JOURNAL), { force: true });
      await syncDirs([this.dir]);
    }
  }

  private takeDirty(): Map<Partition, string> {
    const dirty = this.dirty;
    this.dirty = new Map();
    return dirty;
  }

  /**
   * Writes data files, at most a few at a time, then syncs their folders. A file is renamed into
   * place only once every journal record its text holds is durable (`ready`): a data file never
   * shows a change whose audit entry a crash could still lose.
   */
  private async writeFiles(dirty: Map<Partition, string>, ready?: (n: number) => Promise<void>): Promise<void> {
    await mapLimit([...dirty], CHECKPOINT_FILES_AT_ONCE, ([p, collection]) => {
      const n = this.journal.last;
      return writePartition(this.dir, collection, p, ready && (() => ready(n)));
    });
    await syncDirs([...new Set(dirty.values())].map((c) => join(this.dir, c)));
  }

  private scheduleCheckpoint(): void {
    if (this.journal.bytes >= CHECKPOINT_BYTES) return detached(() => this.startCheckpoint());
    if (this.checkpointTimer || this.closed) return;
    // Not the work of the turn whose commit armed it.
    this.checkpointTimer = detached(() => setTimeout(() => this.startCheckpoint(), CHECKPOINT_AFTER_MS));
    this.checkpointTimer.unref?.();
  }

  private startCheckpoint(): void {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (this.checkpointing || this.broken) return;
    this.checkpointing = this.checkpoint()
      // A checkpoint that fails loses nothing (the journal still holds it all): the next one tries again.
      .catch(() => undefined)
      .finally(() => {
        this.checkpointing = undefined;
        if (this.dirty.size && !this.closed) this.scheduleCheckpoint();
      });
  }

  /**
   * Writes every partition changed since the last checkpoint, syncs the audit log, then removes the
   * journal generations the files now hold. Taken between commits (commits are synchronous past
   * their loads), so the files hold at least everything in those generations.
   */
  private async checkpoint(): Promise<void> {
    const generation = this.journal.rotate();
    const dirty = this.takeDirty();
    const upTo = this.journal.last;
    try {
      await this.journal.whenDurable(upTo);
      await this.writeFiles(dirty, (n) => this.journal.whenDurable(n));
      await this.auditLog.sync();
    } catch (error) {
      for (const [p, c] of dirty) this.dirty.set(p, c);
      throw error;
    }
    await this.journal.removeUpTo(generation);
  }

  watch<K extends keyof C & string>(collection: K, listener: (change: Change<C[K]>) => void): () => void {
    let set = this.listeners.get(collection);
    if (!set) this.listeners.set(collection, (set = new Set()));
    set.add(listener as Listener);
    return () => set!.delete(listener as Listener);
  }

  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    await this.queue.drain();
    await this.settled();
    const all = await this.auditLog.read();
    const fields = Object.entries(query).filter(([, v]) => v !== undefined) as [keyof AuditEntry, unknown][];
    return fields.length ? all.filter((e) => fields.every(([k, v]) => e[k] === v)) : all;
  }

  async claim(kind: WorkKind, id: string, holder: string, leaseMs: number): Promise<Claimed> {
    // A lease is wall time, not the business clock tests may freeze.
    return this.leases.claim(kind, id, holder, leaseMs, Date.now());
  }

  async release(kind: WorkKind, id: string, holder: string): Promise<void> {
    this.leases.release(kind, id, holder);
  }

  /** Brings every data file up to date now (tests and tools that read the files while the store is open). */
  async flush(): Promise<void> {
    await this.queue.drain();
    await this.checkpointing;
    this.startCheckpoint();
    await this.checkpointing;
    if (this.broken) throw this.broken;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    clearTimeout(this.checkpointTimer);
    await this.checkpointing;
    // A broken journal means memory is ahead of the disk: nothing more is written, and the next open replays what is durable.
    await this.journal.whenDurable().catch(() => undefined);
    if (!this.broken) await this.checkpoint();
    await this.journal.close();
    await this.auditLog.close();
    await this.unlock?.();
  }
}
