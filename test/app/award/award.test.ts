import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { importFramework } from '../../../src/app/framework/importFile.js';
import { openBrokerageLowdb } from '../../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { publishCallOff } from '../../../src/app/calloffs/publish.js';
import { submitBid, withdrawBid } from '../../../src/app/calloffs/bids.js';
import { closeAtDeadline } from '../../../src/app/calloffs/deadline.js';
import { cancelRequest } from '../../../src/app/requests/requests.js';
import { lockScores, evaluationOverview } from '../../../src/app/award/evaluation.js';
import { acceptAward, decideAward, declineAward, recordChoice } from '../../../src/app/award/decision.js';
import { decidePlacement, recordOffContract, runCascade } from '../../../src/app/award/cascade.js';
import { rankingOf } from '../../../src/app/award/shared.js';
import type { OpenCallOff } from '../../../src/app/calloffs/access.js';
import { rejects } from '../helpers.js';
import { bidId } from '../../../src/domain/calloff.js';
import { PEOPLE } from '../../bot/turns.js';
import * as fx from '../../bot/fixtures.js';

const who = (p: keyof typeof PEOPLE) => ({ aadObjectId: PEOPLE[p].aadObjectId });
const SOPHIE = { aadObjectId: 'a1e0f3b2-0007-4000-8000-000000000007' };
/** Who took part and the person's words: the choice is not recorded without them. */
const SAID = { tookPart: ['person'], personWords: 'I want the ones who came to see me.' };

