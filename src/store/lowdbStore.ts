import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { AuditEntry, Entity, Store, StoreClosedError, TransactOptions, Tx } from './store.js';
import { WriteQueue } from './writeQueue.js';

export const SCHEMA_VERSION = 1;

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

export interface LowdbStoreOptions {
  /** How many files each collection is spread over (default 1). */
  shards?: Record<string, number>;
  now?: () => Date;
}

/**
 * The embedded store: each collection lives in one or more lowdb JSON files
 * (`<dir>/<collection>/<shard>.json`), so a write rewrites only the shard it touched. lowdb writes
 * through steno (temp file + rename), so a crash leaves either the old or the new file, never half
 * of one. Every change goes through one queue; the audit log is appended (JSON Lines) before the
 * data files are written.
 */
export class LowdbStore<C extends Record<string, Entity>> implements Store<C> {
  private readonly shards = new Map<string, Low<ShardData>[]>();
  private readonly queue = new WriteQueue();
  private closed = false;
  private auditSeq = 0;

  private constructor(
    private readonly dir: string,
    private readonly options: LowdbStoreOptions,
  ) {}

  static async open<C extends Record<string, Entity>>(dir: string, options: LowdbStoreOptions = {}): Promise<LowdbStore<C>> {
    const store = new LowdbStore<C>(dir, options);
    const key = resolve(dir);
    if (openHere.has(key)) throw new Error(`The data folder ${dir} is in use: this process has already opened it. Close that store first.`);
    openHere.add(key);
    try {
      await mkdir(dir, { recursive: true });
      await store.lock();
      await store.checkSchema();
      await store.loadAll();
      store.auditSeq = (await store.readAudit()).reduce((max, e) => Math.max(max, Number(e.seq) || 0), 0);
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
    await writeFileAtomic(path, String(process.pid));
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
      await writeFileAtomic(path, JSON.stringify({ schemaVersion: SCHEMA_VERSION, createdAt: this.now.toISOString() }, null, 2));
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
      await writeFileAtomic(path, JSON.stringify({ ...meta, schemaVersion: v }, null, 2));
    }
  }

  private shardCount(collection: string): number {
    return this.options.shards?.[collection] ?? 1;
  }

