import { readFileSync } from 'node:fs';
import { appendFile, mkdir, open as openFile, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { JSONFile } from 'lowdb/node';
import { type Claimed, AuditEntry, AuditQuery, Change, Entity, Store, StoreClosedError, TransactOptions, Tx, WorkKind } from '../store.js';
import { Leases } from '../leases.js';
import { WriteQueue } from '../writeQueue.js';
import { syncDirs, writeFileDurable } from './durable.js';
import { isAlive } from './processAlive.js';

export const SCHEMA_VERSION = 1;

/** The change being written, while a transaction writes more than one file. */
const JOURNAL = 'journal.json';

/** Folders opened by this process: the pid lock cannot tell two stores in one process apart. */
const openHere = new Set<string>();

/** Steps that bring a data folder from version N-1 to N; keyed by the version they produce. */
const MIGRATIONS: Record<number, (dir: string) => Promise<void>> = {};

interface ShardData {
  schemaVersion: number;
  items: Record<string, Entity>;
}

interface Meta {
  schemaVersion: number;
  createdAt: string;
}

/**
 * How a collection is spread over files:
 * - a number N: N files `0.json` … `N-1.json`, an item's file chosen by a hash of its id. Right for
 *   collections that stay small (the framework, users);
 * - `{ by, fallback }`: one file per partition key, `by(id)` (e.g. the call-off an id belongs to),
 *   so a write rewrites only that key's file and its cost does not grow with history; ids for which
 *   `by` returns undefined go to `fallback` hash files.
 */
export type ShardSpec = number | { by: (id: string) => string | undefined; fallback?: number };

/** A staged change, as a transaction commits it. */
export interface StagedChange {
  collection: string;
  id: string;
  after: Entity | null;
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

/** The file (without `.json`) that holds the item with this id under this spec. */
export function shardStem(spec: ShardSpec | undefined, id: string): string {
  if (spec === undefined || typeof spec === 'number') return String(hashIndex(id, spec ?? 1));
  const key = spec.by(id);
  if (key === undefined || key === '') return String(hashIndex(id, spec.fallback ?? 1));
  const safe = key.replace(/[^A-Za-z0-9._-]/g, '_');
  // Numeric names are the hash files'; a key that looks like one gets a prefix.
  return /^\d+$/.test(safe) || safe.startsWith('.') ? `k${safe}` : safe;
}

function hashIndex(id: string, count: number): number {
  if (count <= 1) return 0;
  let h = 2166136261; // FNV-1a: cheap and evenly spread for short ids
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % count;
}

/**
 * One data file: its items in memory once read, and the lowdb handle that writes it (made on first
 * write). A keyed file (one call-off's) is read only when something asks for one of its items, so
 * years of finished call-offs stay on disk until needed.
 */
interface Partition {
  stem: string;
  data?: ShardData;
}

/** Hash-shard files are named by number; keyed files by their key. */
const isKeyed = (stem: string) => !/^\d+$/.test(stem);

type Listener = (change: Change<Entity>) => void;

/**
 * The embedded store: each collection lives in lowdb JSON files (`<dir>/<collection>/<stem>.json`,
 * see `ShardSpec`), so a write rewrites only the files it touched; collections that grow with
 * history are kept one file per call-off, so that cost stays flat as the years pile up. Every item
 * is held in memory; reads never touch the disk. Files are read with lowdb and written temp file,
 * fsync, rename (durable.ts), so a crash leaves either the old or the new file, never half of one.
 * Every change goes through one queue; the audit log is appended (JSON Lines) and fsynced before
 * the data files are written, and a transaction resolves once all of it is on disk. An adapter
 * adds its named reads (`reads`) and keeps its indexes in the same commit (`derive`).
 */
export class LowdbStore<C extends Record<string, Entity>, R = unknown> implements Store<C, R> {
  private readonly collections = new Map<string, Map<string, Partition>>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private auditFile?: import('node:fs/promises').FileHandle;
  private readonly queue = new WriteQueue();
  private closed = false;
  private auditSeq = 0;
  /** Claims on shared work: one process owns the folder, so a lease lives in memory. */
  private readonly leases = new Leases();

  private constructor(
    private readonly dir: string,
    private readonly options: LowdbStoreOptions<R>,
  ) {}

  static async open<C extends Record<string, Entity>, R = unknown>(dir: string, options: LowdbStoreOptions<R> = {}): Promise<LowdbStore<C, R>> {
    const store = new LowdbStore<C, R>(dir, options);
    const key = resolve(dir);
    if (openHere.has(key)) throw new Error(`The data folder ${dir} is in use: this process has already opened it. Close that store first.`);
    openHere.add(key);
    try {
      await mkdir(dir, { recursive: true });
      await store.lock();
      await store.checkSchema();
      await store.loadAll();
      await store.replayJournal();
      store.auditSeq = await store.lastAuditSeq();
      await store.endTornAuditLine();
    } catch (e) {
      openHere.delete(key);
      throw e;
    }
    return store;
  }

  /**
   * lowdb keeps everything in memory and rewrites files from there, so two processes on one
   * folder would overwrite each other's changes: the second is refused while the first lives.
   */
  private async lock(): Promise<void> {
    const path = join(this.dir, 'store.lock');
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(`The data folder ${this.dir} is in use by another process (pid ${holder}), probably the running bot. Stop it first.`);
    }
    await writeFileDurable(path, String(process.pid));
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
    const files = (await readdir(folder)).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    const stems = files.map((f) => f.slice(0, -'.json'.length));
    // Hash shards are read now (and checked for items whose home moved); keyed files when first used.
    const loaded = await mapLimit(
      stems.filter((stem) => !isKeyed(stem)),
      32,
      async (stem) => ({ stem, data: await this.readPartitionFile(collection, stem) }),
    );
    const parts = new Map<string, Partition>();
    for (const stem of stems) if (isKeyed(stem)) parts.set(stem, { stem });
    const part = (stem: string) => {
      let p = parts.get(stem);
      if (!p) parts.set(stem, (p = { stem, data: { schemaVersion: SCHEMA_VERSION, items: {} } }));
      return this.ensure(collection, p);
    };
    const strays: Entity[] = [];
    const sources = new Set<string>();
    for (const { stem, data } of loaded) {
      const items = data?.items ?? {};
      if (!Object.keys(items).length) continue;
      for (const id in items) {
        if (this.stemFor(collection, id) === stem) part(stem).data!.items[id] = items[id];
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
        if (item.id in home.data!.items) continue;
        home.data!.items[item.id] = item;
        dirty.add(home);
      }
      await mapLimit([...dirty], 32, (p) => this.writePartition(collection, p, parts));
      await syncDirs([folder]);
      for (const stem of sources) {
        const p = parts.get(stem);
        if (p && Object.keys(p.data!.items).length) await this.writePartition(collection, p, parts);
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

  private async readPartitionFile(collection: string, stem: string): Promise<ShardData | null> {
    const path = join(this.dir, collection, `${stem}.json`);
    try {
      return await new JSONFile<ShardData>(path).read();
    } catch (e) {
      throw new Error(`The data file ${path} cannot be read: ${(e as Error).message}`);
    }
  }

  /** A keyed file's items, read (synchronously: transactions are) the first time they are needed. */
  private ensure(collection: string, p: Partition): Partition & { data: ShardData } {
    if (!p.data) p.data = this.readSync(collection, p.stem) ?? { schemaVersion: SCHEMA_VERSION, items: {} };
    return p as Partition & { data: ShardData };
  }

  private readSync(collection: string, stem: string): ShardData | null {
    const path = join(this.dir, collection, `${stem}.json`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    try {
      return JSON.parse(text) as ShardData;
    } catch (e) {
      throw new Error(`The data file ${path} cannot be read: ${(e as Error).message}`);
    }
  }

  /**
   * Writes one data file atomically and durably (temp file, fsync, rename; the caller syncs the
   * folder), in lowdb's format; an emptied keyed file is removed.
   */
  private async writePartition(collection: string, p: Partition, parts: Map<string, Partition>): Promise<void> {
    const path = join(this.dir, collection, `${p.stem}.json`);
    if (!p.data) return; // never read, so never changed
    if (isKeyed(p.stem) && !Object.keys(p.data.items).length) {
      if (parts.get(p.stem) === p) parts.delete(p.stem);
      await rm(path, { force: true });
      return;
    }
    await writeFileDurable(path, JSON.stringify(p.data, null, 2));
  }

  /** Writes the touched files, then syncs each touched folder once. */
  private async writeDirty(dirty: Map<Partition, string>): Promise<void> {
    await Promise.all([...dirty].map(([p, collection]) => this.writePartition(collection, p, this.collections.get(collection)!)));
    await syncDirs([...dirty.values()].map((c) => join(this.dir, c)));
  }

  private partitionOf(collection: string, id: string, create = false): (Partition & { data: ShardData }) | undefined {
    const parts = this.collections.get(collection);
    if (!parts) return undefined;
    const stem = this.stemFor(collection, id);
    let p = parts.get(stem);
    if (!p && create) parts.set(stem, (p = { stem, data: { schemaVersion: SCHEMA_VERSION, items: {} } }));
    return p && this.ensure(collection, p);
  }

  private committed(collection: string, id: string): Entity | undefined {
    const items = this.partitionOf(collection, id)?.data.items;
    return items && Object.hasOwn(items, id) ? items[id] : undefined;
  }

  /**
   * Every item of a collection. Files not yet in memory are read for this call only and not kept:
   * a scan over ten years of call-offs must not pull them all into memory (but it does cost a read
   * of each, so hot paths look items up by id instead).
   */
  committedAll(collection: string): Entity[] {
    const out: Entity[] = [];
    for (const p of this.collections.get(collection)?.values() ?? []) {
      const items = p.data?.items ?? this.readSync(collection, p.stem)?.items ?? {};
      for (const id in items) out.push(items[id]);
    }
    return out;
  }

  private async committedAllAsync(collection: string, where?: (item: Entity) => boolean): Promise<Entity[]> {
    const out: Entity[] = [];
    const cold: string[] = [];
    for (const p of this.collections.get(collection)?.values() ?? []) {
      if (!p.data) {
        cold.push(p.stem);
        continue;
      }
      for (const id in p.data.items) if (!where || where(p.data.items[id])) out.push(p.data.items[id]);
    }
    await mapLimit(cold, 16, async (stem) => {
      const parts = this.collections.get(collection);
      const p = parts?.get(stem);
      // Read now unless a transaction loaded (and maybe changed) it meanwhile.
      const items = p?.data?.items ?? (p ? (await this.readPartitionFile(collection, stem))?.items : undefined) ?? {};
      for (const id in items) if (!where || where(items[id])) out.push(p?.data?.items[id] ?? items[id]);
    });
    return out;
  }

  async get<K extends keyof C & string>(collection: K, id: string): Promise<C[K] | undefined> {
    const item = this.committed(collection, id);
    return item ? (structuredClone(item) as C[K]) : undefined;
  }

  /**
   * Every committed item of a collection, reading each file of it: for tools, tests and one-off
   * rebuilds, never a hot path (use cases ask the named reads). Not part of the port.
   */
  async scan<K extends keyof C & string>(collection: K): Promise<C[K][]> {
    if (!this.collections.has(collection)) return [];
    return structuredClone((await this.committedAllAsync(collection)) as C[K][]);
  }

  transact<T>(options: TransactOptions, fn: (tx: Tx<C> & R) => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.queue.run(() => this.runTransaction(options, fn));
  }

  private async runTransaction<T>(options: TransactOptions, fn: (tx: Tx<C> & R) => T | Promise<T>): Promise<T> {
    if (options.idempotencyKey) {
      const receipt = this.committed('receipts', options.idempotencyKey) as { result: T } | undefined;
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
        return (s ? s.after : this.committed(collection, id)) ?? undefined;
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
      result = await fn(tx);
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
  }

  private async commit(
    options: TransactOptions,
    changes: Iterable<{ collection: string; id: string; after: Entity | null }>,
    notes: { what: string; details: unknown }[],
    derive = true,
  ): Promise<void> {
    const at = this.now.toISOString();
    const lines: AuditEntry[] = [];
    let list = [...changes];
    const unaudited = new Set(['receipts', ...(this.options.derived ?? [])]);
    const load = async (all: StagedChange[]) => {
      for (const c of all) if (!this.collections.has(c.collection)) await this.load(c.collection);
    };
    await load(list);
    const withBefore = list.map((c) => ({ ...c, before: this.committed(c.collection, c.id) ?? null }));
    for (const c of withBefore) {
      if (!unaudited.has(c.collection)) {
        lines.push({ seq: 0, at, actor: options.actor, action: options.action, collection: c.collection, id: c.id, before: c.before, after: c.after });
      }
    }
    if (derive && this.options.derive && list.length) {
      const extra = this.options.derive(withBefore, (collection, id) => this.committed(collection, id));
      await load(extra);
      list = [...list, ...extra];
    }
    for (const n of notes) {
      lines.push({ seq: 0, at, actor: options.actor, action: n.what, collection: '-', id: '-', before: null, after: n.details });
    }
    if (lines.length) {
      for (const l of lines) l.seq = ++this.auditSeq;
      // One handle kept open in append mode: each entry is one write, with no open/close per transaction.
      this.auditFile ??= await openFile(join(this.dir, 'audit.jsonl'), 'a');
      await this.auditFile.appendFile(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      // The audit is the record of what happened: durable before the data it describes.
      await this.auditFile.sync();
    }
    const dirty = new Map<Partition, string>();
    for (const c of list) {
      const p = this.partitionOf(c.collection, c.id, true)!;
      if (c.after) p.data.items[c.id] = c.after;
      else delete p.data.items[c.id];
      dirty.set(p, c.collection);
    }
    // A transaction that touches several files is journalled first: a crash between the files'
    // writes is finished on the next open instead of leaving half a change (e.g. a post without its pending entry).
    const journal = dirty.size > 1;
    if (journal) {
      await writeFileDurable(join(this.dir, JOURNAL), JSON.stringify(list));
      await syncDirs([this.dir]);
    }
    await this.writeDirty(dirty);
    // Every file is durable now; a journal left behind by a crash here would only be replayed again.
    if (journal) await rm(join(this.dir, JOURNAL), { force: true });
    for (const c of list) {
      if (this.options.derived?.includes(c.collection)) continue;
      for (const listener of this.listeners.get(c.collection) ?? []) {
        try {
          listener({ id: c.id, after: c.after });
        } catch {
          // A watcher's bug must not fail a transaction that is already saved.
        }
      }
    }
  }

  /** Finishes the last transaction if the process died while writing its files (see commit). */
  private async replayJournal(): Promise<void> {
    const path = join(this.dir, JOURNAL);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    const list = JSON.parse(text) as { collection: string; id: string; after: Entity | null }[];
    const dirty = new Map<Partition, string>();
    for (const c of list) {
      if (!this.collections.has(c.collection)) await this.load(c.collection);
      const p = this.partitionOf(c.collection, c.id, true)!;
      if (c.after) p.data.items[c.id] = c.after;
      else delete p.data.items[c.id];
      dirty.set(p, c.collection);
    }
    await this.writeDirty(dirty);
    await rm(path, { force: true });
  }

  watch<K extends keyof C & string>(collection: K, listener: (change: Change<C[K]>) => void): () => void {
    let set = this.listeners.get(collection);
    if (!set) this.listeners.set(collection, (set = new Set()));
    set.add(listener as Listener);
    return () => set!.delete(listener as Listener);
  }

  /** After a crash mid-append the log may end without a newline; start the next entry on its own line. */
  private async endTornAuditLine(): Promise<void> {
    const path = join(this.dir, 'audit.jsonl');
    const size = await stat(path).then((s) => s.size, () => 0);
    if (!size) return;
    const fh = await openFile(path, 'r');
    try {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await appendFile(path, '\n');
    } finally {
      await fh.close();
    }
  }

  /**
   * The seq of the last whole entry, read from the end of the log: opening the store must not cost
   * a read of ten years of audit. Entries are appended in seq order, so the last whole one is the highest.
   */
  private async lastAuditSeq(): Promise<number> {
    const path = join(this.dir, 'audit.jsonl');
    const size = await stat(path).then((s) => s.size, () => 0);
    if (!size) return 0;
    const fh = await openFile(path, 'r');
    try {
      let tail = Buffer.alloc(0);
      for (let end = size; end > 0; ) {
        const start = Math.max(0, end - 256 * 1024);
        const chunk = Buffer.alloc(end - start);
        await fh.read(chunk, 0, chunk.length, start);
        tail = Buffer.concat([chunk, tail]);
        end = start;
        const lines = tail.toString('utf8').split('\n');
        // The first piece may be a partial line unless we reached the start of the file.
        for (let i = lines.length - 1; i >= (start === 0 ? 0 : 1); i--) {
          if (!lines[i]) continue;
          try {
            const seq = Number((JSON.parse(lines[i]) as AuditEntry).seq);
            if (Number.isFinite(seq)) return seq;
          } catch {
            // a torn line: look at the one before
          }
        }
      }
      return 0;
    } finally {
      await fh.close();
    }
  }

  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    await this.queue.drain();
    const all = await this.readAudit();
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

  private async readAudit(): Promise<AuditEntry[]> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'audit.jsonl'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A line torn by a crash mid-append: the change it describes was never written either.
      }
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    await this.auditFile?.close();
    this.auditFile = undefined;
    await rm(join(this.dir, 'store.lock'), { force: true });
    openHere.delete(resolve(this.dir));
  }
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}
