import type { BrokerageStore } from '../store/collections.js';
import type { Tx } from '../store/store.js';
import type { Collections } from '../store/collections.js';
import type { Logger } from '../log.js';
import { PROCESS_INSTANCE } from '../store/instance.js';
import { Resync } from '../store/resync.js';
import type { Job } from './job.js';
import { jobRan } from '../metrics.js';

export type { Job } from './job.js';

export type JobHandler = (job: Job) => Promise<void>;

/** Saves a job in the transaction that needs it; an existing job with the same id is moved. */
export function schedule(tx: Tx<Collections>, job: Job): void {
  tx.put('jobs', job);
}

export async function unschedule(tx: Tx<Collections>, id: string): Promise<void> {
  if (await tx.get('jobs', id)) tx.delete('jobs', id);
}

export interface SchedulerOptions {
  /** This process, as the holder of the jobs it claims: instances sharing one store run a due job once. */
  instanceId?: string;
  /** How long a claim on a running job lasts unless renewed (default 60 s). */
  leaseMs?: number;
  /** How often every job is read again from the store, to take over those of an instance that stopped (default 30 s). */
  resyncMs?: number;
}

/**
 * Runs persisted jobs when they fall due. Jobs live in the store, so a restart re-arms them and a
 * deadline that passed while the bot was down runs as soon as it starts. The scheduler keeps a
 * copy of every job in memory, fed by the store's change feed (this instance's changes and other
 * instances'), by `jobs()` on start and by a periodic re-read, so planning never scans the store.
 * Time comes from `now` and timers, both replaceable in tests (sinon fake timers).
 *
 * Several instances may share one store: a due job is claimed (Store.claim) before its handler
 * runs and read again once claimed, and is deleted (unless its handler moved it) before the claim
 * is given back. So one instance runs it, and an instance that claims it afterwards finds it gone.
 * A job claimed elsewhere waits here until that claim could have run out: if its instance
 * stopped, this one takes it over then.
 */
export class Scheduler {
  private timer?: NodeJS.Timeout;
  private again = false;
  /** The run in progress, which a runDue during it waits for. */
  private current?: Promise<void>;
  private stopped = false;
  private started = false;
  private readonly jobs = new Map<string, Job>();
  private readonly unwatch: () => void;
  private readonly ready: Promise<void>;
  /** Jobs another instance holds, by id: not tried again before then (the scheduler's clock). */
  private readonly claimedElsewhere = new Map<string, number>();
  private readonly resync: Resync<Job>;
  private readonly instanceId: string;
  private readonly leaseMs: number;

  constructor(
    private readonly store: BrokerageStore,
    private readonly handlers: Record<string, JobHandler>,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Longest sleep between checks, so a changed system clock is noticed. */
    private readonly maxSleepMs = 60_000,
    private readonly options: SchedulerOptions = {},
  ) {
    this.instanceId = options.instanceId ?? PROCESS_INSTANCE;
    this.leaseMs = options.leaseMs ?? 60_000;
    // Watch first, then read: a change seen by the watch is newer than what the read returns.
    this.resync = new Resync({
      read: () => store.transact({ actor: 'system:scheduler', action: 'jobs.resync' }, (tx) => tx.jobs()),
      held: () => this.jobs.keys(),
      track: (id, job) => this.track(id, job),
    });
    this.unwatch = store.watch('jobs', (c) => {
      this.resync.heard(c.id);
      this.track(c.id, c.after);
      // A job added or moved by another instance (or process) is planned now, not at the next re-read.
      if (c.after && this.started) this.kick();
    });
    this.ready = this.resync.run();
  }

  private track(id: string, job: Job | null): void {
    if (job) this.jobs.set(id, structuredClone(job));
    else {
      this.jobs.delete(id);
      this.claimedElsewhere.delete(id);
    }
  }


  start(): void {
    this.stopped = false;
    this.started = true;
    this.resync.every(
      this.options.resyncMs ?? 30_000,
      () => this.kick(),
      (error) => this.logger.warn('scheduler: could not re-read jobs; will try again', { error: String(error) }),
    );
    this.kick();
  }