describe('award use cases: each transition and each refusal', () => {
  let store: BrokerageStore;
  let dir: string;
  let now: Date;
  const get = async (ref: string) => (await store.get('requests', ref)) as OpenCallOff;
  const labelOf = async (ref: string, providerId: string) => (await get(ref)).evaluation!.bids.find((b) => b.bidId === bidId(ref, providerId))!.label;

  beforeEach(async () => {
    now = new Date('2026-11-22T10:00:00Z');
    dir = await mkdtemp(join(tmpdir(), 'award-test-'));
    store = await openBrokerageLowdb(dir);
    await importFramework(store, 'test', YAML.parse(await readFile('demo/framework.yaml', 'utf8')));
    await fx.registerChannels(store, now, 'caring-hands', 'brightpath', 'signing-hands');
    await store.transact({ actor: 'test', action: 'test.users' }, async (tx) => tx.put('users', { id: SOPHIE.aadObjectId, name: 'Sophie Grant', roles: ['provider'], providerId: 'signing-hands' }));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Three bids: Caring Hands £525, BrightPath £504, Signing Hands £480 (withdrawn or not). */
  async function closed(opts: { withdrawSophie?: boolean; over?: Record<string, string> } = {}): Promise<string> {
    const ref = await fx.submitted(store, now, opts.over);
    await publishCallOff(store, who('alex'), ref, now);
    await submitBid(store, who('priya'), ref, fx.goodBid(), now);
    await submitBid(store, who('tom'), ref, fx.goodBid({ weeklyPrice: '504', hourlyRate: '24' }), now);
    await submitBid(store, SOPHIE, ref, fx.goodBid({ weeklyPrice: '420', hourlyRate: '20' }), now);
    if (opts.withdrawSophie) await withdrawBid(store, SOPHIE, ref, now);
    now = new Date('2026-12-01T17:00:01Z');
    await closeAtDeadline(store, ref, now);
    return ref;
  }

  async function lockAll(ref: string, s: Record<string, [number, number, string?]>) {
    for (const [providerId, [q1, q2, needs]] of Object.entries(s)) {
      const r = await lockScores(store, who('sam'), ref, await labelOf(ref, providerId), { s_q1: String(q1), s_q2: String(q2), meetsNeeds: needs ?? 'yes', needsNote: needs === 'no' ? 'Cannot do the day-centre escorts.' : '' }, now);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    }
  }

  it('closed → evaluation of every active bid (withdrawn ones are not evaluated)', async () => {
    const ref = await closed({ withdrawSophie: true });
    const r = await get(ref);
    assert.equal(r.state, 'closed');
    assert.deepEqual(r.evaluation!.bids.map((b) => b.bidId).sort(), [bidId(ref, 'brightpath'), bidId(ref, 'caring-hands')]);
    assert.deepEqual(r.evaluation!.bids.map((b) => b.label).sort(), ['A', 'B']);
    await rejects(evaluationOverview(store, who('morgan'), ref), 'forbidden', /role doesn't allow/);
  });

  it('a score outside 0–5 changes nothing; locking every bid reveals prices (closed → evaluated)', async () => {
    const ref = await closed();
    const label = await labelOf(ref, 'caring-hands');
    const before = await get(ref);
    for (const bad of ['-1', '6', 'x', '']) {
      const r = await lockScores(store, who('sam'), ref, label, { s_q1: bad, s_q2: '3', meetsNeeds: 'yes' }, now);
      assert.ok(!r.ok && r.errors.s_q1, `"${bad}" refused`);
    }
    assert.deepEqual(await get(ref), before, 'nothing changed');
    await lockAll(ref, { 'caring-hands': [4, 4], brightpath: [4, 3] });
    assert.equal((await get(ref)).state, 'closed', 'one still to lock');
    await lockAll(ref, { 'signing-hands': [3, 0] });
    const r = await get(ref);
    assert.equal(r.state, 'evaluated');
    const ranking = (await rankingOf(store, r))!;
    assert.deepEqual(
      ranking.rows.map((x) => [x.bidId.split(':')[1], x.rank]),
      [
        ['caring-hands', 1],
        ['brightpath', 2],
        ['signing-hands', undefined],
      ],
    );
    // Signing Hands (£420) scored 0 on q2: non-compliant, so £504 is the lowest compliant price.
    assert.equal(ranking.lowestCompliantPrice, 504);
    assert.equal(ranking.rowsById.get(bidId(ref, 'signing-hands'))!.flags.unsustainable, true, '£20/h is below the £21.50 floor');
  });

  it('refuses a non-compliant, withdrawn or unknown choice; nothing changes; a repeat has its effect once', async () => {
    const ref = await closed({ withdrawSophie: true });
    await lockAll(ref, { 'caring-hands': [4, 4], brightpath: [4, 3, 'no'] });
    const before = await get(ref);
    await rejects(recordChoice(store, who('sam'), ref, { ...SAID, bidId: bidId(ref, 'brightpath'), reason: 'She liked them best of all.' }, now), 'invalid', /non-compliant .*does not meet the person's needs/);
    await rejects(recordChoice(store, who('sam'), ref, { ...SAID, bidId: bidId(ref, 'signing-hands'), reason: 'Cheapest of them all, by far.' }, now), 'invalid', /not a bid on this call-off|withdrawn/);
    await rejects(recordChoice(store, who('sam'), ref, { ...SAID, bidId: '', reason: '' }, now), 'invalid', /choose the bid/);
    assert.deepEqual(await get(ref), before);
    const { choice } = await recordChoice(store, who('sam'), ref, { ...SAID, bidId: bidId(ref, 'caring-hands'), reason: '' }, now);
    assert.equal(choice.n, 1);
    const again = await recordChoice(store, who('sam'), ref, { ...SAID, bidId: bidId(ref, 'caring-hands'), reason: '' }, now);
    assert.equal(again.unchanged, true, 'a repeat has its effect once');
    assert.equal((await get(ref)).choices?.length, 1);
  });

  it('only the owner or a broker records the choice', async () => {
    const ref = await closed({ withdrawSophie: true });
    await lockAll(ref, { 'caring-hands': [4, 4], brightpath: [4, 3] });
    await store.transact({ actor: 'test', action: 'test.users' }, async (tx) => tx.put('users', { id: 'a1e0f3b2-0009-4000-8000-000000000009', name: 'Other Worker', roles: ['social_worker'] }));
    await rejects(recordChoice(store, { aadObjectId: 'a1e0f3b2-0009-4000-8000-000000000009' }, ref, { ...SAID, bidId: bidId(ref, 'caring-hands'), reason: '' }, now), 'forbidden', /Sam Patel's request/);
    await recordChoice(store, who('alex'), ref, { ...SAID, bidId: bidId(ref, 'caring-hands'), reason: '' }, now);
    assert.equal((await get(ref)).state, 'awaiting_approval');
  });

  it('approval: managers only, once per choice, stale cards refused, and nothing after a cancellation', async () => {
    const ref = await closed({ withdrawSophie: true });
    await lockAll(ref, { 'caring-hands': [4, 4], brightpath: [4, 3] });
    await recordChoice(store, who('sam'), ref, { ...SAID, bidId: bidId(ref, 'caring-hands'), reason: '' }, now);
    await rejects(decideAward(store, who('alex'), ref, { n: 1, outcome: 'approved' }, now), 'forbidden', /award decide/);
    await rejects(decideAward(store, who('morgan'), ref, { n: 2, outcome: 'approved' }, now), 'conflict', /out of date/);
    await rejects(decideAward(store, who('morgan'), ref, { n: 1, outcome: 'rejected', reason: ' ' }, now), 'invalid', /say why/);
    assert.equal((await get(ref)).state, 'awaiting_approval');
    await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'rejected', reason: 'Needs a second quote' }, now);
    await rejects(decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now), 'conflict', /already rejected/);
    assert.equal((await get(ref)).state, 'evaluated');

    await recordChoice(store, who('sam'), ref, { ...SAID, bidId: bidId(ref, 'caring-hands'), reason: '' }, now);
    await cancelRequest(store, who('sam'), ref, 'Person moved to residential care', now);
    await rejects(decideAward(store, who('morgan'), ref, { n: 2, outcome: 'approved' }, now), 'conflict', /cancelled/);
  });

  it('awarded → accepted only by the winner; decline → evaluated without the bid, re-ranked', async () => {
    const ref = await closed({ withdrawSophie: true });
    await lockAll(ref, { 'caring-hands': [4, 4], brightpath: [4, 3] });
    await recordChoice(store, who('sam'), ref, { ...SAID, bidId: bidId(ref, 'caring-hands'), reason: '' }, now);
    await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
    let r = await get(ref);
    assert.deepEqual([r.state, r.award?.status, r.award?.providerName, r.award?.weeklyPrice, r.award?.offContract], ['awarded', 'offered', 'Caring Hands Ltd', 525, false]);
    assert.equal(r.award?.total?.toFixed(2), '86.40');
    await rejects(acceptAward(store, who('tom'), ref, now), 'forbidden', /not been awarded to your organisation/);
    await rejects(acceptAward(store, SOPHIE, ref, now), 'forbidden', /not been awarded/);
    await declineAward(store, who('priya'), ref, 'No capacity after all', now);
    r = await get(ref);
    assert.equal(r.state, 'evaluated');
    const ranking = (await rankingOf(store, r))!;
    assert.deepEqual(
      ranking.rows.map((x) => [x.bidId, x.rank, x.priceScore]),
      [[bidId(ref, 'brightpath'), 1, 40]],
    );
    await rejects(acceptAward(store, who('priya'), ref, now), 'conflict', /declined the award/);
  });

  it('cascade: refused while bids are being evaluated or compliant bids remain; off-contract only after the round', async () => {
    const ref = await closed({ withdrawSophie: true });
    await rejects(runCascade(store, who('alex'), ref, { date: '2026-12-08', time: '12:00' }, now), 'conflict', /bids being evaluated/);
    await lockAll(ref, { 'caring-hands': [4, 4], brightpath: [4, 3] });
    await rejects(runCascade(store, who('alex'), ref, { date: '2026-12-08', time: '12:00' }, now), 'conflict', /compliant bids to choose from/);
    await rejects(recordOffContract(store, who('alex'), ref, { providerName: 'Acme', weeklyPrice: '600', reason: 'Because nobody else can.' }, now), 'conflict', /compliant bids/);
    await rejects(recordOffContract(store, who('sam'), ref, { providerName: 'Acme', weeklyPrice: '600', reason: 'Because nobody else can.' }, now), 'forbidden', /role/);
  });

  it('no neighbouring provider: the cascade goes straight to an off-contract placement', async () => {
    // Bury East's neighbours have no learning-disability provider that was not offered it already.
    const ref = await fx.submitted(store, now);
    await publishCallOff(store, who('alex'), ref, now);
    now = new Date('2026-12-01T17:00:01Z');
    await closeAtDeadline(store, ref, now);
    const r = await get(ref);
    assert.equal(r.cascadeOffer?.next, 'off-contract');
    await rejects(runCascade(store, who('alex'), ref, { date: '2026-12-08', time: '12:00' }, now), 'conflict', /No provider in the neighbouring zones/);
    await recordOffContract(store, who('alex'), ref, { providerName: 'Acme Care', weeklyPrice: '600', reason: 'Nobody on the framework can cover it.' }, now);
    assert.equal((await get(ref)).state, 'closed', 'the placement waits for an approver (issue 23)');
    await decidePlacement(store, who('morgan'), ref, 1, 'approved', '', now);
    const placed = await get(ref);
    assert.deepEqual([placed.state, placed.award?.offContract, placed.award?.overBudget, placed.award?.bids], ['awarded', true, false, 0]);
    const audit = (await store.audit()).filter((e) => e.action === 'award.off-contract.approve' && e.collection === 'requests');
    assert.equal(audit.length, 1);
    assert.equal((audit[0].before as OpenCallOff).state, 'closed');
    assert.equal((audit[0].after as OpenCallOff).state, 'awarded');
  });

  it('every transition is in the audit log with who, before and after', async () => {
    const ref = await closed({ withdrawSophie: true });
    await lockAll(ref, { 'caring-hands': [4, 4], brightpath: [4, 3] });
    await recordChoice(store, who('sam'), ref, { ...SAID, bidId: bidId(ref, 'caring-hands'), reason: '' }, now);
    await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
    await acceptAward(store, who('priya'), ref, now);
    const trail = ((await store.audit()).filter((e) => e.collection === 'requests' && e.id === ref)).map((e) => [e.action, e.actor, (e.before as OpenCallOff | null)?.state, (e.after as OpenCallOff).state]);
    const tail = trail.slice(-6);
    assert.deepEqual(tail, [
      ['calloffs.close', 'system:scheduler', 'open', 'closed'],
      ['evaluation.lock', PEOPLE.sam.aadObjectId, 'closed', 'closed'],
      ['evaluation.lock', PEOPLE.sam.aadObjectId, 'closed', 'evaluated'],
      ['award.choose', PEOPLE.sam.aadObjectId, 'evaluated', 'awaiting_approval'],
      ['award.approve', PEOPLE.morgan.aadObjectId, 'awaiting_approval', 'awarded'],
      ['award.accept', PEOPLE.priya.aadObjectId, 'awarded', 'awarded'],
    ]);
  });
});
