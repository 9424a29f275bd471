import type { Agreement, ContractRules } from '../../domain/agreement.js';
import { current } from '../../domain/agreement.js';
import { addDays, settle, type Settlement } from '../../domain/agreementRules.js';
import { ukDate } from '../../domain/dates.js';
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

export interface PeriodsSoFar {
  /** Settled periods that have ended, oldest first. */
  periods: Settlement[];
  /** Ended periods with no return yet (a provider's next return). */
  owed: string[];
}

/** The periods that have ended by yesterday, as any view of the agreement shows them. */
export function periodsSoFar(a: Agreement, rules: ContractRules, now: Date): PeriodsSoFar {
  const yesterday = addDays(ukDate(now), -1);
  const started = a.status !== 'awaiting_start' && yesterday >= current(a).startDate;
  const periods = started ? settlementsOf(a, rules, yesterday).filter((p) => p.end <= yesterday) : [];
  return { periods, owed: a.offContract ? [] : periods.filter((p) => p.delivered === undefined).map((p) => p.start) };
}
