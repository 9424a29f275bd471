import { appendFile, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry } from '../store.js';

/**
 * The embedded store's audit log, `audit.jsonl`: one entry a line, appended in seq order. Entries
 * reach it from the journal once their transaction is durable (journal.ts), so the log never
 * describes a change that was not made; it is fsynced at each checkpoint, and on open the entries
 * of journal records it lacks (a crash between the two writes) are appended again.
 */
export class AuditFile {
  private handle?: FileHandle;

  constructor(private readonly dir: string) {}

  private get path(): string {
    return join(this.dir, 'audit.jsonl');
  }

  async append(text: string): Promise<void> {
    // One handle kept open in append mode: each batch is one write, with no open/close per transaction.
    this.handle ??= await open(this.path, 'a');
    await this.handle.write(text);
  }

  async sync(): Promise<void> {
    await this.handle?.sync();
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  /** After a crash mid-append the log may end without a newline; the next entry starts on its own line. */
  async endTornLine(): Promise<void> {
    const size = await stat(this.path).then((s) => s.size, () => 0);
    if (!size) return;
    const fh = await open(this.path, 'r');
    try {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await appendFile(this.path, '\n');
    } finally {
      await fh.close();
    }
  }

  /**
   * The seq of the last whole entry, read from the end of the log: opening the store must not cost
   * a read of ten years of audit. Entries are appended in seq order, so the last whole one is the highest.
   */
  async lastSeq(): Promise<number> {
    const size = await stat(this.path).then((s) => s.size, () => 0);
    if (!size) return 0;
    const fh = await open(this.path, 'r');
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

  async read(): Promise<AuditEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
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
        // A line torn by a crash mid-append: opening the store appended the entry again, whole, from the journal.
      }
    }
    return out;
  }
}
