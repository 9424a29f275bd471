import type { Settings } from '../../domain/framework.js';
import { listOf } from '../../store/reading.js';
import type { BrokerageStore, Collections } from '../../store/collections.js';
import { getSettings } from './admin.js';
import { ENTITY_KINDS, EntityKindName } from './entities.js';
import { frameworkSummary, FrameworkSummary } from './summary.js';

/**
 * The framework's read side: what the administration cards, the coverage card and the pickers show,
 * read once here so bot/ only draws it.
 */

const KINDS = Object.keys(ENTITY_KINDS) as EntityKindName[];

/** The administration home: how many of each kind are recorded, and the settings. */
export interface AdminHomeView {
  counts: Record<EntityKindName, number>;
  settings: Settings;
}

export async function adminHomeView(store: BrokerageStore): Promise<AdminHomeView> {
  const counts = await Promise.all(KINDS.map(async (k) => (await listOf(store, ENTITY_KINDS[k].collection)).length));
  return { counts: Object.fromEntries(KINDS.map((k, i) => [k, counts[i]])) as Record<EntityKindName, number>, settings: await getSettings(store) };
}

/** Every recorded item of one kind (the list card pages and searches them). */
export async function entitiesOf<K extends EntityKindName>(store: BrokerageStore, kind: K): Promise<Collections[K][]> {
  return (await listOf(store, ENTITY_KINDS[kind].collection)) as Collections[K][];
}

/** One item of a kind, to edit; undefined when it no longer exists. */
export async function entityOf<K extends EntityKindName>(store: BrokerageStore, kind: K, id: string): Promise<Collections[K] | undefined> {
  return (await store.get(ENTITY_KINDS[kind].collection, id)) as Collections[K] | undefined;
}

export interface Named {
  id: string;
  name: string;
}

/** What the admin forms offer to choose from: every lot, zone and provider, by name. */
export interface PickLists {
  lots: Named[];
  zones: Named[];
  providers: Named[];
}

const named = (x: Named): Named => ({ id: x.id, name: x.name });
const byName = (a: Named, b: Named) => a.name.localeCompare(b.name);

export async function pickLists(store: BrokerageStore): Promise<PickLists> {
  const [lots, zones, providers] = await Promise.all([listOf(store, 'lots'), listOf(store, 'zones'), listOf(store, 'providers')]);
  return { lots: lots.map(named).sort(byName), zones: zones.map(named).sort(byName), providers: providers.map(named).sort(byName) };
}

/** Providers whose name or id passes `matches`, by name, a page at a time (the type-ahead picker). */
export async function findProviders(store: BrokerageStore, matches: (text: string) => boolean, skip: number, count: number): Promise<Named[]> {
  const providers = await listOf(store, 'providers');
  return providers
    .filter((p) => matches(`${p.name} ${p.id}`))
    .sort(byName)
    .slice(skip, skip + count)
    .map(named);
}

/** The coverage card: who covers which lot and zone, the gaps, who cannot be reached, and the council's figures. */
export interface FrameworkView {
  summary: FrameworkSummary;
  councilName: string;
  minHourlyRate: number;
}

export async function frameworkView(store: BrokerageStore): Promise<FrameworkView> {
  const [summary, settings] = await Promise.all([frameworkSummary(store), getSettings(store)]);
  return { summary, councilName: settings.councilName, minHourlyRate: settings.minHourlyRate };
}
