import { conversationOf, enqueue, Outbox, type Delivery, type OutboxItem } from '../src/outbox/outbox.js';
import { Scheduler, type Job } from '../src/scheduler/scheduler.js';
import { closeAtDeadline, endRound, sendReminder } from '../src/app/calloffs/deadline.js';
import { agreementJobs } from '../src/app/agreements/jobs.js';
import { approvalJobs } from '../src/app/approvals/chase.js';
import { capacityJobs } from '../src/app/market/capacity.js';
import type { PostReceipts } from '../src/outbox/receiptLog.js';
import type { RateLedger } from '../src/outbox/rateLedger.js';
import { markChannelUnreachable } from '../src/app/framework/channels.js';
import type { Deps } from './deps.js';

export interface Runtime {
  outbox: Outbox;
  scheduler: Scheduler;
  /** Wire into Deps.changed: drains what a turn queued and re-plans deadlines. */
  changed(): void;
  /**
   * Stops posting and running jobs; resolves once the sends and the job under way are done and
   * their claims given back (another instance takes the rest at once), or after `graceMs`.
   */
  stop(graceMs?: number): Promise<void>;
}

/** The background half of the bot: posting queued messages and running deadlines, both resumable. */
export interface RuntimeOptions {
  concurrency?: number;
  random?: () => number;
  timeoutMs?: number;
  receipts?: PostReceipts;
  /** This process among the instances sharing the store (src/store/instance.ts). */
  instanceId?: string;
  /** The sends of every instance (PostgreSQL); without it this instance's own pacing is the only one. */
  ledger?: RateLedger;
  /** How long a claim on a post or a job lasts unless renewed (default 60 s; tests shorten it to see a take-over). */
  leaseMs?: number;
}

export function startRuntime(deps: Deps, delivery: Delivery, options: RuntimeOptions = {}): Runtime {
  const outbox = new Outbox(deps.store, delivery, deps.logger, {
    instanceId: options.instanceId,
    leaseMs: options.leaseMs,
    ledger: options.ledger,
    concurrency: options.concurrency ?? 8,
    now: deps.now,
    random: options.random,
    timeoutMs: options.timeoutMs,
    receipts: options.receipts,
    onBatchSettled: async (batch, items) => {
      if (!batch.notify || batch.notify.startsWith('system')) return;
      await deps.store.transact({ actor: 'system:outbox', action: 'outbox.batch-report' }, async (tx) => {
        const names = new Map((await tx.list('providers')).map((p) => [p.id, p.name]));
        await enqueue(tx, deps.now(), { id: `report:${batch.id}`, target: { userId: batch.notify! }, message: { kind: 'publish.report', text: batchReport(batch.id, items, (id) => names.get(id) ?? id) } });
      });
      outbox.kick();
    },
    onUnreachable: async (item, reason) => {
      if (!('providerId' in item.target)) return;
      const changed = await markChannelUnreachable(deps.store, item.target.providerId, reason, deps.now(), { ref: item.message.ref, told: !!item.batch?.notify && !item.batch.notify.startsWith('system') });
      if (changed) outbox.kick();
    },
  });
  const afterJob = (fn: (ref: string, job: Record<string, unknown>) => Promise<void>) => async (job: { ref: string }) => {
    await fn(job.ref, job);
    outbox.kick();
  };
  const scheduler = new Scheduler(
    deps.store,
    {
      'calloff.close': afterJob((ref) => closeAtDeadline(deps.store, ref, deps.now())),
      'calloff.remind': afterJob((ref, job) => sendReminder(deps.store, ref, String(job.reminder), deps.now())),
      'calloff.round': afterJob((ref) => endRound(deps.store, ref, deps.now())),
      ...Object.fromEntries(Object.entries({ ...agreementJobs(deps.store, deps.now), ...approvalJobs(deps.store, deps.now), ...capacityJobs(deps.store, deps.now) }).map(([kind, run]) => [kind, afterJob((_ref, job) => run(job as Job))])),
    },
    deps.logger,
    deps.now,
    undefined,
    { instanceId: options.instanceId, leaseMs: options.leaseMs },
  );
  const changed = () => {
    outbox.kick();
    scheduler.kick();
  };
  deps.changed = changed;
  scheduler.start();
  outbox.kick();
  return {
    outbox,
    scheduler,
    changed,
    async stop(graceMs = 5_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all([outbox.stop(), scheduler.stop()]), late]);
      clearTimeout(timer);
    },
  };
}

/** How many undelivered providers the publish report names, each with its reason. */
const REPORT_NAMES_UP_TO = 20;

/**
 * "Call-off PKG-… posted to 4 of 5 provider channels; not delivered: X (403: …)". Only posts Teams
 * gave an activity id for count as posted.
 */
export function batchReport(batchId: string, items: OutboxItem[], providerName: (id: string) => string): string {
  const ref = batchId.split(':')[1] ?? batchId;
  const sent = items.filter((i) => i.status === 'sent' && !!i.activityId);
  const failed = items.filter((i) => !sent.includes(i));
  const name = (i: OutboxItem) => ('providerId' in i.target ? providerName(i.target.providerId) : conversationOf(i));
  // Named one by one up to a point: 250 failures with their reasons would pass Teams' message size limit, and the report would never arrive.
  const named = failed.slice(0, REPORT_NAMES_UP_TO).map((i) => `${name(i)} (${i.unreachable ? 'channel unreachable: ' : ''}${i.lastError ?? 'unknown error'})`);
  const more = failed.length > named.length ? `; and ${failed.length - named.length} more (the call-off's status card lists them)` : '';
  const twice = sent.filter((i) => i.takenOver).length;
  return `Call-off ${ref}: posted to ${sent.length} of ${items.length} provider channel${items.length === 1 ? '' : 's'}.` + (failed.length ? ` Not delivered: ${named.join('; ')}${more}.` : '') +
    (twice ? ` ${twice} of them may show the card twice (an instance stopped while posting; the status card names them).` : '') +
    (failed.some((i) => i.unreachable) ? ' Once a channel is registered again, send the call-off again from its status card.' : '');
}
