import { appendFileSync, readFileSync, truncateSync, existsSync } from 'node:fs';

/**
 * The activity ids Teams returned, written down the moment they arrive, before the store's
 * transaction that records the post as sent. If the bot is killed in between (a crash, SIGKILL,
 * a container restart), the post exists in the channel but the store does not know it: whoever
 * sends it next (this bot after a restart, or another instance that took the post over) would post
 * it again and the first copy would never be updated. Receipts close that gap.
 *
 * What no receipt can close: a post Teams made whose answer never reached the bot. The Bot
 * Connector has no way to list a conversation's posts, so such a copy cannot be found afterwards
 * (see docs/delivery.md).
 */
export interface PostReceipts {
  /** Keeps the id durably (before it resolves) where every instance that may send `itemId` can read it. */
  record(itemId: string, activityId: string): void | Promise<void>;
  /** The ids Teams returned for this item so far: asked before a post is (re)sent. */
  of(itemId: string): Promise<string[]>;
  /** Receipts a run that stopped left behind, applied when the outbox starts. */
  leftOver(): Promise<[itemId: string, activityId: string][]>;
  /** Every receipt recorded so far is saved in the store: it may forget them. */
  clear(minBytes?: number): void | Promise<void>;
}

/**
 * Receipts in a file in DATA_DIR: for one bot on one machine (the lowdb store). Each line is
 * appended with one synchronous write, which the kernel keeps even when the process dies at once;
 * a torn last line (a power cut) is skipped. Lines are redundant once their transaction is saved,
 * so the log is emptied whenever nothing is being sent.
 */
export class ReceiptLog implements PostReceipts {
  private written = 0;
  /** What the file holds, so `of` reads no file: only this process writes it. */
  private readonly known = new Map<string, string[]>();

  constructor(private readonly path: string) {
    for (const [id, activityId] of this.read()) this.remember(id, activityId);
  }

  record(itemId: string, activityId: string): void {
    const line = JSON.stringify([itemId, activityId]) + '\n';
    appendFileSync(this.path, line);
    this.written += line.length;
    this.remember(itemId, activityId);
  }

  async of(itemId: string): Promise<string[]> {
    return [...(this.known.get(itemId) ?? [])];
  }

  async leftOver(): Promise<[string, string][]> {
    return this.read();
  }

  /** Every receipt in the log, oldest first. */
  read(): [itemId: string, activityId: string][] {
    if (!existsSync(this.path)) return [];
    const out: [string, string][] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      try {
        const entry = JSON.parse(line) as unknown;
        if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string') out.push([entry[0], entry[1]]);
      } catch {
        // a torn last line: the post it names is sent again, as before this log existed
      }
    }
    return out;
  }

  /** Empties the log once every receipt in it is saved in the store (only then). */
  clear(minBytes = 0): void {
    if (this.written < minBytes || !existsSync(this.path)) return;
    truncateSync(this.path, 0);
    this.written = 0;
    this.known.clear();
  }

  private remember(itemId: string, activityId: string): void {
    const ids = this.known.get(itemId) ?? [];
    if (!ids.includes(activityId)) this.known.set(itemId, [...ids, activityId]);
  }
}
