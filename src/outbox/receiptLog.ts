import { appendFileSync, readFileSync, truncateSync, existsSync } from 'node:fs';

/**
 * The activity ids Teams returned, written down the moment they arrive, before the store's
 * transaction that records the post as sent. If the bot is killed in between (a crash, SIGKILL,
 * a container restart), the post exists in the channel but the store does not know it: the
 * restart would post it again and the first copy would never be updated. This log closes that gap.
 * Each line is appended with one synchronous write, which the kernel keeps even when the process
 * dies at once; a torn last line (a power cut) is skipped. Lines are redundant once their
 * transaction is saved, so the log is emptied whenever nothing is being sent.
 *
 * What no log can close: a post Teams made whose answer never reached the bot. The Bot
 * Connector has no way to list a conversation's posts, so such a copy cannot be found afterwards
 * (see the README, "Delivery of proactive posts").
 */
export class ReceiptLog {
  private written = 0;

  constructor(private readonly path: string) {}

  record(itemId: string, activityId: string): void {
    const line = JSON.stringify([itemId, activityId]) + '\n';
    appendFileSync(this.path, line);
    this.written += line.length;
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
  }
}
