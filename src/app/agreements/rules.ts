import { CONTRACT_RULES_ID, ContractRules } from '../../domain/agreement.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { invalid, parseOrThrow } from '../errors.js';
import { rulesOf } from './load.js';

/**
 * The council's contract-management rules: seen by council staff, set by the commissioner. The
 * money rules (period, tolerance, banking, retainer) apply to agreements created after a change;
 * each agreement keeps its own (domain/agreement.ts MoneyRules).
 */
export async function getRules(store: BrokerageStore, who: Who): Promise<ContractRules> {
  await requirePermission(store, who, 'agreement.view');
  return rulesOf(store);
}

export async function setRules(store: BrokerageStore, who: Who, raw: Record<string, unknown>): Promise<{ rules: ContractRules; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'contract.rules');
  const rules = parseOrThrow(ContractRules, { ...raw, id: CONTRACT_RULES_ID });
  if (rules.frameworkMaxAnnual > 0 && rules.frameworkMaxAnnual < rules.frameworkMinAnnual) throw invalid({ frameworkMaxAnnual: 'the maximum must be at least the minimum' });
  return store.transact({ actor: user.id, action: 'contract.rules' }, async (tx) => {
    const before = await tx.get('contractRules', CONTRACT_RULES_ID);
    if (before && JSON.stringify(before) === JSON.stringify(rules)) return { rules, unchanged: true };
    tx.put('contractRules', rules);
    return { rules, unchanged: false };
  });
}
