/**
 * A known data set for the report tests, small enough to work every figure by hand. The period of
 * interest is Q1 2026 (1 Jan – 31 Mar, all GMT: BST starts 29 Mar, which R6 is built to catch).
 *
 * | ref    | submitted  | published  | closed | bids (active)       | outcome                                 | person                               |
 * |--------|------------|------------|--------|---------------------|-----------------------------------------|--------------------------------------|
 * | R7 2025-0042 | 2025-12-01 | 2025-12-02 | 12-09 | BP 610         | BP award approved 2026-01-08 (38 days)   | male, learning disability, 45–54, Bury East |
 * | R1 0001 | 01-05      | 01-06      | 01-13  | CH 525, BP 546      | CH award approved 01-20 (15 days), budget 650 | female, learning disability, 45–54, Bury East |
 * | R2 0002 | 01-10      | 01-12      | 01-19  | CH 700              | CH award approved 02-09 (30 days), budget 600 (over) | male, autism, 25–34, Radcliffe |
 * | R3 0003 | 02-01      | 02-02      | 02-09  | none (BP withdrew)  | off-contract 02-20 (19 days) £480, budget 500 | female, mental health, 65–74, Radcliffe |
 * | R4 0004 | 02-15      | 02-16      | –      | BP 560 (sealed)     | still open                              | male, physical disability, 18–24, Prestwich |
 * | R5 0005 | 03-01      | 03-02      | –      | –                   | cancelled 03-05                          | female, dementia, 85+, Bury East |
 * | R6 0006 | 03-02      | 03-03      | 03-10  | CH 400, SH 380      | SH award approved 2026-03-31T23:30Z = 1 Apr in the UK (outside Q1) | non-binary, sensory impairment, 35–44, Prestwich |
 * | R8 0008 | – (draft)  |            |        |                     |                                         | |
 * | R9 0009 | 03-20      | –          |        |                     | submitted, not published                 | female, autism, 25–34, Bury East |
 *
 * CH caring-hands, BP brightpath, SH signing-hands. Offers and declines are listed with each request.
 */
import type { Award, Evaluation } from '../../src/domain/award.js';
import type { Bid } from '../../src/domain/calloff.js';
import type { PackageRequest } from '../../src/domain/request.js';
import type { ReportData } from '../../src/reports/queries.js';

export const PROVIDERS = [
  { id: 'caring-hands', name: 'Caring Hands Ltd' },
  { id: 'brightpath', name: 'BrightPath Support' },
  { id: 'signing-hands', name: 'Signing Hands Homecare' },
];
export const ZONES = [
  { id: 'bury-east', name: 'Bury East' },
  { id: 'radcliffe', name: 'Radcliffe' },
  { id: 'prestwich', name: 'Prestwich' },
];
export const LOTS = [{ id: 'learning-disability', name: 'Learning disability' }];

/** Questions q1 40, q2 30, q3 30; cost 40 / quality 60. */
const QUESTIONS = [
  { id: 'q1', text: 'How will you support the person’s outcomes?', weight: 40 },
  { id: 'q2', text: 'How will you keep a stable, named team?', weight: 30 },
  { id: 'q3', text: 'How will you keep the person safe?', weight: 30 },
];

