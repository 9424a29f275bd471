import type { OutboxItem } from '../../outbox/item.js';
import type { Job } from '../../scheduler/job.js';
import type { BrokerageStore } from '../../store/collections.js';
import type { InstanceInfo, StoreHealth, StoreProbe } from '../../store/health.js';
import { reading } from '../../store/reading.js';
import { requirePermission, type Who } from '../actor.js';
import { UNREACHABLE } from '../framework/channels.js';

/** How far back the view looks for failed posts, and how late a job must be to count as overdue. */
export const FAILED_WITHIN_DAYS = 7;
export const OVERDUE_AFTER_MS = 2 * 60_000;

/** The store as the running server opened it (index.ts), for the view to describe. */
export interface OpsContext {
  probe: StoreProbe;
  kind: StoreHealth['kind'];
  /** Where the store is (a folder, or the database's URL without its password). */
  where: string;
  /** This process among the instances. */
  instanceId: string;
}

export interface FailedPost {
  id: string;
  kind: string;
  /** The call-off it is about, if any. */
  ref?: string;
  /** A provider's name, a council person's name, or "a conversation". */
  to: string;
  why: string;
  lastTriedAt: string;
  attempts: number;
  unreachable: boolean;
}

export interface OpsStatus {
  at: string;
  store: { kind: StoreHealth['kind']; where: string; answers: boolean; problem?: string };
  /** PostgreSQL: the migrations applied and the newest this build knows. */
  schema?: StoreHealth['schema'];
  instances: (InstanceInfo & { self: boolean })[];
  outbox: { pending: number; retrying: number; oldestQueuedAt?: string };
  failed: FailedPost[];
  /** `explained`: the reason already says what to do (one of UNREACHABLE's); otherwise the channel must be registered again. */
  unreachable: { providerId: string; name: string; why: string; explained: boolean }[];
  overdue: (Pick<Job, 'id' | 'kind' | 'ref' | 'at'> & { lateMs: number })[];
}

/** An unreachable channel's reason that says itself what to do (the bot removed, the channel deleted, …). */
export const explained = (why: string) => (Object.values(UNREACHABLE) as string[]).includes(why);

/** What an admin sees with `ops`: the service's health across instances, read from the store as it is now. */
export async function opsStatus(store: BrokerageStore, who: Who, ops: OpsContext, now: Date): Promise<OpsStatus> {
  await requirePermission(store, who, 'service.operate');
  const since = new Date(now.getTime() - FAILED_WITHIN_DAYS * 86_400_000).toISOString();
  const [health, instances, seen] = await Promise.all([
    ops.probe.health(),
    ops.probe.instances().catch(() => [] as InstanceInfo[]),
    reading(store, async (tx) => ({
      pending: await tx.pendingPosts(),
      failed: await tx.failedPostsBetween(since, now.toISOString()),
      jobs: await tx.jobs(),
      providers: await tx.list('providers'),
      users: await tx.list('users'),
    })),
  ]);
  const providers = new Map(seen.providers.map((p) => [p.id, p]));
  const users = new Map(seen.users.map((u) => [u.id, u.name]));
  const to = (item: OutboxItem) => {
    const t = item.target;
    if ('providerId' in t) return providers.get(t.providerId)?.name ?? t.providerId;
    if ('userId' in t) return users.get(t.userId) ?? 'a council person';
    return 'a conversation';
  };
  const oldest = seen.pending.reduce<string | undefined>((min, p) => (!min || p.createdAt < min ? p.createdAt : min), undefined);
  return {
    at: now.toISOString(),
    store: { kind: ops.kind, where: ops.where, answers: health.answers, ...(health.problem ? { problem: health.problem } : {}) },
    ...(health.schema ? { schema: health.schema } : {}),
    instances: instances.map((i) => ({ ...i, self: i.id === ops.instanceId })),
    outbox: { pending: seen.pending.length, retrying: seen.pending.filter((p) => p.attempts > 0).length, ...(oldest ? { oldestQueuedAt: oldest } : {}) },
    failed: seen.failed.map((f) => ({
      id: f.id,
      kind: f.message.kind,
      ...('ref' in f.message && typeof f.message.ref === 'string' ? { ref: f.message.ref } : {}),
      to: to(f),
      why: f.lastError ?? 'unknown',
      lastTriedAt: f.dueAt,
      attempts: f.attempts,
      unreachable: !!f.unreachable,
    })),
    unreachable: seen.providers.filter((p) => p.channel?.unreachableReason).map((p) => ({ providerId: p.id, name: p.name, why: p.channel!.unreachableReason!, explained: explained(p.channel!.unreachableReason!) })),
    overdue: seen.jobs
      .filter((j) => Date.parse(j.at) < now.getTime() - OVERDUE_AFTER_MS)
      .sort((a, b) => a.at.localeCompare(b.at))
      .map((j) => ({ id: j.id, kind: j.kind, ref: j.ref, at: j.at, lateMs: now.getTime() - Date.parse(j.at) })),
  };
}
