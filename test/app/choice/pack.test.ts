import assert from 'node:assert/strict';
import { choicePackContent } from '../../../src/app/choice/pack.js';
import { rankingFrom } from '../../../src/app/award/shared.js';
import type { OpenCallOff } from '../../../src/app/calloffs/access.js';
import type { Bid, BidInput } from '../../../src/domain/calloff.js';

const REF = 'PKG-2026-0042';
const questions = [
  { id: 'q1', text: 'How will you keep a consistent, trained team?', weight: 50 },
  { id: 'q2', text: 'Can my carers take me swimming on Thursdays?', weight: 50, byPerson: true, criterion: 'Says who would go and that they would go every week.' },
];

function bid(providerId: string, over: Partial<BidInput>): Bid {
  const v = { weeklyPrice: 500, hourlyRate: 25, hoursPerWeek: 20, earliestStart: '2027-01-04', supportPlan: `${providerId}'s plan: a small team that knows her.`, answers: { q1: `${providerId} on teams`, q2: `${providerId} on swimming` }, meetsCarerGender: 'yes' as const, meetsLanguage: 'yes' as const, priceNote: '', ...over };
  return { id: `${REF}:${providerId}`, ref: REF, providerId, status: 'active', versions: [{ ...v, version: 1, at: '2026-12-01T09:00:00Z', by: 'u' }], submittedAt: '2026-12-01T09:00:00Z' };
}

/** Three bids: Zest (under budget, top-ranked), Acorn (a top-up of 10p), and Moss, which the social worker said does not meet her needs. */
function revealed() {
  const bids = [bid('zest', { weeklyPrice: 480 }), bid('acorn', { weeklyPrice: 600.1, supportPlan: 'Acorn: we would\u202E swap\u0007 staff rarely.' }), bid('moss', { weeklyPrice: 450 })];
  const scores: Record<string, [number, number, boolean]> = { zest: [5, 5, true], acorn: [3, 4, true], moss: [5, 5, false] };
  const r = {
    id: REF,
    state: 'evaluated',
    owner: 'sam',
    ownerName: 'Sam Patel',
    person: { name: 'Nadia Rahman', caseRef: 'LAS-1', dateOfBirth: '1990-01-01', address: '1 A Street', postcode: 'BL9 0EJ', zone: 'bury-east', gender: 'female', disabilityCategory: 'autism' },
    package: { lots: ['autism'], needsSummary: '', outcomes: '', hoursPerWeek: 20, visitPattern: '', startDate: '2027-01-04', carerGender: 'female', languageNeeds: 'Bengali speaker', budgetWeekly: 600, showBudget: false, mode: 'competition', costWeight: 40, qualityWeight: 60, questions, deadlineDate: '2026-12-01', deadlineTime: '12:00', deadline: '' },
    calloff: { offers: [] },
    evaluation: { round: 1, startedAt: '', revealedAt: '2026-12-02T10:00:00Z', excluded: [], bids: bids.map((b, i) => ({ bidId: b.id, label: 'ABC'[i], version: 1, scores: { q1: scores[b.providerId][0], q2: scores[b.providerId][1] }, meetsNeeds: scores[b.providerId][2], lockedAt: 'x' })) },
  } as unknown as OpenCallOff;
  const ranking = rankingFrom(r, new Map(bids.map((b) => [b.id, b])), 21.5)!;
  const names = new Map([['zest', 'Zest Care'], ['acorn', 'Acorn Homecare'], ['moss', 'Moss Lane Support']]);
  return { r, ranking, pack: choicePackContent(r, ranking, names, 'Sam Patel', new Date('2026-12-02T11:00:00Z')) };
}

describe('what goes into the choice pack', () => {
  it('holds only the offers that meet the person’s needs, alphabetically, whatever their rank', () => {
    const { ranking, pack } = revealed();
    assert.equal(ranking.rows[0].bidId, `${REF}:zest`, 'Zest is ranked first');
    assert.deepEqual(pack.offers.map((o) => o.providerName), ['Acorn Homecare', 'Zest Care']);
    assert.ok(!JSON.stringify(pack).includes('Moss'), 'the offer that does not meet her needs is left out');
  });

  it('shows each offer’s own price against the budget, with the top-up to the penny', () => {
    const { pack } = revealed();
    const [acorn, zest] = pack.offers;
    assert.deepEqual([acorn.weeklyPrice, acorn.budgetWeekly, acorn.topUp], [600.1, 600, 0.1]);
    assert.deepEqual([zest.weeklyPrice, zest.budgetWeekly, zest.topUp], [480, 600, 0]);
  });

  it('carries no score, rank or other provider’s anything on an offer', () => {
    const { ranking, pack } = revealed();
    const json = JSON.stringify(pack);
    for (const key of ['total', 'qualityScore', 'priceScore', 'rank', 'flags', 'compliant']) assert.ok(!json.includes(`"${key}"`), key);
    for (const row of ranking.rows) for (const n of [row.total, row.qualityScore, row.priceScore]) if (n !== undefined) assert.ok(!new RegExp(`[:,\\[]${n}[,}\\]]`).test(json) && !json.includes(n.toFixed(2)), `score ${n}`);
    const [acorn, zest] = pack.offers;
    assert.ok(!JSON.stringify(acorn).match(/zest|480/i), 'Acorn’s page says nothing of Zest');
    assert.ok(!JSON.stringify(zest).match(/acorn|600\.1/i), 'Zest’s page says nothing of Acorn');
  });

  it('answers only the person’s own questions, in the provider’s words, cleaned of control characters', () => {
    const { pack } = revealed();
    assert.deepEqual(pack.questions, [{ text: questions[1].text, criterion: questions[1].criterion }]);
    assert.deepEqual(pack.offers[1].answers, [{ question: questions[1].text, criterion: questions[1].criterion, answer: 'zest on swimming' }]);
    assert.equal(pack.offers[0].supportPlan, 'Acorn: we would swap staff rarely.');
    assert.deepEqual(pack.offers[0].carerGender, { wanted: 'female', meets: true });
    assert.deepEqual(pack.offers[0].language, { needs: 'Bengali speaker', meets: true });
    assert.equal(pack.personName, 'Nadia Rahman');
  });
});
