import type { Provider, Tier } from './framework.js';

export interface EligibilityQuery {
  lots: string[];
  zone: string;
  /** In sequential offers, only this tier's providers are in the round. */
  tier?: Tier;
}

/**
 * Providers that may receive a call-off: admitted, covering the zone, and admitted to at least
 * one of the package's lots there (and, for a sequential round, ranked in that tier for it).
 */
export function eligibleProviders(providers: Provider[], q: EligibilityQuery): Provider[] {
  return providers.filter(
    (p) =>
      p.status === 'admitted' &&
      p.zones.includes(q.zone) &&
      q.lots.some((lot) => p.lots.includes(lot) && (!q.tier || p.tiers.some((t) => t.lot === lot && t.zone === q.zone && t.tier === q.tier))),
  );
}
