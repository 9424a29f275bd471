import type { PostReceipts } from '../../outbox/receiptLog.js';
import type { Queryable } from './rateLedger.js';

/**
 * Receipts (src/outbox/receiptLog.ts) in PostgreSQL, table post_receipts (migration
 * 003_shared_work.sql): every instance reads them, so one that takes over a post of an instance
 * that stopped finds the id Teams had already returned, instead of posting again. Each receipt is
 * its own autocommit INSERT, durable before the post is saved as sent.
 */
export class PgPostReceipts implements PostReceipts {
  private prunedAt = 0;

  constructor(
    private readonly db: Queryable,
    /** How long a receipt is kept: far longer than a post is ever retried or taken over. */
    private readonly keepMs = 7 * 24 * 3_600_000,
  ) {}

  async record(itemId: string, activityId: string): Promise<void> {
    await this.db.query('INSERT INTO post_receipts (item_id, activity_id, at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING', [itemId, activityId]);
  }

  async of(itemId: string): Promise<string[]> {
    const { rows } = await this.db.query('SELECT activity_id FROM post_receipts WHERE item_id = $1 ORDER BY at, activity_id', [itemId]);
    return rows.map((r) => String(r.activity_id));
  }

  /** None to apply on start: every post is asked about (`of`) before it is sent, on any instance. */
  async leftOver(): Promise<[string, string][]> {
    return [];
  }

  /** Receipts are not dropped when saved (another instance may be taking the post over): old ones are pruned now and then. */
  async clear(): Promise<void> {
    const now = Date.now();
    if (now - this.prunedAt < 3_600_000) return;
    this.prunedAt = now;
    await this.db.query("DELETE FROM post_receipts WHERE at < now() - $1 * interval '1 millisecond'", [this.keepMs]).catch(() => (this.prunedAt = 0));
  }
}