type Sex = 'female' | 'male' | 'non-binary';
function request(o: {
  ref: string;
  submitted?: string;
  published?: string;
  closed?: string;
  offers?: { p: string; declined?: string }[];
  budget?: number;
  person?: { gender: Sex; disability: string; band: string; zone: string };
  state?: PackageRequest['state'];
  award?: Award;
  evaluation?: Evaluation;
  cancelledAt?: string;
}): PackageRequest {
  const created = o.submitted ?? '2026-02-10T10:00:00.000Z';
  return {
    id: o.ref,
    state: o.state ?? (o.award ? 'awarded' : o.closed ? 'evaluated' : o.published ? 'open' : o.submitted ? 'submitted' : 'draft'),
    owner: 'a1e0f3b2-0002-4000-8000-000000000002',
    ownerName: 'Sam Patel',
    createdAt: created,
    updatedAt: created,
    step: 'review',
    inputs: {},
    person: o.person && {
      name: `Person ${o.ref}`,
      caseRef: `LAS-${o.ref.slice(-4)}`,
      dateOfBirth: '1970-01-01',
      address: '1 Test Street, Bury',
      postcode: 'BL9 0EJ',
      zone: o.person.zone,
      gender: o.person.gender,
      disabilityCategory: o.person.disability as never,
    },
    package: {
      lots: ['learning-disability'],
      needsSummary: 'Needs support with daily living and medication at home.',
      outcomes: 'To stay living at home.',
      hoursPerWeek: 21,
      visitPattern: '3 hours each morning',
      startDate: '2026-06-01',
      carerGender: 'no preference',
      languageNeeds: '',
      budgetWeekly: o.budget ?? 600,
      showBudget: false,
      mode: 'competition',
      costWeight: 40,
      qualityWeight: 60,
      questions: QUESTIONS,
      deadlineDate: '2026-01-13',
      deadlineTime: '17:00',
      deadline: o.closed ?? '2026-12-31T17:00:00.000Z',
    },
    submittedAt: o.submitted,
    ageBand: o.person?.band,
    calloff: o.published
      ? {
          publishedAt: o.published,
          publishedBy: 'a1e0f3b2-0001-4000-8000-000000000001',
          deadline: o.closed ?? '2026-12-31T17:00:00.000Z',
          extensions: [],
          offers: (o.offers ?? []).map((x) => ({ providerId: x.p, offeredAt: o.published!, postId: `post:${o.ref}:${x.p}`, ...(x.declined ? { declined: { reason: x.declined, detail: '', by: 'someone', at: o.published! } } : {}) })),
          clarifications: [],
          rounds: [],
          remindersSent: [],
          closedAt: o.closed,
        }
      : undefined,
    cancelled: o.cancelledAt ? { reason: 'The person moved to another council area.', by: 'a1e0f3b2-0001-4000-8000-000000000001', at: o.cancelledAt, fromState: 'open' } : undefined,
    award: o.award,
    evaluation: o.evaluation,
  };
}

function bid(ref: string, providerId: string, weeklyPrice: number, at: string, status: Bid['status'] = 'active'): Bid {
  return {
    id: `${ref}:${providerId}`,
    ref,
    providerId,
    status,
    submittedAt: at,
    versions: [
      {
        version: 1,
        at,
        by: 'provider-user',
        weeklyPrice,
        hourlyRate: Math.round((weeklyPrice / 21) * 100) / 100,
        hoursPerWeek: 21,
        earliestStart: '2026-05-01',
        supportPlan: 'A small named team trained in the person’s needs, with weekly reviews.',
        answers: {},
        meetsCarerGender: 'yes',
        meetsLanguage: 'yes',
        priceNote: '',
      },
    ],
    ...(status === 'withdrawn' ? { withdrawnAt: at } : {}),
  };
}

const evaluation = (revealedAt: string, scored: [string, [number, number, number]][]): Evaluation => ({
  round: 1,
  startedAt: revealedAt,
  revealedAt,
  excluded: [],
  bids: scored.map(([bidId, [a, b, c]], i) => ({ bidId, label: String.fromCharCode(65 + i), version: 1, scores: { q1: a, q2: b, q3: c }, meetsNeeds: true, lockedAt: revealedAt, lockedBy: 'sam' })),
});

const framework = (o: { bidId: string; providerId: string; providerName: string; price: number; budget: number; approvedAt: string; accepted?: string; bids: number; q?: number; total?: number }): Award => ({
  offContract: false,
  status: o.accepted ? 'accepted' : 'offered',
  bidId: o.bidId,
  providerId: o.providerId,
  providerName: o.providerName,
  weeklyPrice: o.price,
  budgetWeekly: o.budget,
  overBudget: o.price > o.budget,
  bids: o.bids,
  qualityScore: o.q,
  total: o.total,
  approvedAt: o.approvedAt,
  approvedBy: 'a1e0f3b2-0003-4000-8000-000000000003',
  offeredAt: o.approvedAt,
  acceptedAt: o.accepted,
});

/** The off-contract provider's name and reason carry a comma, quotes, a line break and a leading "=" for the CSV tests. */
export const OFF_CONTRACT_NAME = 'Local Care Co, "Radcliffe"';
export const OFF_CONTRACT_REASON = '=No framework provider could cover Radcliffe,\nso a temporary placement for 6 weeks';

