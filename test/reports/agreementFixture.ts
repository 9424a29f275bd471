/**
 * The reports' hand-worked agreement: Caring Hands, 21 h at £25 = £525 a week from Monday 14
 * December (weekly periods, budget £650), with two weeks returned (21 h, then 18 h by CSV).
 */
import type { Agreement, AgreementVersion } from '../../src/domain/agreement.js';
import { DEFAULT_RULES, moneyRulesOf } from '../../src/domain/agreement.js';

export const version = (over: Partial<AgreementVersion> = {}): AgreementVersion => ({
  version: 1,
  change: 'start confirmed',
  effectiveFrom: '2026-12-14',
  elements: [{ name: 'Support', hoursPerWeek: 21, hourlyRate: 25 }],
  hoursPerWeek: 21,
  weeklyCost: 525,
  startDate: '2026-12-14',
  financeCodes: { costCentre: 'ASC-LD-01', providerFinanceId: 'CH-001' },
  summary: '',
  by: 'x',
  at: '2026-12-01T00:00:00Z',
  ...over,
});
export const agreement = (over: Partial<Agreement> = {}): Agreement => ({
  id: 'AGR-PKG-2026-0001',
  ref: 'PKG-2026-0001',
  providerId: 'caring-hands',
  providerName: 'Caring Hands Ltd',
  offContract: false,
  status: 'active',
  lots: ['learning-disability', 'autism'],
  zone: 'bury-east',
  budgetWeekly: 650,
  moneyRules: moneyRulesOf({ ...DEFAULT_RULES, period: 'weekly' }),
  owner: 'sam',
  proposedStart: '2026-12-14',
  versions: [version()],
  returns: [
    { periodStart: '2026-12-14', hours: 21, source: 'card', by: 'p', at: 'x', corrections: [] },
    { periodStart: '2026-12-21', hours: 18, source: 'csv', by: 'p', at: 'x', corrections: [] },
  ],
  suspensions: [],
  variations: [],
  reviews: [],
  createdAt: 'x',
  updatedAt: 'x',
  ...over,
});