  /** Stops planning; resolves once the job running now (if any) has finished and given its claim back. */
  stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    clearTimeout(this.timer);
    this.resync.stop();
    this.unwatch();
    return this.current?.catch(() => undefined) ?? Promise.resolve();
  }

  /** Re-plan after jobs were added or moved. */
  kick(): void {
    if (this.stopped) return;
    if (this.current) {
      this.again = true;
      return;
    }
    this.runDue().catch((error) => this.logger.error('scheduler: run failed; will retry on the next change', { error }));
  }

  /** The jobs waiting to run, soonest first. */
  pending(): Job[] {
    return [...this.jobs.values()].sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Runs what is due; during a run, asks it to look again and returns when it has (not at once). */
  runDue(): Promise<void> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    const run = this.runLoop();
    this.current = run;
    return run;
  }

  private async runLoop(): Promise<void> {
    try {
      await this.ready;
      do {
        this.again = false;
        const now = this.now().getTime();
        const due = this.pending().filter((j) => Date.parse(j.at) <= now && !((this.claimedElsewhere.get(j.id) ?? 0) > now));
        for (const job of due) {
          if (this.stopped) return;
          await this.runClaimed(job, now);
        }
      } while (this.again && !this.stopped);
    } finally {
      // Cleared here, not after the promise settles: a kick in between would be handed the run that has just ended.
      this.current = undefined;
    }
    this.arm();
  }

  /** Claims a due job, runs it if it is still there and due, removes it, then gives the claim back. */
  private async runClaimed(seen: Job, now: number): Promise<void> {
    if (!(await this.store.claim('jobs', seen.id, this.instanceId, this.leaseMs))) {
      this.claimedElsewhere.set(seen.id, now + this.leaseMs);
      return;
    }
    let renewing: Promise<unknown> | undefined;
    const renew = setInterval(() => (renewing = this.renew(seen.id)), Math.max(1, this.leaseMs / 3));
    renew.unref?.();
    try {
      // Another instance may have run (and removed) or moved it before this one got the claim.
      const job = await this.store.get('jobs', seen.id);
      if (!job || Date.parse(job.at) > now) return this.track(seen.id, job ?? null);
      await this.run(job, now);
    } finally {
      clearInterval(renew);
      // A renewal still on its way would put the claim back after the release (as in the outbox).
      await renewing;
      await this.store.release('jobs', seen.id, this.instanceId).catch((error) => this.logger.warn('scheduler: could not release a claim; it runs out by itself', { id: seen.id, error: String(error) }));
    }
  }

  private renew(id: string): Promise<unknown> | undefined {
    // A stopped component holds nothing: what it was doing is taken over once the lease runs out.
    if (this.stopped) return undefined;
    return this.store.claim('jobs', id, this.instanceId, this.leaseMs).then(
      (ok) => ok || this.logger.warn('scheduler: lost the claim on a running job', { id }),
      (error) => this.logger.warn('scheduler: could not renew a claim', { id, error: String(error) }),
    );
  }

  private async run(job: Job, now: number): Promise<void> {
    const handler = this.handlers[job.kind];
    jobRan(job.kind, this.now().getTime() - Date.parse(job.at));
    try {
      if (handler) await handler(job);
      else this.logger.warn('scheduler: no handler', { kind: job.kind, id: job.id });
    } catch (error) {
      this.logger.error('scheduler: job failed; will retry in a minute', { id: job.id, error });
      await this.store.transact({ actor: 'system:scheduler', action: 'jobs.retry' }, async (tx) => {
        const j = await tx.get('jobs', job.id);
        if (j && j.at === job.at) tx.put('jobs', { ...j, at: new Date(now + 60_000).toISOString() });
      });
      return;
    }
    // A handler may have moved its own job (e.g. an extended deadline); only remove it if not.
    await this.store.transact({ actor: 'system:scheduler', action: 'jobs.done' }, async (tx) => {
      const j = await tx.get('jobs', job.id);
      if (j && j.at === job.at) tx.delete('jobs', job.id);
    });
  }

  private arm(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (!this.jobs.size) return;
    // The soonest a job may run: when it falls due, or when another instance's claim on it could have run out.
    let next = Infinity;
    for (const j of this.jobs.values()) next = Math.min(next, Math.max(Date.parse(j.at), this.claimedElsewhere.get(j.id) ?? 0));
    const wait = Math.max(0, Math.min(next - this.now().getTime(), this.maxSleepMs));
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref?.();
  }
}