export function dataset(): ReportData {
  const requests: PackageRequest[] = [
    request({
      ref: 'PKG-2025-0042',
      submitted: '2025-12-01T10:00:00.000Z',
      published: '2025-12-02T10:00:00.000Z',
      closed: '2025-12-09T17:00:00.000Z',
      offers: [{ p: 'brightpath' }],
      budget: 610,
      person: { gender: 'male', disability: 'learning disability', band: '45–54', zone: 'bury-east' },
      award: framework({ bidId: 'PKG-2025-0042:brightpath', providerId: 'brightpath', providerName: 'BrightPath Support', price: 610, budget: 610, approvedAt: '2026-01-08T10:00:00.000Z', accepted: '2026-01-09T10:00:00.000Z', bids: 1 }),
    }),
    request({
      ref: 'PKG-2026-0001',
      submitted: '2026-01-05T10:00:00.000Z',
      published: '2026-01-06T09:00:00.000Z',
      closed: '2026-01-13T17:00:00.000Z',
      offers: [{ p: 'caring-hands' }, { p: 'brightpath' }, { p: 'signing-hands', declined: 'no capacity' }],
      budget: 650,
      person: { gender: 'female', disability: 'learning disability', band: '45–54', zone: 'bury-east' },
      // CH 4,4,3: 32+24+18 = 74 → quality 60×74/100 = 44.4; price 40 (lowest) → total 84.4
      // BP 5,3,3: 40+18+18 = 76 → quality 45.6; price 40×525/546 = 38.4615… → total 84.0615…
      evaluation: evaluation('2026-01-16T12:00:00.000Z', [
        ['PKG-2026-0001:caring-hands', [4, 4, 3]],
        ['PKG-2026-0001:brightpath', [5, 3, 3]],
      ]),
      award: framework({ bidId: 'PKG-2026-0001:caring-hands', providerId: 'caring-hands', providerName: 'Caring Hands Ltd', price: 525, budget: 650, approvedAt: '2026-01-20T15:00:00.000Z', accepted: '2026-01-21T09:00:00.000Z', bids: 2, q: 44.4, total: 84.4 }),
    }),
    request({
      ref: 'PKG-2026-0002',
      submitted: '2026-01-10T09:00:00.000Z',
      published: '2026-01-12T09:00:00.000Z',
      closed: '2026-01-19T17:00:00.000Z',
      offers: [{ p: 'caring-hands' }, { p: 'brightpath', declined: 'outside our area' }],
      budget: 600,
      person: { gender: 'male', disability: 'autism', band: '25–34', zone: 'radcliffe' },
      // CH 3,3,3: 24+18+18 = 60 → quality 36; the only bid → price 40 → total 76
      evaluation: evaluation('2026-01-25T12:00:00.000Z', [['PKG-2026-0002:caring-hands', [3, 3, 3]]]),
      award: framework({ bidId: 'PKG-2026-0002:caring-hands', providerId: 'caring-hands', providerName: 'Caring Hands Ltd', price: 700, budget: 600, approvedAt: '2026-02-09T10:00:00.000Z', bids: 1, q: 36, total: 76 }),
    }),
    request({
      ref: 'PKG-2026-0003',
      submitted: '2026-02-01T12:00:00.000Z',
      published: '2026-02-02T09:00:00.000Z',
      closed: '2026-02-09T17:00:00.000Z',
      offers: [{ p: 'caring-hands' }, { p: 'brightpath' }, { p: 'signing-hands', declined: 'no capacity' }],
      budget: 500,
      person: { gender: 'female', disability: 'mental health', band: '65–74', zone: 'radcliffe' },
      award: { offContract: true, status: 'placed', providerName: OFF_CONTRACT_NAME, weeklyPrice: 480, budgetWeekly: 500, overBudget: false, bids: 0, reason: OFF_CONTRACT_REASON, recordedBy: 'a1e0f3b2-0001-4000-8000-000000000001', recordedAt: '2026-02-20T11:00:00.000Z' },
    }),
    request({
      ref: 'PKG-2026-0004',
      submitted: '2026-02-15T10:00:00.000Z',
      published: '2026-02-16T09:00:00.000Z',
      offers: [{ p: 'caring-hands' }, { p: 'brightpath' }],
      budget: 580,
      person: { gender: 'male', disability: 'physical disability', band: '18–24', zone: 'prestwich' },
    }),
    request({
      ref: 'PKG-2026-0005',
      submitted: '2026-03-01T10:00:00.000Z',
      published: '2026-03-02T09:00:00.000Z',
      offers: [{ p: 'caring-hands' }],
      person: { gender: 'female', disability: 'dementia', band: '85+', zone: 'bury-east' },
      state: 'cancelled',
      cancelledAt: '2026-03-05T10:00:00.000Z',
    }),
    request({
      ref: 'PKG-2026-0006',
      submitted: '2026-03-02T09:00:00.000Z',
      published: '2026-03-03T09:00:00.000Z',
      closed: '2026-03-10T17:00:00.000Z',
      offers: [{ p: 'caring-hands' }, { p: 'signing-hands' }],
      budget: 450,
      person: { gender: 'non-binary', disability: 'sensory impairment', band: '35–44', zone: 'prestwich' },
      // CH 2,2,0: a 0 → non-compliant; quality 60×(16+12+0)/100 = 16.8, no total
      // SH 4,5,4: 32+30+24 = 86 → quality 51.6; the only compliant → price 40 → total 91.6
      evaluation: evaluation('2026-03-20T12:00:00.000Z', [
        ['PKG-2026-0006:caring-hands', [2, 2, 0]],
        ['PKG-2026-0006:signing-hands', [4, 5, 4]],
      ]),
      // 23:30 GMT on 31 March is 00:30 BST on 1 April: a Q2 award in the UK.
      award: framework({ bidId: 'PKG-2026-0006:signing-hands', providerId: 'signing-hands', providerName: 'Signing Hands Homecare', price: 380, budget: 450, approvedAt: '2026-03-31T23:30:00.000Z', bids: 2, q: 51.6, total: 91.6 }),
    }),
    request({ ref: 'PKG-2026-0008', person: { gender: 'female', disability: 'autism', band: '25–34', zone: 'bury-east' } }),
    request({ ref: 'PKG-2026-0009', submitted: '2026-03-20T10:00:00.000Z', person: { gender: 'female', disability: 'autism', band: '25–34', zone: 'bury-east' } }),
  ];
  const bids: Bid[] = [
    bid('PKG-2025-0042', 'brightpath', 610, '2025-12-05T10:00:00.000Z'),
    bid('PKG-2026-0001', 'caring-hands', 525, '2026-01-08T10:00:00.000Z'),
    bid('PKG-2026-0001', 'brightpath', 546, '2026-01-09T10:00:00.000Z'),
    bid('PKG-2026-0002', 'caring-hands', 700, '2026-01-14T10:00:00.000Z'),
    bid('PKG-2026-0003', 'brightpath', 495, '2026-02-04T10:00:00.000Z', 'withdrawn'),
    bid('PKG-2026-0004', 'brightpath', 560, '2026-02-18T10:00:00.000Z'),
    bid('PKG-2026-0006', 'caring-hands', 400, '2026-03-05T10:00:00.000Z'),
    bid('PKG-2026-0006', 'signing-hands', 380, '2026-03-06T10:00:00.000Z'),
  ];
  return { requests, bids, providers: PROVIDERS, lots: LOTS, zones: ZONES, minHourlyRate: 12 };
}

