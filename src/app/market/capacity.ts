import { isStale, parseCapacity, staleAt, type CapacityRecord, type ZoneCapacity } from '../../domain/market.js';
import type { Provider } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { schedule, unschedule, type JobHandler } from '../../scheduler/scheduler.js';
import { requirePermission, type Who } from '../actor.js';
import { forbidden } from '../errors.js';
import { marketRulesTx } from './load.js';
import { reading } from '../../store/reading.js';

/**
 * Provider capacity (issue 25): a provider says from its channel, per zone it covers, whether it
 * can take new packages and roughly how many hours a week. A declaration older than the council's
 * number of weeks is stale: the provider is asked once to say again (a scheduler job per provider,
 * moved by every declaration), and the council sees it as stale.
 */

export interface ZoneLine {
  zone: string;
  name: string;
  said?: ZoneCapacity;
  stale: boolean;
}

export interface CapacityView {
  provider: Pick<Provider, 'id' | 'name' | 'status'>;
  zones: ZoneLine[];
  weeks: number;
}

const jobId = (providerId: string) => `capacity-stale:${providerId}`;

/** The provider acting, from the store (never from the card), and admitted: a suspended one has nothing to offer. */
async function providerOf(tx: BrokerageTx, user: { id: string; providerId?: string }): Promise<Provider> {
  const provider = user.providerId ? await tx.get('providers', user.providerId) : undefined;
  if (!provider) throw forbidden('Only a provider’s own staff can say what it can take, from its channel.');
  if (provider.status !== 'admitted') throw forbidden(`${provider.name} is ${provider.status} on the framework, so it is not offered new packages.`);
  return provider;
}

function viewOf(provider: Provider, record: CapacityRecord | undefined, zoneNames: Map<string, string>, weeks: number, now: Date): CapacityView {
  return {
    provider: { id: provider.id, name: provider.name, status: provider.status },
    zones: provider.zones.map((zone) => {
      const said = record?.zones.find((z) => z.zone === zone);
      return { zone, name: zoneNames.get(zone) ?? zone, said, stale: !!said && isStale(said, weeks, now) };
    }),
    weeks,
  };
}

export async function capacityView(store: BrokerageStore, who: Who, now: Date): Promise<CapacityView> {
  const user = await requirePermission(store, who, 'capacity.declare');
  return store.transact({ actor: user.id, action: 'read' }, async (tx) => {
    const provider = await providerOf(tx, user);
    const zones = new Map((await tx.list('zones')).map((z) => [z.id, z.name]));
    return viewOf(provider, await tx.get('capacity', provider.id), zones, (await marketRulesTx(tx)).capacityWeeks, now);
  });
}

/** A provider's capacity as its own channel is shown it (for a chase): no user acting, read from the store. */
export async function providerCapacity(store: BrokerageStore, providerId: string, now: Date): Promise<CapacityView | undefined> {
  return reading(store, async (tx) => {
    const provider = await tx.get('providers', providerId);
    if (provider?.status !== 'admitted') return undefined;
    const zones = new Map((await tx.list('zones')).map((z) => [z.id, z.name]));
    return viewOf(provider, await tx.get('capacity', providerId), zones, (await marketRulesTx(tx)).capacityWeeks, now);
  });
}

/**
 * Records what the provider says for its zones (a zone left unanswered keeps what it said before)
 * and moves its chase to when the oldest fresh declaration goes stale.
 */
export async function declareCapacity(store: BrokerageStore, who: Who, raw: Record<string, unknown>, now: Date): Promise<{ ok: true; view: CapacityView; saved: string[] } | { ok: false; view: CapacityView; errors: Record<string, string> }> {
  const user = await requirePermission(store, who, 'capacity.declare');
  return store.transact({ actor: user.id, action: 'capacity.declare' }, async (tx) => {
    const provider = await providerOf(tx, user);
    const zones = new Map((await tx.list('zones')).map((z) => [z.id, z.name]));
    const weeks = (await marketRulesTx(tx)).capacityWeeks;
    const before = await tx.get('capacity', provider.id);
    const parsed = parseCapacity(provider.zones, raw);
    if (!parsed.ok) return { ok: false as const, view: viewOf(provider, before, zones, weeks, now), errors: parsed.errors };
    const kept = (before?.zones ?? []).filter((z) => provider.zones.includes(z.zone) && !parsed.answers.some((a) => a.zone === z.zone));
    const record: CapacityRecord = {
      id: provider.id,
      zones: [...kept, ...parsed.answers.map((a): ZoneCapacity => ({ zone: a.zone, canTake: a.canTake, ...(a.hoursPerWeek !== undefined ? { hoursPerWeek: a.hoursPerWeek } : {}), declaredAt: now.toISOString(), declaredBy: user.id }))].sort((a, b) => provider.zones.indexOf(a.zone) - provider.zones.indexOf(b.zone)),
    };
    tx.put('capacity', record);
    armCapacityChase(tx, record, weeks);
    return { ok: true as const, view: viewOf(provider, record, zones, weeks, now), saved: parsed.answers.map((a) => zones.get(a.zone) ?? a.zone) };
  });
}

/** The chase falls due when the first declaration not yet chased goes stale; none left, no job. */
export function armCapacityChase(tx: BrokerageTx, record: CapacityRecord, weeks: number): void {
  const due = record.zones.filter((z) => !z.chasedAt).map((z) => staleAt(z, weeks));
  if (!due.length) return void unschedule(tx, jobId(record.id));
  schedule(tx, { id: jobId(record.id), kind: 'capacity.stale', ref: record.id, at: new Date(Math.min(...due)).toISOString() });
}

/**
 * The scheduler's handler: asks the provider once, in its channel, to say again for the zones
 * whose declarations went stale, marks them chased, and arms the next. Running twice asks once.
 */
export function capacityJobs(store: BrokerageStore, now: () => Date): Record<string, JobHandler> {
  return {
    'capacity.stale': (job) =>
      store.transact({ actor: 'system:scheduler', action: 'capacity.stale' }, async (tx) => {
        const record = await tx.get('capacity', job.ref);
        if (!record) return;
        const weeks = (await marketRulesTx(tx)).capacityWeeks;
        const at = now();
        const stale = record.zones.filter((z) => !z.chasedAt && isStale(z, weeks, at));
        const provider = await tx.get('providers', record.id);
        let next = record;
        if (stale.length && provider?.status === 'admitted') {
          const newest = stale.map((z) => z.declaredAt).sort().at(-1)!;
          await enqueue(tx, at, { id: `capacity-chase:${record.id}:${newest}`, target: { providerId: record.id }, message: { kind: 'capacity.chase', zones: stale.map((z) => z.zone) } });
          next = { ...record, zones: record.zones.map((z) => (stale.includes(z) ? { ...z, chasedAt: at.toISOString() } : z)) };
          tx.put('capacity', next);
        }
        armCapacityChase(tx, next, weeks);
      }),
  };
}
