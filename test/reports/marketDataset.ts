/**
 * A known market for the market report's tests (issue 25), small enough to work every figure by
 * hand. The period is November 2026; persistence looks at September, October and November.
 *
 * Providers: Caring Hands (admitted: autism and learning disability, Bury East and Radcliffe),
 * BrightPath (admitted: learning disability, Bury East), Oak Tree (suspended: autism, Radcliffe).
 *
 * | ref | lots | zone | submitted | published | first round closed | first-round bids | then |
 * |-----|------|------|-----------|-----------|--------------------|------------------|------|
 * | S1 | autism | radcliffe | 09-01 | 09-10 | 09-17 | none | – |
 * | O1 | autism | radcliffe | 10-01 | 10-08 | 10-15 | CH | CH award 10-20 (£26/h); started 11-02 |
 * | A1 | autism | radcliffe | 11-01 | 11-03 | 11-10 | none | cascade to bury-east and whitefield (BrightPath), no bid; off-contract 11-20, started 11-20 |
 * | A2 | autism | radcliffe | 11-02 | 11-05 | 11-12 | CH | CH award 11-15 at £24/h |
 * | A3 | autism | radcliffe | 11-18 | 11-20 | – (open) | – | – |
 * | L1 | learning disability | bury-east | 10-30 | 11-02 | 11-09 | CH, BP (and a withdrawn one) | BP award 11-12 at £34/h; started 11-23 |
 * | M1 | autism + learning disability | bury-east | 11-03 | 11-04 | 11-11 | none | – |
 * | X | learning disability | bury-east | (2026-05) | – | – | – | agreement since June, handed back 11-18 |
 *
 * Caring Hands said on 10 Nov it can take about 20 hours a week in Radcliffe; BrightPath said
 * "no" for Bury East on 1 Aug (stale after the default 8 weeks).
 */
import type { Agreement } from '../../src/domain/agreement.js';
import type { Bid } from '../../src/domain/calloff.js';
import { DEFAULT_COST_MODEL } from '../../src/domain/costModel.js';
import { DEFAULT_MARKET_RULES, type MarketRules } from '../../src/domain/market.js';
import type { PackageRequest } from '../../src/domain/request.js';
import type { MarketData } from '../../src/reports/market.js';

const at = (day: string, time = '10:00') => `${day}T${time}:00.000Z`;

function callOff(o: { ref: string; lots: string[]; zone: string; submitted: string; published?: string; closed?: string; offers?: string[]; cascade?: { zones: string[]; providerIds: string[] }; award?: PackageRequest['award'] }): PackageRequest {
  return {
    id: o.ref,
    state: o.award ? 'awarded' : o.closed ? 'evaluated' : o.published ? 'open' : 'submitted',
    owner: 'sam',
    ownerName: 'Sam Patel',
    createdAt: at(o.submitted),
    updatedAt: at(o.submitted),
    step: 'review',
    inputs: {},
    submittedAt: at(o.submitted),
    person: { name: `Person ${o.ref}`, caseRef: `LAS-${o.ref}`, dateOfBirth: '1980-01-01', address: '1 Test Street', postcode: 'BL9 0EJ', zone: o.zone, gender: 'female', disabilityCategory: 'autism' },
    package: { lots: o.lots, hoursPerWeek: 20, budgetWeekly: 700 } as PackageRequest['package'],
    calloff: o.published
      ? {
          publishedAt: at(o.published),
          publishedBy: 'alex',
          deadline: at(o.closed ?? '2026-12-01', '17:00'),
          extensions: [],
          offers: (o.offers ?? []).map((p) => ({ providerId: p, offeredAt: at(o.published!), postId: `post:${o.ref}:${p}` })),
          clarifications: [],
          rounds: [],
          remindersSent: [],
          ...(o.closed ? { closedAt: at(o.closed, '17:00') } : {}),
          ...(o.cascade ? { cascade: { round: 2 as const, ...o.cascade, openedAt: at('2026-11-11'), openedBy: 'alex', deadline: at('2026-11-16', '17:00') } } : {}),
        }
      : undefined,
    award: o.award,
  } as PackageRequest;
}

const bid = (ref: string, providerId: string, status: Bid['status'] = 'active'): Bid => ({ id: `${ref}:${providerId}`, ref, providerId, status, versions: [], submittedAt: at('2026-11-06') });

const award = (providerId: string, approved: string, hourlyRate: number): PackageRequest['award'] => ({ offContract: false, status: 'accepted', providerId, providerName: providerId, weeklyPrice: hourlyRate * 20, hourlyRate, budgetWeekly: 700, overBudget: false, bids: 1, approvedAt: at(approved) });

function agreement(o: { ref: string; lots: string[]; zone: string; start: string; offContract?: boolean; status?: Agreement['status']; handedBack?: string }): Agreement {
  return {
    id: `AGR-${o.ref}`,
    ref: o.ref,
    providerName: 'p',
    offContract: !!o.offContract,
    status: o.status ?? 'active',
    lots: o.lots,
    zone: o.zone,
    budgetWeekly: 700,
    owner: 'sam',
    proposedStart: o.start,
    versions: [{ version: 1, change: 'created', effectiveFrom: o.start, elements: [], hoursPerWeek: 20, weeklyCost: 500, startDate: o.start, financeCodes: { costCentre: '', providerFinanceId: '' }, summary: '', by: 'x', at: at(o.start) }],
    returns: [],
    suspensions: [],
    variations: [],
    reviews: [],
    ...(o.handedBack ? { ending: { on: o.handedBack, reason: 'Cannot staff it', kind: 'handed back' as const, by: 'p', at: at(o.handedBack) } } : {}),
    createdAt: at(o.start),
    updatedAt: at(o.start),
  } as unknown as Agreement;
}