export const Q1 = { from: '2026-01-01', to: '2026-03-31', label: 'Q1 2026' };

/** Writes the data set's requests and bids into a store (the award flow is not needed to report on awards). */
export async function seed(store: import('../../src/store/collections.js').BrokerageStore, data: ReportData = dataset()): Promise<void> {
  await store.transact({ actor: 'system:test', action: 'test.seed-reports' }, async (tx) => {
    for (const r of data.requests) tx.put('requests', r);
    for (const b of data.bids) tx.put('bids', b);
  });
}

/**
 * The request as the app saved it on the way to its final state: drafted, submitted, published,
 * reminded (no new moment), closed, then as it is now, two or three times (an acceptance, an edit:
 * no new moment). An index of report days must keep a request through all of it; the counts differ
 * so that an index that flips on each save loses some request whichever count it fails on.
 */
export function savedVersions(r: PackageRequest): PackageRequest[] {
  const draft: PackageRequest = { ...r, state: 'draft', submittedAt: undefined, calloff: undefined, choices: undefined, award: undefined, evaluation: undefined, cancelled: undefined };
  const out = [draft];
  if (r.submittedAt) out.push({ ...draft, state: 'submitted', submittedAt: r.submittedAt });
  if (r.calloff) {
    const open = { ...out.at(-1)!, state: 'open' as const, calloff: { ...r.calloff, closedAt: undefined } };
    out.push(open, { ...open, calloff: { ...open.calloff, remindersSent: ['24h'] } });
    if (r.calloff.closedAt) out.push({ ...open, state: 'closed', calloff: r.calloff });
  }
  out.push(r, r);
  if (!r.calloff) out.push(r);
  return out;
}

/** Writes the data set as the app would have: each request saved several times, one transaction a save, and each bid twice. */
export async function seedAsSaved(store: import('../../src/store/collections.js').BrokerageStore, data: ReportData = dataset()): Promise<void> {
  const as = { actor: 'system:test', action: 'test.seed-reports' };
  for (const r of data.requests) {
    for (const version of savedVersions(r)) await store.transact(as, async (tx) => tx.put('requests', version));
  }
  for (let i = 0; i < 2; i++) await store.transact(as, async (tx) => data.bids.forEach((b) => tx.put('bids', b)));
}
