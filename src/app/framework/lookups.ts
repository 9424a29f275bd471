import type { Criterion, Lot, Zone } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import { getSettings } from './admin.js';

/** The framework's reference lists that cards name things by (lots, zones, criteria), and the council's examples. */
export interface FrameworkLookups {
  lots: Lot[];
  zones: Zone[];
  criteria: Criterion[];
  examples?: { postcode: string; caseRef: string };
}

export async function loadLookups(store: BrokerageStore): Promise<FrameworkLookups> {
  const [lots, zones, criteria, settings] = await Promise.all([store.find('lots'), store.find('zones'), store.find('criteria'), getSettings(store)]);
  return { lots, zones, criteria, examples: { postcode: settings.postcodeExample, caseRef: settings.caseRefExample } };
}
