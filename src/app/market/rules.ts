import { MARKET_RULES_ID, MarketRules } from '../../domain/market.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { parseOrThrow } from '../errors.js';
import { armCapacityChase } from './capacity.js';
import { marketRulesOf, marketRulesTx } from './load.js';

/** The council's market rules (issue 25): what makes a gap, how long it must last, staleness, suppression. */
export async function getMarketRules(store: BrokerageStore, who: Who): Promise<MarketRules> {
  await requirePermission(store, who, 'report.view');
  return marketRulesOf(store);
}

/** Saves the rules; when the weeks before capacity is stale change, every provider's chase moves with them. */
export async function setMarketRules(store: BrokerageStore, who: Who, raw: Record<string, unknown>): Promise<{ rules: MarketRules; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'market.manage');
  const rules = parseOrThrow(MarketRules, { ...raw, id: MARKET_RULES_ID });
  return store.transact({ actor: user.id, action: 'market.rules' }, async (tx) => {
    const before = await marketRulesTx(tx);
    if (JSON.stringify(before) === JSON.stringify(rules) && (await tx.get('marketRules', MARKET_RULES_ID))) return { rules, unchanged: true };
    tx.put('marketRules', rules);
    if (before.capacityWeeks !== rules.capacityWeeks) for (const record of await tx.list('capacity')) armCapacityChase(tx, record, rules.capacityWeeks);
    return { rules, unchanged: false };
  });
}