  private async loadAll(): Promise<void> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isDirectory()) await this.load(entry.name);
    }
  }

  private async load(collection: string): Promise<Low<ShardData>[]> {
    const count = this.shardCount(collection);
    const folder = join(this.dir, collection);
    await mkdir(folder, { recursive: true });
    const existing = (await readdir(folder)).filter((f) => /^\d+\.json$/.test(f));
    const lows: Low<ShardData>[] = [];
    for (let i = 0; i < count; i++) {
      const low = new Low<ShardData>(new JSONFile(join(folder, `${i}.json`)), { schemaVersion: SCHEMA_VERSION, items: {} });
      await low.read();
      lows.push(low);
    }
    // A change in the shard count (up or down) re-homes every item in its new shard; files past
    // the new count are removed only after the new shards are written, so a crash loses nothing.
    const stale = existing.filter((f) => Number.parseInt(f, 10) >= count);
    const misplaced = lows.some((l, i) => Object.keys(l.data.items).some((id) => this.shardIndex(id, count) !== i));
    if (stale.length || misplaced) {
      const all = new Map<string, Entity>();
      for (const f of stale) {
        const data = JSON.parse(await readFile(join(folder, f), 'utf8')) as ShardData;
        for (const item of Object.values(data.items)) all.set(item.id, item);
      }
      for (const low of lows) for (const item of Object.values(low.data.items)) all.set(item.id, item);
      for (const low of lows) low.data.items = {};
      for (const item of all.values()) lows[this.shardIndex(item.id, count)].data.items[item.id] = item;
      await Promise.all(lows.map((l) => l.write()));
      for (const f of stale) await rm(join(folder, f), { force: true });
    }
    this.shards.set(collection, lows);
    return lows;
  }

  private shardIndex(id: string, count: number): number {
    if (count === 1) return 0;
    let h = 2166136261; // FNV-1a: cheap and evenly spread for short ids
    for (let i = 0; i < id.length; i++) {
      h ^= id.charCodeAt(i);
      h = Math.imul(h, 16777619);
    }
    return (h >>> 0) % count;
  }

  private shardFor(collection: string, id: string): Low<ShardData> | undefined {
    const lows = this.shards.get(collection);
    return lows?.[this.shardIndex(id, lows.length)];
  }

  private committed(collection: string, id: string): Entity | undefined {
    return this.shardFor(collection, id)?.data.items[id];
  }

  private committedAll(collection: string): Entity[] {
    return (this.shards.get(collection) ?? []).flatMap((l) => Object.values(l.data.items));
  }

  async get<K extends keyof C & string>(collection: K, id: string): Promise<C[K] | undefined> {
    const item = this.committed(collection, id);
    return item ? (structuredClone(item) as C[K]) : undefined;
  }

  async find<K extends keyof C & string>(collection: K, where?: (item: C[K]) => boolean): Promise<C[K][]> {
    const items = this.committedAll(collection) as C[K][];
    return structuredClone(where ? items.filter(where) : items);
  }

  transact<R>(options: TransactOptions, fn: (tx: Tx<C>) => R | Promise<R>): Promise<R> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.queue.run(() => this.runTransaction(options, fn));
  }

  private async runTransaction<R>(options: TransactOptions, fn: (tx: Tx<C>) => R | Promise<R>): Promise<R> {
    if (options.idempotencyKey) {
      const receipt = this.committed('receipts', options.idempotencyKey) as { result: R } | undefined;
      if (receipt) return structuredClone(receipt.result);
    }
    const staged = new Map<string, { collection: string; id: string; after: Entity | null }>();
    const notes: { what: string; details: unknown; keepOnAbort?: boolean }[] = [];
    const key = (c: string, id: string) => `${c}\u0000${id}`;
    const tx: Tx<C> = {
      get: (collection, id) => {
        const s = staged.get(key(collection, id));
        const item = s ? s.after : this.committed(collection, id);
        return item ? (structuredClone(item) as C[typeof collection]) : undefined;
      },
      find: (collection, where) => {
        const byId = new Map(this.committedAll(collection).map((i) => [i.id, i]));
        for (const s of staged.values()) {
          if (s.collection !== collection) continue;
          if (s.after) byId.set(s.id, s.after);
          else byId.delete(s.id);
        }
        const items = [...byId.values()] as C[typeof collection][];
        // Filter first, clone only what is returned: a find must not cost a copy of the whole collection.
        return structuredClone(where ? items.filter(where) : items);
      },
      put: (collection, item) => {
        staged.set(key(collection, item.id), { collection, id: item.id, after: structuredClone(item) });
      },
      delete: (collection, id) => {
        staged.set(key(collection, id), { collection, id, after: null });
      },
      note: (what, details, opts) => {
        notes.push({ what, details, keepOnAbort: opts?.keepOnAbort });
      },
    };
    let result: R;
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

  private async commit(
    options: TransactOptions,
    changes: Iterable<{ collection: string; id: string; after: Entity | null }>,
    notes: { what: string; details: unknown }[],
  ): Promise<void> {
    const at = this.now.toISOString();
    const lines: AuditEntry[] = [];
    const dirty = new Set<Low<ShardData>>();
    const list = [...changes];
    for (const c of list) {
      if (!this.shards.has(c.collection)) await this.load(c.collection);
    }
    for (const c of list) {
      const before = this.committed(c.collection, c.id) ?? null;
      if (c.collection !== 'receipts') {
        lines.push({ seq: 0, at, actor: options.actor, action: options.action, collection: c.collection, id: c.id, before, after: c.after });
      }
    }
    for (const n of notes) {
      lines.push({ seq: 0, at, actor: options.actor, action: n.what, collection: '-', id: '-', before: null, after: n.details });
    }
    if (lines.length) {
      for (const l of lines) l.seq = ++this.auditSeq;
      await appendFile(join(this.dir, 'audit.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    }
    for (const c of list) {
      const shard = this.shardFor(c.collection, c.id)!;
      if (c.after) shard.data.items[c.id] = c.after;
      else delete shard.data.items[c.id];
      dirty.add(shard);
    }
    await Promise.all([...dirty].map((s) => s.write()));
  }

  /** After a crash mid-append the log may end without a newline; start the next entry on its own line. */
  private async endTornAuditLine(): Promise<void> {
    const path = join(this.dir, 'audit.jsonl');
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text && !text.endsWith('\n')) await appendFile(path, '\n');
  }

  async audit(where?: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
    await this.queue.drain();
    const all = await this.readAudit();
    return where ? all.filter(where) : all;
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
    await rm(join(this.dir, 'store.lock'), { force: true });
    openHere.delete(resolve(this.dir));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp file + rename: a crash leaves the old file or the new one, never half of one. */
async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
