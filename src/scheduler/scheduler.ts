import type { BrokerageStore, BrokerageTx } from '../store/collections.js';
import type { Logger } from '../log.js';
import type { Job } from './job.js';

export type { Job } from './job.js';

export type JobHandler = (job: Job) => Promise<void>;

/** Saves a job in the transaction that needs it; an existing job with the same id is moved. */
export function schedule(tx: BrokerageTx, job: Job): void {
  tx.put('jobs', job);
}

export async function unschedule(tx: BrokerageTx, id: string): Promise<void> {
  if (await tx.get('jobs', id)) tx.delete('jobs', id);
}

/**
 * Runs persisted jobs when they fall due. Jobs live in the store, so a restart re-arms them and a
 * deadline that passed while the bot was down runs as soon as it starts. The scheduler keeps a
 * copy of every job in memory, fed by the store's change feed, so planning never scans the store.
 * Time comes from `now` and timers, both replaceable in tests (sinon fake timers).
 */
export class Scheduler {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly jobs = new Map<string, Job>();
  private readonly unwatch: () => void;
  private readonly ready: Promise<void>;

  constructor(
    private readonly store: BrokerageStore,
    private readonly handlers: Record<string, JobHandler>,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Longest sleep between checks, so a changed system clock is noticed. */
    private readonly maxSleepMs = 60_000,
  ) {
    // Watch first, then read: a change seen by the watch is newer than what the read returns.
    const touched = new Set<string>();
    this.unwatch = store.watch('jobs', (c) => {
      touched.add(c.id);
      if (c.after) this.jobs.set(c.id, structuredClone(c.after));
      else this.jobs.delete(c.id);
    });
    this.ready = store.transact({ actor: 'system:scheduler', action: 'jobs.read' }, async (tx) => tx.jobs()).then((jobs) => {
      for (const j of jobs) if (!touched.has(j.id)) this.jobs.set(j.id, j);
    });
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unwatch();
  }

  /** Re-plan after jobs were added or moved. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.runDue().catch((error) => this.logger.error('scheduler: run failed; will retry on the next change', { error }));
  }

  /** The jobs waiting to run, soonest first. */
  pending(): Job[] {
    return [...this.jobs.values()].sort((a, b) => a.at.localeCompare(b.at));
  }

  async runDue(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.ready;
      do {
        this.again = false;
        const now = this.now().getTime();
        const due = this.pending().filter((j) => Date.parse(j.at) <= now);
        for (const job of due) {
          if (this.stopped) return;
          const handler = this.handlers[job.kind];
          try {
            if (handler) await handler(job);
            else this.logger.warn('scheduler: no handler', { kind: job.kind, id: job.id });
          } catch (error) {
            this.logger.error('scheduler: job failed; will retry in a minute', { id: job.id, error });
            await this.store.transact({ actor: 'system:scheduler', action: 'jobs.retry' }, async (tx) => {
              const j = await tx.get('jobs', job.id);
              if (j && j.at === job.at) tx.put('jobs', { ...j, at: new Date(now + 60_000).toISOString() });
            });
            continue;
          }
          // A handler may have moved its own job (e.g. an extended deadline); only remove it if not.
          await this.store.transact({ actor: 'system:scheduler', action: 'jobs.done' }, async (tx) => {
            const j = await tx.get('jobs', job.id);
            if (j && j.at === job.at) tx.delete('jobs', job.id);
          });
        }
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
    }
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (!this.jobs.size) return;
    let next = Infinity;
    for (const j of this.jobs.values()) next = Math.min(next, Date.parse(j.at));
    const wait = Math.max(0, Math.min(next - this.now().getTime(), this.maxSleepMs));
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref?.();
  }
}