export function marketData(rules: Partial<MarketRules> = {}): MarketData {
  const requests = [
    callOff({ ref: 'PKG-2026-0101', lots: ['autism'], zone: 'radcliffe', submitted: '2026-09-01', published: '2026-09-10', closed: '2026-09-17', offers: ['caring-hands'] }),
    callOff({ ref: 'PKG-2026-0102', lots: ['autism'], zone: 'radcliffe', submitted: '2026-10-01', published: '2026-10-08', closed: '2026-10-15', offers: ['caring-hands'], award: award('caring-hands', '2026-10-20', 26) }),
    callOff({
      ref: 'PKG-2026-0103',
      lots: ['autism'],
      zone: 'radcliffe',
      submitted: '2026-11-01',
      published: '2026-11-03',
      closed: '2026-11-10',
      offers: ['caring-hands', 'brightpath'],
      cascade: { zones: ['bury-east', 'whitefield'], providerIds: ['brightpath'] },
      award: { offContract: true, status: 'placed', providerName: 'Acme Care', weeklyPrice: 700, budgetWeekly: 700, overBudget: false, bids: 0, reason: 'Nobody on the framework', recordedBy: 'alex', recordedAt: at('2026-11-20') },
    }),
    callOff({ ref: 'PKG-2026-0104', lots: ['autism'], zone: 'radcliffe', submitted: '2026-11-02', published: '2026-11-05', closed: '2026-11-12', offers: ['caring-hands'], award: award('caring-hands', '2026-11-15', 24) }),
    callOff({ ref: 'PKG-2026-0105', lots: ['autism'], zone: 'radcliffe', submitted: '2026-11-18', published: '2026-11-20', offers: ['caring-hands'] }),
    callOff({ ref: 'PKG-2026-0106', lots: ['learning-disability'], zone: 'bury-east', submitted: '2026-10-30', published: '2026-11-02', closed: '2026-11-09', offers: ['caring-hands', 'brightpath', 'signing-hands'], award: award('brightpath', '2026-11-12', 34) }),
    callOff({ ref: 'PKG-2026-0107', lots: ['autism', 'learning-disability'], zone: 'bury-east', submitted: '2026-11-03', published: '2026-11-04', closed: '2026-11-11', offers: ['caring-hands', 'brightpath'] }),
  ];
  const bids = [bid('PKG-2026-0102', 'caring-hands'), bid('PKG-2026-0104', 'caring-hands'), bid('PKG-2026-0106', 'caring-hands'), bid('PKG-2026-0106', 'brightpath'), bid('PKG-2026-0106', 'signing-hands', 'withdrawn')];
  const agreements = [
    agreement({ ref: 'PKG-2026-0102', lots: ['autism'], zone: 'radcliffe', start: '2026-11-02' }),
    agreement({ ref: 'PKG-2026-0103', lots: ['autism'], zone: 'radcliffe', start: '2026-11-20', offContract: true }),
    agreement({ ref: 'PKG-2026-0106', lots: ['learning-disability'], zone: 'bury-east', start: '2026-11-23' }),
    agreement({ ref: 'PKG-2026-0042', lots: ['learning-disability'], zone: 'bury-east', start: '2026-06-01', status: 'ended', handedBack: '2026-11-18' }),
  ];
  return {
    requests,
    bids,
    agreements,
    submitted: new Map([['PKG-2026-0042', at('2026-05-04')]]),
    providers: [
      { id: 'caring-hands', name: 'Caring Hands Ltd', status: 'admitted', lots: ['learning-disability', 'autism'], zones: ['bury-east', 'radcliffe'] },
      { id: 'brightpath', name: 'BrightPath Support', status: 'admitted', lots: ['learning-disability'], zones: ['bury-east'] },
      { id: 'oak-tree', name: 'Oak Tree Care', status: 'suspended', lots: ['autism'], zones: ['radcliffe'] },
    ],
    lots: [
      { id: 'learning-disability', name: 'Learning disability' },
      { id: 'autism', name: 'Autism' },
    ],
    zones: [
      { id: 'bury-east', name: 'Bury East' },
      { id: 'radcliffe', name: 'Radcliffe' },
    ],
    capacity: [
      { id: 'caring-hands', zones: [{ zone: 'radcliffe', canTake: true, hoursPerWeek: 20, declaredAt: at('2026-11-10'), declaredBy: 'priya' }] },
      { id: 'brightpath', zones: [{ zone: 'bury-east', canTake: false, declaredAt: at('2026-08-01'), declaredBy: 'tom' }] },
    ],
    costModels: [DEFAULT_COST_MODEL],
    rules: { ...DEFAULT_MARKET_RULES, ...rules },
    now: new Date(at('2026-11-30', '12:00')),
  };
}

export const NOVEMBER = { from: '2026-11-01', to: '2026-11-30', label: 'November 2026' };

/** Puts the data set's requests, bids, agreements and capacity into a store (the framework comes from demo/framework.yaml). */
export async function seedMarket(store: import('../../src/store/collections.js').BrokerageStore): Promise<void> {
  const d = marketData();
  await store.transact({ actor: 'test', action: 'test.seed-market' }, async (tx) => {
    for (const r of d.requests) tx.put('requests', r);
    for (const b of d.bids) tx.put('bids', b);
    for (const a of d.agreements) tx.put('agreements', a);
    for (const c of d.capacity) tx.put('capacity', c);
    // The hand-back's request, submitted in May and awarded before the period.
    tx.put('requests', { ...d.requests[0], id: 'PKG-2026-0042', submittedAt: d.submitted.get('PKG-2026-0042'), calloff: undefined, award: undefined, state: 'awarded' });
  });
}
