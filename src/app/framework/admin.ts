import { Provider, ProviderStatus, Settings, Zone } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { conflict, fieldErrors, invalid, notFound } from '../errors.js';
import { DEFAULT_SETTINGS, ENTITY_KINDS, EntityKind, EntityKindName, SETTINGS_ID } from './entities.js';
import { handleOpenBids, OpenBidsChoice } from '../admission/openBids.js';

/** Validates an item of `kind` against its schema and its references; throws field errors. */
export async function validateEntity<T extends { id: string }>(tx: BrokerageTx, kind: EntityKind<T>, input: unknown): Promise<T> {
  const parsed = kind.schema.safeParse(input);
  if (!parsed.success) throw invalid(fieldErrors(parsed.error));
  const refErrors = await kind.references(tx, parsed.data);
  if (Object.keys(refErrors).length) throw invalid(refErrors);
  return parsed.data;
}

/** Neighbouring is mutual: the Kent cascade offers to B's providers when A has none, and back. */
async function syncNeighbours(tx: BrokerageTx, zone: Zone): Promise<void> {
  for (const other of (await tx.list('zones')).filter((z) => z.id !== zone.id)) {
    const should = zone.neighbours.includes(other.id);
    const has = other.neighbours.includes(zone.id);
    if (should && !has) tx.put('zones', { ...other, neighbours: [...other.neighbours, zone.id].sort() });
    if (!should && has) tx.put('zones', { ...other, neighbours: other.neighbours.filter((n) => n !== zone.id) });
  }
}

export interface SaveOptions {
  /** The id being edited; a new item when absent (then the id must be free). */
  editing?: string;
}

/** Adds or edits a lot, zone, provider, user or checklist item (commissioner only). */
export async function saveEntity(store: BrokerageStore, who: Who, kindName: EntityKindName, input: unknown, options: SaveOptions = {}) {
  await requirePermission(store, who, 'framework.manage');
  const kind = ENTITY_KINDS[kindName] as EntityKind<{ id: string }>;
  return store.transact({ actor: who.aadObjectId, action: `${kind.collection}.save` }, async (tx) => {
    const item = await validateEntity(tx, kind, input);
    if (options.editing && options.editing !== item.id) throw invalid({ id: 'the id cannot be changed once created' });
    if (!options.editing && await tx.get(kind.collection, item.id)) throw invalid({ id: `a ${kind.label} with id "${item.id}" already exists` });
    if (kind.collection === 'providers') {
      // The channel is registered in the channel itself, never through the form.
      const before = await tx.get('providers', item.id);
      (item as Provider).channel = before?.channel;
    }
    tx.put(kind.collection, item as never);
    if (kind.collection === 'zones') await syncNeighbours(tx, item as Zone);
    return item;
  });
}

export async function removeEntity(store: BrokerageStore, who: Who, kindName: EntityKindName, id: string): Promise<void> {
  await requirePermission(store, who, 'framework.manage');
  const kind = ENTITY_KINDS[kindName] as EntityKind<{ id: string }>;
  await store.transact({ actor: who.aadObjectId, action: `${kind.collection}.remove` }, async (tx) => {
    if (!await tx.get(kind.collection, id)) throw notFound(`There is no ${kind.label} "${id}".`);
    const why = await kind.inUse(tx, id);
    if (why) throw conflict(`The ${kind.label} "${id}" cannot be removed: ${why}.`);
    tx.delete(kind.collection, id);
    if (kind.collection === 'zones') for (const z of (await tx.list('zones')).filter((z) => z.neighbours.includes(id))) tx.put('zones', { ...z, neighbours: z.neighbours.filter((n) => n !== id) });
  });
}

export async function getSettings(store: BrokerageStore): Promise<Settings> {
  return (await store.get('settings', SETTINGS_ID)) ?? DEFAULT_SETTINGS;
}

export async function saveSettings(store: BrokerageStore, who: Who, input: unknown): Promise<Settings> {
  await requirePermission(store, who, 'framework.manage');
  const parsed = Settings.safeParse({ ...(input as object), id: SETTINGS_ID });
  if (!parsed.success) throw invalid(fieldErrors(parsed.error));
  await store.transact({ actor: who.aadObjectId, action: 'settings.save' }, async (tx) => tx.put('settings', parsed.data));
  return parsed.data;
}

/**
 * Admit, suspend, reinstate or record that a provider left; a reason is required except to admit.
 * Suspending or leaving records what happens to the provider's bids on open call-offs (kept
 * unless the commissioner chooses to withdraw them) and hands that choice to `handleOpenBids`.
 */
export async function setProviderStatus(store: BrokerageStore, who: Who, providerId: string, status: ProviderStatus, reason?: string, options: { openBids?: OpenBidsChoice; at?: string } = {}): Promise<Provider> {
  return (await changeProviderStatus(store, who, providerId, status, reason, options)).provider;
}

/**
 * setProviderStatus, with `inside` run in the same transaction when the status changes; its result
 * comes back as `caused` from the run that committed (a store may run the transaction again, so a
 * value kept from an earlier run could describe a change that was undone).
 */
export async function changeProviderStatus<T>(store: BrokerageStore, who: Who, providerId: string, status: ProviderStatus, reason?: string, options: { openBids?: OpenBidsChoice; at?: string; inside?: (tx: BrokerageTx, next: Provider) => Promise<T> } = {}): Promise<{ provider: Provider; caused?: T }> {
  await requirePermission(store, who, 'framework.manage');
  if (status !== 'admitted' && !reason?.trim()) throw invalid({ reason: `say why the provider is ${status}` });
  return store.transact({ actor: who.aadObjectId, action: `providers.${status}` }, async (tx) => {
    const p = await tx.get('providers', providerId);
    if (!p) throw notFound(`There is no provider "${providerId}".`);
    if (p.status === status) return { provider: p }; // repeated click: no second change
    const next: Provider = { ...p, status, statusReason: reason?.trim() || undefined };
    tx.put('providers', next);
    if (status === 'suspended' || status === 'left') {
      const input = { providerId, choice: options.openBids ?? 'keep', reason: reason!.trim(), by: who.aadObjectId, at: options.at ?? new Date().toISOString() };
      const handled = await handleOpenBids(tx, input);
      tx.note('providers.open-bids', { ...input, ...handled });
    }
    const caused = await options.inside?.(tx, next); // what the change causes (the provider's notice), in the same transaction
    return { provider: next, caused };
  });
}
