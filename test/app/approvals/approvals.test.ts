import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { scan } from '../../helpers/scan.js';
import { importFramework } from '../../../src/app/framework/importFile.js';
import { openBrokerageLowdb } from '../../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { publishCallOff } from '../../../src/app/calloffs/publish.js';
import { submitBid } from '../../../src/app/calloffs/bids.js';
import { closeAtDeadline } from '../../../src/app/calloffs/deadline.js';
import { lockScores } from '../../../src/app/award/evaluation.js';
import { acceptAward, decideAward, recordChoice } from '../../../src/app/award/decision.js';
import { confirmStart } from '../../../src/app/agreements/start.js';
import { answerProviderChange, decideVariation, proposeVariation } from '../../../src/app/agreements/variations.js';
import { handBack } from '../../../src/app/agreements/handBack.js';
import { setScheme } from '../../../src/app/approvals/scheme.js';
import { endAbsence, recordAbsence } from '../../../src/app/approvals/absences.js';
import { approvalJobs } from '../../../src/app/approvals/chase.js';
import { myApprovals } from '../../../src/app/approvals/views.js';
import { rejects } from '../helpers.js';
import { bidId } from '../../../src/domain/calloff.js';
import { approvalId } from '../../../src/domain/approvals.js';
import type { User } from '../../../src/domain/framework.js';
import { PEOPLE } from '../../bot/turns.js';
import * as fx from '../../bot/fixtures.js';

const who = (p: keyof typeof PEOPLE) => ({ aadObjectId: PEOPLE[p].aadObjectId });
const id = (p: keyof typeof PEOPLE) => PEOPLE[p].aadObjectId;
/** The council's levels with a manager's weekly limit at £500, so the fixture's £525 a week needs a head of service. */
const LOW_LIMITS = { level1Name: 'Manager', level1Weekly: '500', level1Commitment: '100000', level2Name: 'Head of service', level2Yearly: '250000', level2Commitment: '500000', level3Name: 'Director', remindAfterHours: '16', escalateAfterHours: '24', bankHolidays: 'england-and-wales', closedDays: '' };

