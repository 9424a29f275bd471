import { current } from '../domain/agreement.js';
import { addDays } from '../domain/agreementRules.js';
import type { BrokerageStore } from '../store/collections.js';
import { listOf, reading } from '../store/reading.js';
import { marketRulesOf } from '../app/market/load.js';
import { marketSpan, type MarketData } from './market.js';
import type { Period } from './period.js';

/**
 * What the market report reads, once: the requests with a reportable moment in its span (the
 * period and the months persistence looks at, a day wider each side for UK time; the figures filter
 * exactly) and their bids, every agreement (hand-backs, starts, off-contract weeks), and the
 * framework, capacity, cost models and rules as they are now.
 */
export async function loadMarketData(store: BrokerageStore, period: Pick<Period, 'from' | 'to'>, now: Date): Promise<MarketData> {
  const rules = await marketRulesOf(store);
  const span = marketSpan(period, rules);
  const { requests, bids, agreements } = await reading(store, async (tx) => {
    const requests = await tx.requestsActiveBetween(addDays(span.from, -1), addDays(span.to, 1));
    return { requests, bids: await tx.bidsOf(requests.filter((r) => r.calloff).map((r) => r.id)), agreements: await tx.agreements() };
  });
  // Packages that started in the span from a request submitted before it: their submission only.
  const loaded = new Set(requests.map((r) => r.id));
  const submitted = new Map<string, string>();
  for (const a of agreements) {
    const start = current(a).startDate;
    if (loaded.has(a.ref) || start < span.from || start > span.to) continue;
    const at = (await store.get('requests', a.ref))?.submittedAt;
    if (at) submitted.set(a.ref, at);
  }
  const [providers, lots, zones, capacity, costModels] = await Promise.all([listOf(store, 'providers'), listOf(store, 'lots'), listOf(store, 'zones'), listOf(store, 'capacity'), listOf(store, 'costModels')]);
  return { requests, bids, agreements, submitted, providers, lots, zones, capacity, costModels, rules, now };
}
