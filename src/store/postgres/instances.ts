import type { InstanceInfo } from '../health.js';
import type { Queryable } from './rateLedger.js';

/** How often an instance says it is alive, and how long after its last word it counts as gone. */
export const HEARTBEAT_MS = 15_000;
export const GONE_AFTER_MS = 45_000;

/**
 * The instances sharing the database (table `instances`, migration 007): each writes its row on
 * start and every HEARTBEAT_MS (database clock, so instances whose clocks disagree still agree),
 * and deletes it when it stops. Rows of instances gone for a day are pruned by the others.
 */
export class PgInstances {
  constructor(private readonly db: Queryable) {}

  async beat(self: InstanceInfo): Promise<void> {
    await this.db.query(
      `INSERT INTO instances (id, build, started_at, seen_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (id) DO UPDATE SET seen_at = now(), build = excluded.build`,
      [self.id, self.build, self.startedAt],
    );
  }

  async gone(id: string): Promise<void> {
    await this.db.query('DELETE FROM instances WHERE id = $1', [id]);
  }

  async alive(): Promise<InstanceInfo[]> {
    await this.db.query(`DELETE FROM instances WHERE seen_at < now() - interval '1 day'`);
    const { rows } = await this.db.query(
      `SELECT id, build, started_at, seen_at FROM instances WHERE seen_at > now() - $1 * interval '1 millisecond' ORDER BY started_at, id`,
      [GONE_AFTER_MS],
    );
    return rows.map((r) => ({ id: String(r.id), build: String(r.build), startedAt: (r.started_at as Date).toISOString(), seenAt: (r.seen_at as Date).toISOString() }));
  }

  /** Beats now and every HEARTBEAT_MS until stopped; a failed beat is retried at the next. */
  async announce(self: InstanceInfo, onError: (error: unknown) => void): Promise<{ stop(): Promise<void> }> {
    const beat = () => this.beat(self).catch(onError);
    await beat();
    const timer = setInterval(beat, HEARTBEAT_MS);
    timer.unref?.();
    return {
      stop: async () => {
        clearInterval(timer);
        await this.gone(self.id).catch(onError);
      },
    };
  }
}
