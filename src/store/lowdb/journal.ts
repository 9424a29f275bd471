import { open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirs } from './durable.js';

/**
 * The embedded store's write-ahead journal, and its group commit. A transaction is durable once
 * its record (one JSON line: what it changed and its audit entries) is appended to the journal and
 * the journal is fsynced; the data files are brought up to date later, many transactions at a time
 * (the engine's checkpoint). Records queue while a flush is under way and the next flush writes
 * them all with one fsync, so a burst of transactions shares its fsyncs instead of waiting in line
 * for one each (PostgreSQL's commit_delay is the same idea, without the delay: the batch is what
 * arrived while the disk was busy).
 *
 * The journal is a series of files, `journal-<generation>.jsonl`. A checkpoint starts a new
 * generation for the records that follow it, writes the data files, and then removes the older
 * generations, whose records the files now hold. On open, every generation left is read back in
 * order; a torn last line (a crash mid-append, so never acknowledged) ends the replay.
 */
export const JOURNAL_PREFIX = 'journal-';
const fileOf = (dir: string, generation: number) => join(dir, `${JOURNAL_PREFIX}${generation}.jsonl`);

/** The journal files in a folder, oldest first. */
export async function journalFiles(dir: string): Promise<{ generation: number; path: string }[]> {
  return (await readdir(dir))
    .map((f) => /^journal-(\d+)\.jsonl$/.exec(f))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ generation: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.generation - b.generation);
}

/** The records of every journal file left in `dir`, in the order they were appended. */
export async function readJournal<T>(dir: string): Promise<{ records: T[]; lastGeneration: number }> {
  const files = await journalFiles(dir);
  const records: T[] = [];
  for (const f of files) {
    const lines = (await readFile(f.path, 'utf8')).split('\n');
    for (const [i, line] of lines.entries()) {
      if (!line) continue;
      try {
        records.push(JSON.parse(line) as T);
      } catch (e) {
        // Only the newest file's last flush can be torn (a crash mid-append): it never finished, so
        // nothing from it on was acknowledged. An older file was whole before the next one began.
        if (f === files.at(-1)) break;
        throw new Error(`The journal ${f.path} is damaged at line ${i + 1}: ${(e as Error).message}`);
      }
    }
  }
  return { records, lastGeneration: files.at(-1)?.generation ?? 0 };
}

interface Queued {
  generation: number;
  text: string;
  /** What goes to the audit log once the record is durable. */
  audit: string;
}

export class Journal {
  private generation: number;
  private file?: { generation: number; handle: FileHandle };
  private queued: Queued[] = [];
  private flushing?: Promise<void>;
  /** Records appended so far, and how many of them are durable. */
  private appended = 0;
  private durable = 0;
  private waiters: { upTo: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private broken?: unknown;
  /** Bytes appended since the last rotation. */
  bytes = 0;

  constructor(
    private readonly dir: string,
    lastGeneration: number,
    /** Appends the audit text of durable records (the audit log follows the journal, never leads it). */
    private readonly writeAudit: (text: string) => Promise<void>,
    /** Called in order with each durable batch's last record number. */
    private readonly onDurable: (upTo: number) => void,
  ) {
    this.generation = lastGeneration + 1;
  }

  /** Queues one record (a line of JSON); returns its number, for `whenDurable`. */
  append(text: string, audit: string): number {
    if (this.broken) throw this.broken;
    this.queued.push({ generation: this.generation, text: text + '\n', audit });
    this.bytes += text.length + 1;
    this.flushing ??= this.flush();
    return ++this.appended;
  }

  /** Why the journal stopped, if it did (a write or fsync failed). */
  get failure(): unknown {
    return this.broken;
  }

  /** The number of the last record appended. */
  get last(): number {
    return this.appended;
  }

  get pending(): boolean {
    return this.durable < this.appended;
  }

  /** Whether record `n` is still on its way to disk. */
  waitsFor(n: number): boolean {
    return n > this.durable;
  }

  /** Resolves once record `n` (and every one before it) is on disk. */
  whenDurable(n = this.appended): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (n <= this.durable) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ upTo: n, resolve, reject }));
  }

  /**
   * Starts a new generation for the records appended from now on; returns the generation the
   * records so far are in. Once the data files hold them, `removeUpTo` deletes those files.
   */
  rotate(): number {
    this.bytes = 0;
    return this.generation++;
  }

  async removeUpTo(generation: number): Promise<void> {
    const old = (await journalFiles(this.dir)).filter((f) => f.generation <= generation);
    for (const f of old) await rm(f.path, { force: true });
    if (old.length) await syncDirs([this.dir]);
  }

  async close(): Promise<void> {
    await this.whenDurable().catch(() => undefined);
    await this.file?.handle.close();
    this.file = undefined;
  }

  private async handle(generation: number): Promise<FileHandle> {
    if (this.file?.generation === generation) return this.file.handle;
    await this.file?.handle.close();
    this.file = undefined;
    const handle = await open(fileOf(this.dir, generation), 'a');
    // A new file's name must survive a power cut too: its folder is synced once, now.
    await syncDirs([this.dir]);
    this.file = { generation, handle };
    return handle;
  }

  /** Writes what is queued, one generation's run at a time, each with one fsync; repeats while more arrives. */
  private async flush(): Promise<void> {
    try {
      while (this.queued.length) {
        const generation = this.queued[0].generation;
        const end = this.queued.findIndex((q) => q.generation !== generation);
        const batch = this.queued.splice(0, end < 0 ? this.queued.length : end);
        const upTo = this.durable + batch.length;
        const handle = await this.handle(generation);
        await handle.write(batch.map((q) => q.text).join(''));
        await handle.datasync();
        const audit = batch.map((q) => q.audit).join('');
        if (audit) await this.writeAudit(audit);
        this.durable = upTo;
        this.onDurable(upTo);
        const ready = this.waiters.filter((w) => w.upTo <= upTo);
        this.waiters = this.waiters.filter((w) => w.upTo > upTo);
        for (const w of ready) w.resolve();
      }
    } catch (error) {
      // Nothing queued can be acknowledged, and what follows would be out of order: the journal stops.
      this.broken = error;
      for (const w of this.waiters) w.reject(error);
      this.waiters = [];
    } finally {
      this.flushing = undefined;
    }
  }
}
