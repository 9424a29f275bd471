import type { Criterion, Lot, Zone } from '../../domain/framework.js';
import { reading } from '../../store/reading.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from './entities.js';

/** The framework's names for ids (lots, zones, specialist criteria) and the council's examples: what every request and call-off card draws on. */
export interface Lookups {
  lots: Lot[];
  zones: Zone[];
  criteria: Criterion[];
  /** The council's own examples for the person card (settings); empty for none. */
  examples?: { postcode: string; caseRef: string };
}

/** Inside a transaction: a use case returns them with its result, so the reply needs no second read. */
export async function lookupsTx(tx: BrokerageTx): Promise<Lookups> {
  // Asked together: a store that can answer them in one round trip does.
  const [settings, lots, zones, criteria] = await Promise.all([tx.get('settings', SETTINGS_ID), tx.list('lots'), tx.list('zones'), tx.list('criteria')]);
  const s = settings ?? DEFAULT_SETTINGS;
  return { lots, zones, criteria, examples: { postcode: s.postcodeExample, caseRef: s.caseRefExample } };
}

/** The query, for replies that follow no use case. */
export async function lookupsOf(store: BrokerageStore): Promise<Lookups> {
  return reading(store, lookupsTx);
}