describe('app/approvals: decisions under the scheme of delegation (issue 23)', () => {
  let store: BrokerageStore;
  let dir: string;
  let now: Date;
  const approval = async (ref: string, n = 1, kind: 'award' | 'variation' | 'off-contract' = 'award') => (await store.get('approvals', approvalId(kind, ref, n)))!;
  const outbox = async (prefix: string) => (await scan(store, 'outbox')).filter((i) => i.id.startsWith(prefix));
  const users = (...list: User[]) => store.transact({ actor: 'test', action: 'test.users' }, async (tx) => list.forEach((u) => tx.put('users', u)));

  beforeEach(async () => {
    now = new Date('2026-11-22T10:00:00Z');
    dir = await mkdtemp(join(tmpdir(), 'approvals-test-'));
    store = await openBrokerageLowdb(dir);
    await importFramework(store, 'test', YAML.parse(await readFile('demo/framework.yaml', 'utf8')));
    await fx.registerChannels(store, now, 'caring-hands', 'brightpath');
    // Alex is broker, commissioner and manager; Jo is the head of service.
    await users({ id: id('alex'), name: 'Alex Morgan', roles: ['broker', 'commissioner', 'manager'] }, { id: id('jo'), name: 'Jo Visitor', roles: ['manager'], approvalLevel: 'head-of-service' });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Published by Alex, one bid from Caring Hands (£525 a week), chosen by Sam: the award waits for approval (Tuesday 1 December, 17:00). */
  async function chosen(): Promise<string> {
    const ref = await fx.submitted(store, now);
    await publishCallOff(store, who('alex'), ref, now);
    await submitBid(store, who('priya'), ref, fx.goodBid(), now);
    now = new Date('2026-12-01T17:00:01Z');
    await closeAtDeadline(store, ref, now);
    const label = (await store.get('requests', ref))!.evaluation!.bids[0].label;
    await lockScores(store, who('sam'), ref, label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, now);
    await recordChoice(store, who('sam'), ref, { bidId: bidId(ref, 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, now);
    return ref;
  }

  it('separation of duties: Alex published it, so though a manager he cannot approve it; the card goes to Morgan; the forgery is refused and audited', async () => {
    const ref = await chosen();
    const a = await approval(ref);
    assert.deepEqual(a.conflicts.map((c) => [c.name, c.why]), [['Sam Patel', "recorded the person's choice"], ['Alex Morgan', 'published the call-off']]);
    assert.deepEqual(a.routed.map((r) => r.name), ['Morgan Lee'], 'not Alex, though he holds the manager role');
    assert.equal((await outbox(`approval:${ref}:1:`)).length, 1);
    await rejects(decideAward(store, who('alex'), ref, { n: 1, outcome: 'approved' }, now), 'forbidden', /You cannot decide the award of PKG-\d{4}-\d{4} to Caring Hands Ltd: you published the call-off.*It is with Morgan Lee\./);
    const refused = await store.audit({ action: 'approvals.refused' });
    assert.deepEqual(refused.map((e) => [e.actor, (e.after as { reason?: string })?.reason]), [[id('alex'), 'separation of duties: published the call-off']], 'the refusal is audited');
    assert.deepEqual(await store.audit({ action: 'award.approve', collection: 'requests' }), [], 'and nothing written');
    assert.equal((await store.get('requests', ref))!.state, 'awaiting_approval', 'nothing changed');
    const { decision } = await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
    assert.deepEqual([decision.byName, decision.level, decision.forName], ['Morgan Lee', 'manager', undefined]);
    assert.deepEqual([(await approval(ref)).status, (await approval(ref)).decidedLevel], ['approved', 'manager']);
    assert.equal((await scan(store, 'jobs')).some((j) => j.id.startsWith('approval-chase:')), false, 'no reminder left for a decided approval');
  });

  it('approval limits: with a manager limited to £500 a week the award needs a head of service; the change of levels is audited; Morgan is refused', async () => {
    await rejects(setScheme(store, who('morgan'), LOW_LIMITS), 'forbidden', /role doesn't allow/);
    await rejects(setScheme(store, who('alex'), { ...LOW_LIMITS, level1Weekly: 'lots' }), 'invalid', /the weekly limit must be a number of pounds/);
    await rejects(setScheme(store, who('alex'), { ...LOW_LIMITS, level3Yearly: '900000' }), 'invalid', /the top level \(Director\) decides whatever is above the others/);
    await setScheme(store, who('alex'), LOW_LIMITS);
    const changes = await store.audit({ collection: 'approvalSchemes' });
    assert.deepEqual(changes.map((e) => [e.actor, (e.after as { levels: { weeklyLimit?: number }[] }).levels[0].weeklyLimit]), [[id('alex'), 500]]);
    const ref = await chosen();
    const a = await approval(ref);
    assert.deepEqual([a.levelNeeded, a.levelWhy, a.routed.map((r) => r.name)], ['head-of-service', ["£525.00 a week is above Manager's £500.00 a week"], ['Jo Visitor']]);
    await rejects(decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now), 'forbidden', /needs Head of service or above \(£525\.00 a week is above Manager's £500\.00 a week\); you approve at Manager level\. It is with Jo Visitor\./);
    const { decision } = await decideAward(store, who('jo'), ref, { n: 1, outcome: 'approved' }, now);
    assert.equal(decision.level, 'head-of-service');
  });

  it('delegation: Morgan is away with Jo as delegate; the card goes to Jo, Morgan is told, and the decision reads "by Jo for Morgan"; then the absence ends by itself', async () => {
    await rejects(recordAbsence(store, who('morgan'), { from: '2026-11-30', to: '2026-11-20', delegate: id('jo') }, now), 'invalid', /last day must be on or after the first day/);
    await rejects(recordAbsence(store, who('morgan'), { from: '2026-11-30', to: '2026-12-04', delegate: id('sam') }, now), 'invalid', /choose an approver from the list/);
    await users({ id: id('tom'), name: 'Tom Junior', roles: ['manager'] });
    await recordAbsence(store, who('morgan'), { from: '2026-11-30', to: '2026-12-04', delegate: id('jo') }, now);
    assert.equal((await outbox(`absence:${id('morgan')}:2026-11-30:${id('jo')}`)).length, 1, 'Jo is told');
    const ref = await chosen();
    const a = await approval(ref);
    assert.deepEqual(a.routed.map((r) => [r.name, r.via, r.forName]), [['Jo Visitor', 'delegate', 'Morgan Lee'], ['Tom Junior', 'level', undefined]]);
    assert.equal((await outbox(`approval-delegated:${a.id}:${id('morgan')}`)).length, 1, 'Morgan is told where it went');
    const { decision } = await decideAward(store, who('jo'), ref, { n: 1, outcome: 'approved' }, now);
    assert.deepEqual([decision.byName, decision.forName], ['Jo Visitor', 'Morgan Lee']);
    assert.deepEqual([(await approval(ref)).decidedByName, (await approval(ref)).decidedForName], ['Jo Visitor', 'Morgan Lee']);
    // The week after: Morgan is back without doing anything.
    now = new Date('2026-12-07T10:00:00Z');
    const next = await fx.submitted(store, now);
    await publishCallOff(store, who('alex'), next, now);
    await submitBid(store, who('priya'), next, fx.goodBid({}, now), now);
    now = new Date('2026-12-16T17:00:01Z');
    await closeAtDeadline(store, next, now);
    await lockScores(store, who('sam'), next, (await store.get('requests', next))!.evaluation!.bids[0].label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, now);
    await recordChoice(store, who('sam'), next, { bidId: bidId(next, 'caring-hands'), tookPart: 'person', personWords: 'Them again.', reason: '' }, now);
    assert.deepEqual((await approval(next)).routed.map((r) => [r.name, r.via]), [['Morgan Lee', 'level'], ['Tom Junior', 'level']]);
  });

  it('an absence can be ended early, only by its owner; a delegate below your level is refused', async () => {
    await rejects(recordAbsence(store, who('jo'), { from: '2026-11-23', to: '2026-11-27', delegate: id('morgan') }, now), 'invalid', /Morgan Lee approves at Manager level, below yours \(Head of service\)/);
    const { absence } = await recordAbsence(store, who('morgan'), { from: '2026-11-22', to: '2026-11-27', delegate: id('jo') }, now);
    await rejects(endAbsence(store, who('jo'), absence.id, now), 'forbidden', /not your absence/);
    await endAbsence(store, who('morgan'), absence.id, now);
    const ref = await chosen();
    assert.deepEqual((await approval(ref)).routed.map((r) => r.name), ['Morgan Lee']);
  });

  it('unanswered: after 16 working hours the approvers are reminded, after 24 it goes to the head of service; Sam and Alex see where it waits, with ages', async () => {
    const ref = await chosen(); // Tuesday 1 December 17:00:01, after hours: the clock starts Wednesday 09:00
    const jobs = approvalJobs(store, () => now);
    const job = async () => (await scan(store, 'jobs')).find((j) => j.id === `approval-chase:${approvalId('award', ref, 1)}`)!;
    assert.equal((await job()).at, '2026-12-03T17:00:00.000Z', 'two working days: Wednesday and Thursday');
    now = new Date((await job()).at);
    await jobs['approval.chase'](await job());
    assert.equal((await outbox(`approval-reminder:${approvalId('award', ref, 1)}:1:${id('morgan')}`)).length, 1);
    assert.equal((await job()).at, '2026-12-04T17:00:00.000Z', 'a working day later it escalates');
    now = new Date((await job()).at);
    await jobs['approval.chase'](await job());
    const a = await approval(ref);
    assert.deepEqual([a.level, a.escalations.length, a.routed.map((r) => [r.name, r.via])], ['head-of-service', 1, [['Morgan Lee', 'level'], ['Jo Visitor', 'escalation']]]);
    assert.equal((await outbox(`approval:${ref}:1:${id('jo')}`)).length, 1, 'Jo gets the approval card');
    // Sam and Alex, who wait on it, and Morgan, who had it, hear where it went; Jo has the card.
    assert.deepEqual((await outbox(`approval-escalated:${a.id}:1:`)).map((i) => (i.target as { userId: string }).userId).sort(), [id('alex'), id('morgan'), id('sam')].sort());
    now = new Date('2026-12-07T11:00:00Z'); // Monday 11:00: 2 more working hours
    const sam = await myApprovals(store, who('sam'), now);
    assert.deepEqual(sam.waitingOn.map((i) => [i.approval.ref, i.hours, i.why]), [[ref, 26, "you recorded the person's choice"]]);
    assert.match(sam.waitingOn[0].note.waiting!, /^Waiting 3 working days 2 h \(since Tue, 1 Dec 2026, 17:00\) at Head of service level$/);
    assert.deepEqual((await myApprovals(store, who('jo'), now)).forMe.map((i) => i.why), ['escalated to you']);
    assert.deepEqual((await myApprovals(store, who('morgan'), now)).forMe.map((i) => i.why), ['sent to you']);
    // Morgan may still decide it (the amount is within a manager's limits).
    await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
    assert.deepEqual((await myApprovals(store, who('jo'), now)).forMe, []);
  });

  it('a chase for a call-off cancelled meanwhile lapses it and updates the cards', async () => {
    const ref = await chosen();
    await store.transact({ actor: 'test', action: 'test.cancel' }, async (tx) => tx.put('requests', { ...(await tx.get('requests', ref))!, state: 'cancelled' }));
    const job = (await scan(store, 'jobs')).find((j) => j.kind === 'approval.chase')!;
    await approvalJobs(store, () => now)['approval.chase'](job);
    assert.equal((await approval(ref)).status, 'lapsed');
    assert.equal((await outbox(`approval:${ref}:1:${id('morgan')}:decided`)).length, 1);
  });

  describe('a provider cannot cut care on its own', () => {
    let ref: string;
    beforeEach(async () => {
      ref = await chosen();
      await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
      await acceptAward(store, who('priya'), ref, now);
      await confirmStart(store, who('priya'), ref, { startDate: '2026-12-14' }, now);
      now = new Date('2026-12-15T10:00:00Z');
    });

    it('fewer hours wait for the social worker or a broker; a manager cannot approve it first; declined with a reason, the terms stand', async () => {
      const cut = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 14 @ 25', effectiveFrom: '2026-12-21', reason: 'We cannot staff the evenings any more.' }, now);
      assert.equal(cut.variation.status, 'awaiting_agreement');
      assert.deepEqual((await outbox(`agr-variation-consent:${ref}:1:`)).map((i) => (i.target as { userId: string }).userId).sort(), [id('alex'), id('sam')].sort());
      assert.equal((await store.get('agreements', `AGR-${ref}`))!.versions.at(-1)!.hoursPerWeek, 21, 'nothing applies yet');
      await rejects(decideVariation(store, who('morgan'), ref, 1, 'approved', '', now), 'conflict', /waiting for the social worker's or a broker's agreement/);
      await rejects(answerProviderChange(store, who('priya'), ref, 1, 'agreed', '', now), 'forbidden', /role doesn't allow/);
      await rejects(answerProviderChange(store, who('sam'), ref, 1, 'declined', '', now), 'invalid', /say why the council does not agree/);
      const no = await answerProviderChange(store, who('sam'), ref, 1, 'declined', 'The person needs the evening calls.', now);
      assert.deepEqual([no.variation.status, no.variation.agreedByName], ['rejected', 'Sam Patel']);
      assert.equal((await outbox(`agr-variation-outcome:${ref}:1`)).length, 1, 'the provider is told');
      assert.equal((await outbox(`agr-variation-consent:${ref}:1:${id('sam')}:answered`)).length, 1);
    });

    it('ending early also waits; agreed, it applies', async () => {
      const end = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 21 @ 25', effectiveFrom: '2026-12-21', endDate: '2027-01-31', reason: 'We are closing this branch.' }, now);
      assert.equal(end.variation.status, 'awaiting_agreement');
      assert.match(end.variation.approvalReasons.join(), /^$/);
      const yes = await answerProviderChange(store, who('alex'), ref, 1, 'agreed', '', now);
      assert.equal(yes.variation.status, 'applied');
      assert.equal((await store.get('agreements', `AGR-${ref}`))!.versions.at(-1)!.endDate, '2027-01-31');
    });

    it('a rise the council proposes goes to the level its amount needs; the proposer and the owner cannot approve it', async () => {
      await setScheme(store, who('alex'), LOW_LIMITS);
      const rise = await proposeVariation(store, who('alex'), ref, { elements: 'Support: 22 @ 25', effectiveFrom: '2026-12-21', reason: 'One more hour for shopping.' }, now);
      assert.equal(rise.variation.status, 'awaiting_approval', '£25 is under the £50 threshold, but £550 is above a manager’s £500');
      assert.match(rise.variation.approvalReasons.join(), /it needs Head of service approval \(£550\.00 a week is above Manager's £500\.00 a week\)/);
      const a = await approval(ref, 1, 'variation');
      assert.deepEqual(a.conflicts.map((c) => c.name), ['Alex Morgan', 'Sam Patel']);
      await rejects(decideVariation(store, who('alex'), ref, 1, 'approved', '', now), 'forbidden', /you proposed the variation/);
      const done = await decideVariation(store, who('jo'), ref, 1, 'approved', '', now);
      assert.equal(done.variation.status, 'approved');
    });

    it("a hand-back gives the contract's notice (28 days by default), and the brokers are told at once", async () => {
      await rejects(handBack(store, who('priya'), ref, { on: '2026-12-31', reason: 'We can no longer staff the package.' }, now), 'invalid', /the contract gives the council 28 days' notice of a hand-back: the last day can be no earlier than Tue, 12 Jan 2027/);
      await handBack(store, who('priya'), ref, { on: '2027-01-12', reason: 'We can no longer staff the package.' }, now);
      assert.deepEqual((await outbox(`agr-handover:${ref}:`)).map((i) => (i.target as { userId: string }).userId).sort(), [id('alex'), id('sam')].sort());
    });
  });
});
