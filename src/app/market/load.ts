import { DEFAULT_MARKET_RULES, MARKET_RULES_ID, type MarketRules } from '../../domain/market.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';

/** The council's market rules, or the defaults until the commissioner saves them. */
export const marketRulesTx = async (tx: Pick<BrokerageTx, 'get'>): Promise<MarketRules> => (await tx.get('marketRules', MARKET_RULES_ID)) ?? DEFAULT_MARKET_RULES;
export const marketRulesOf = async (store: BrokerageStore): Promise<MarketRules> => (await store.get('marketRules', MARKET_RULES_ID)) ?? DEFAULT_MARKET_RULES;
