import type { Agreement, ContractRules } from '../../domain/agreement.js';
import { settle, type Settlement } from '../../domain/agreementRules.js';
import { rulesFor } from './load.js';

/**
 * The agreement's periods settled up to `until`. An off-contract placement has no returns (its
 * provider is not in Teams): it is paid as planned, on the provider's invoice.
 */
export function settlementsOf(a: Agreement, council: ContractRules, until: string): Settlement[] {
  const rules = rulesFor(a, council);
  if (!a.offContract) return settle(a, rules, until);
  const planned = settle({ ...a, returns: [] }, rules, until);
  return settle({ ...a, returns: planned.map((p) => ({ periodStart: p.start, hours: p.plannedHours, source: 'card' as const, by: 'system', at: '', corrections: [] })) }, rules, until);
}
