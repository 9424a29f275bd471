/**
 * Decisions under the scheme of delegation (issue 23), through the Agents Playground. Alex is a
 * broker, commissioner and manager; Morgan a manager; Jo the head of service. Four call-offs with
 * one bid each (Caring Hands, £525 a week) are seeded through the use cases up to the person's
 * choice; every decision from there is taken from the cards and commands in Teams:
 *  1. separation of duties: Alex published the call-off, so the card goes to Morgan and names why
 *     Alex cannot; Alex's forged approval is refused and audited;
 *  2. delegation: Morgan is out of office with Jo as delegate; the award goes to Jo, Morgan is told,
 *     and the card reads "Approved by Jo Visitor for Morgan Lee"; the absence ends by itself;
 *  3. unanswered: a reminder after 16 working hours, escalation to Jo after 24; Sam's `approvals`
 *     shows where it waits and how long;
 *  4. approval limits: Alex lowers a manager's weekly limit to £500 on the levels card (a bad value
 *     first); the next award needs the head of service and Morgan's forged approval is refused;
 *  5. a provider's cut waits for the social worker, who declines it; a hand-back gives the notice
 *     and the brokers hear at once;
 *  6. the headline report shows the approvals, and its CSV downloads.
 */
import assert from 'node:assert/strict';
import { cardInputs, cardProblems, cardText, messageText, openChats, startHarness, threadOf, walkCard, withDemoChannels, type Harness } from './harness.js';
import * as fx from '../bot/fixtures.js';
import { PEOPLE } from '../bot/turns.js';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { submitBid } from '../../src/app/calloffs/bids.js';
import { lockScores } from '../../src/app/award/evaluation.js';
import { recordChoice } from '../../src/app/award/decision.js';
import { bidId } from '../../src/domain/calloff.js';

describe('e2e: approvals under the scheme of delegation (bot + Agents Playground)', function () {
  let h: Harness;
  let clock = new Date('2026-11-22T10:00:00Z');
  let sam: string;
  let morgan: string;
  let jo: string;
  const refs: string[] = [];
  const as = (p: keyof typeof PEOPLE) => ({ aadObjectId: PEOPLE[p].aadObjectId });
  const at = async (iso: string) => {
    clock = new Date(iso);
    await h.server.runtime.scheduler.runDue();
  };
  /** Sam records the person's choice of Caring Hands for call-off i: the award goes for approval. */
  const choose = async (i: number) => {
    await recordChoice(h.server.store, as('sam'), refs[i], { bidId: bidId(refs[i], 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, clock);
    h.server.runtime.changed();
  };
  const approvalCard = (chat: string, i: number) => h.nextReply(chat, { match: new RegExp(`Approve the award of ${refs[i]}`) });

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'test/e2e/fixtures/approvals-framework.yaml', now: () => clock });
    await withDemoChannels(h);
    [sam, morgan, jo] = await openChats(h, 'user-sam', 'user-morgan', 'user-jo');
    const store = h.server.store;
    for (let i = 0; i < 4; i++) {
      refs.push(await fx.submitted(store, clock));
      await publishCallOff(store, as('alex'), refs[i], clock);
      await submitBid(store, as('priya'), refs[i], fx.goodBid(), clock);
    }
    await at('2026-12-01T17:00:01Z'); // Tuesday: all four close
    for (const ref of refs) await lockScores(store, as('sam'), ref, (await store.get('requests', ref))!.evaluation!.bids[0].label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, clock);
    h.server.runtime.changed();
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  it('1. separation of duties: the card goes to Morgan and says Alex published it; Alex’s forged approval is refused and audited', async () => {
    clock = new Date('2026-12-02T10:00:00Z');
    await choose(0);
    const card = await approvalCard(morgan, 0);
    const text = cardText(card.card);
    assert.match(text, /Level needed: Manager \(within Manager's limits\)/);
    assert.match(text, /Sent to: Morgan Lee \(Manager\)/);
    assert.match(text, /Cannot decide \(separation of duties\): Sam Patel: recorded the person's choice; Alex Morgan: published the call-off\n/);
    assert.match(text, /Waiting: under a working hour \(since Wed, 2 Dec 2026, 10:00\) at Manager level/);
    assert.equal(h.messagesIn(h.chats.personal).filter((m) => /Approve the award/.test(messageText(m))).length, 0, 'Alex, a manager too, is not sent it');

    const forged = await h.invoke({ conversationId: h.chats.personal, verb: 'award.approve', data: { ref: refs[0], n: 1 } });
    assert.match(cardText(forged.card), /You cannot decide the award of PKG-\d{4}-\d{4} to Caring Hands Ltd: you published the call-off, and nobody approves what they raised, published, chose, proposed or recorded\. It is with Morgan Lee\./);
    assert.equal((await h.server.store.get('requests', refs[0]))!.state, 'awaiting_approval', 'nothing changed');
    const refused = await h.server.store.audit({ action: 'approvals.refused', actor: PEOPLE.alex.aadObjectId });
    assert.equal(refused.length, 1);

    const list = await h.ask(morgan, 'approvals', { as: 'user-morgan', match: /Approvals/ });
    assert.match(cardText(list.card), new RegExp(`Waiting for you \\(1\\)[\\s\\S]*The award of ${refs[0]} to Caring Hands Ltd: £525\\.00 a week`));
    const approved = await h.click(card, 'Approve', { as: 'user-morgan' });
    assert.match(cardText(approved.card), /✔ Approved by Morgan Lee on/);
    assert.match(cardText(approved.card), /Decision: Approved by Morgan Lee \(Manager\) on Wed, 2 Dec 2026, 10:00, under a working hour after it was raised/);
  });

  it('2. delegation: Morgan records an absence (a bad one first); the next award goes to Jo for Morgan, Morgan is told, and Jo’s approval reads "for Morgan Lee"', async () => {
    clock = new Date('2026-12-02T11:00:00Z');
    const form = await h.ask(morgan, 'out of office', { as: 'user-morgan', match: /Out of office/ });
    const bad = await h.click(form, 'Record the absence', { as: 'user-morgan', inputs: { from: '2026-12-03', to: '2026-12-02', delegate: PEOPLE.jo.aadObjectId } });
    assert.deepEqual(cardInputs(bad.card).to.errors, ['the last day must be on or after the first day']);
    assert.equal(cardInputs(bad.card).from.value, '2026-12-03', 'what was typed is kept');
    const ok = await h.click(bad, 'Record the absence', { as: 'user-morgan', inputs: { from: '2026-12-02', to: '2026-12-04' } });
    assert.match(cardText(ok.card), /Recorded\. Decisions that arrive from 2026-12-02 to 2026-12-04 go to Jo Visitor, who has been told\./);
    await h.nextReply(jo, { match: /Morgan Lee is away from Wed, 2 Dec 2026 to Fri, 4 Dec 2026 and has named you/ });

    await choose(1);
    const card = await approvalCard(jo, 1);
    assert.match(cardText(card.card), /Sent to: Jo Visitor \(Manager, for Morgan Lee, who is away\)/);
    const told = await h.nextReply(morgan, { match: /While you are away/ });
    assert.match(messageText(told), new RegExp(`The award of ${refs[1]} to Caring Hands Ltd arrived while you are out of office, so it went to Jo Visitor, who decides it for you\\.`));
    const approved = await h.click(card, 'Approve', { as: 'user-jo' });
    assert.match(cardText(approved.card), /✔ Approved by Jo Visitor for Morgan Lee on/);
    await h.nextReply(sam, { match: new RegExp(`Jo Visitor \\(for Morgan Lee\\) approved the award of ${refs[1]}`) });
  });

  it('3. unanswered: Morgan is back by himself on Monday; 16 working hours later he is reminded, after 24 it goes up to Jo, and Sam sees where it waits', async () => {
    clock = new Date('2026-12-07T10:00:00Z'); // Monday: the absence ended on Friday
    await choose(2);
    const card = await approvalCard(morgan, 2);
    assert.match(cardText(card.card), /Sent to: Morgan Lee \(Manager\)/);
    await at('2026-12-09T10:00:00Z'); // Monday 7 + Tuesday 8 + Wednesday 1 working hours
    const reminder = await h.nextReply(morgan, { match: /Reminder: the award/ });
    assert.match(messageText(reminder), /Waiting 2 working days \(since Mon, 7 Dec 2026, 10:00\) at Manager level\./);
    const opened = await h.click(reminder, 'Open it', { as: 'user-morgan' });
    assert.match(cardText(opened.card), new RegExp(`Approve the award of ${refs[2]}\\?[\\s\\S]*Waiting: 2 working days`));
    await at('2026-12-10T10:00:00Z'); // 8 working hours on: escalated
    const escalated = await approvalCard(jo, 2);
    assert.match(cardText(escalated.card), /Sent to: Morgan Lee \(Manager\); Jo Visitor \(Head of service, escalated\)/);
    assert.match(cardText(escalated.card), /Escalated: to Head of service on Thu, 10 Dec 2026, 10:00, unanswered for 24 working hours/);
    await h.nextReply(sam, { match: /Escalated: the award/ });

    clock = new Date('2026-12-10T11:00:00Z');
    const list = await h.ask(sam, 'approvals', { as: 'user-sam', match: /Approvals/ });
    assert.match(cardText(list.card), new RegExp(`You are waiting on \\(1\\)[\\s\\S]*The award of ${refs[2]} to Caring Hands Ltd: £525\\.00 a week\\nWaiting 3 working days 1 h \\(since Mon, 7 Dec 2026, 10:00\\) at Head of service level\\. With Morgan Lee \\(Manager\\); Jo Visitor \\(Head of service, escalated\\)\\.[^\\n]*On your list because you recorded the person's choice\\.`));
    const approved = await h.click(escalated, 'Approve', { as: 'user-jo' });
    assert.match(cardText(approved.card), /✔ Approved by Jo Visitor on/);
    // Morgan's card is redrawn with Jo's decision (updates in other people's 1:1 chats are not on the playground's sockets).
    assert.ok(await h.server.store.get('outbox', `approval:${refs[2]}:1:${PEOPLE.morgan.aadObjectId}:decided`), "Morgan's card is updated");
  });

  it('4. approval limits: Alex lowers a manager’s limit to £500 a week (a bad value first); the next award needs Jo, and Morgan’s approval is refused', async () => {
    clock = new Date('2026-12-10T12:00:00Z');
    const seen = await h.ask(sam, 'approval levels', { as: 'user-sam', match: /Approval levels/ });
    assert.match(cardText(seen.card), /1\. Manager\nUp to £1,500\.00 a week, £100,000\.00 committed, no limit a year\./);
    const form = await h.ask(h.chats.personal, 'approval levels', { match: /Approval levels/ });
    const bad = await h.click(form, 'Save the levels', { inputs: { level1Weekly: '500', level3Yearly: '900000' } });
    assert.match(cardText(bad.card), /the top level \(Director\) decides whatever is above the others: leave its limits empty/);
    assert.equal(cardInputs(bad.card).level1Weekly.value, 500, 'what was typed is kept');
    const saved = await h.click(bad, 'Save the levels', { inputs: { level3Yearly: '' } });
    assert.match(cardText(saved.card), /Saved\. Decisions raised from now on follow these levels/);
    const audit = await h.server.store.audit({ collection: 'approvalSchemes' });
    assert.deepEqual(audit.map((e) => [e.actor, e.before, (e.after as { levels: { weeklyLimit?: number }[] }).levels[0].weeklyLimit]), [[PEOPLE.alex.aadObjectId, null, 500]]);

    await choose(3);
    const card = await approvalCard(jo, 3);
    assert.match(cardText(card.card), /Level needed: Head of service \(£525\.00 a week is above Manager's £500\.00 a week\)/);
    const forged = await h.invoke({ conversationId: morgan, as: 'user-morgan', verb: 'award.approve', data: { ref: refs[3], n: 1 } });
    assert.match(cardText(forged.card), /needs Head of service or above \(£525\.00 a week is above Manager's £500\.00 a week\); you approve at Manager level\. It is with Jo Visitor\./);
    const approved = await h.click(card, 'Approve', { as: 'user-jo' });
    assert.match(cardText(approved.card), /Decision: Approved by Jo Visitor \(Head of service\)/);
  });

  it('5. Caring Hands cannot cut the hours on its own: Sam declines (a reason is required); a hand-back gives 28 days’ notice and Alex hears at once', async () => {
    const general = h.chats.team;
    const ref = refs[0];
    clock = new Date('2026-12-10T13:00:00Z');
    const offer = threadOf(await h.waitFor((m) => m.conversationId.startsWith(general) && new RegExp(`Award of call-off ${ref}`).test(messageText(m))));
    await h.click(offer, 'Accept the award', { as: 'user-priya' });
    const start = threadOf(await h.waitFor((m) => m.conversationId.startsWith(general) && new RegExp(`${ref}: confirm the start`).test(messageText(m))));
    await h.click(start, 'Confirm the start', { as: 'user-priya', inputs: { startDate: '2026-12-14' } });

    clock = new Date('2026-12-15T10:00:00Z');
    const agreement = threadOf(await h.ask(general, `agreement ${ref}`, { as: 'user-priya', match: /Service agreement/ }));
    const form = await h.click(agreement, 'Ask for a variation', { as: 'user-priya' });
    const asked = await h.click(form, 'Ask for the variation', { as: 'user-priya', inputs: { elements: 'Support: 14 @ 25', effectiveFrom: '2026-12-21', reason: 'We cannot staff the evening calls any more.' } });
    assert.match(cardText(asked.card), /reduces the care the person gets, so the social worker or a broker must agree to it first; it has been sent to them\. Nothing changes until they do\./);
    const consent = await h.nextReply(sam, { match: /Caring Hands Ltd asks to cut/ });
    assert.match(cardText(consent.card), /Before the change: 21 hours, £525\.00 a week\nAsked for: Support: 14 @ 25, from Mon, 21 Dec 2026: £350\.00 a week/);
    await h.nextReply(h.chats.personal, { match: /Caring Hands Ltd asks to cut/ });
    const noReason = await h.click(consent, 'Do not agree', { as: 'user-sam' });
    assert.deepEqual(cardInputs(noReason.card).agreementNote.errors, ['say why the council does not agree (at least 5 characters); the provider is told']);
    const declined = await h.click(noReason, 'Do not agree', { as: 'user-sam', inputs: { agreementNote: 'Margaret needs the evening calls; we will review in January.' } });
    assert.match(cardText(declined.card), /✖ Not agreed by Sam Patel/);
    await h.waitFor((m) => m.conversationId.startsWith(general) && /Variation 1 of PKG-\d{4}-\d{4} .*was not agreed by the council/.test(messageText(m)));
    assert.equal((await h.server.store.get('agreements', `AGR-${ref}`))!.versions.at(-1)!.hoursPerWeek, 21, 'the hours stand');

    const again = threadOf(await h.ask(general, `agreement ${ref}`, { as: 'user-priya', match: /Service agreement/ }));
    const handBack = await h.click(again, 'Hand the package back', { as: 'user-priya' });
    assert.match(cardText(handBack.card), /The contract gives the council 28 days' notice: the last day is at least 28 days from today\./);
    const early = await h.click(handBack, 'Hand the package back', { as: 'user-priya', inputs: { on: '2026-12-31', reason: 'We are closing our Bury branch.' } });
    assert.deepEqual(cardInputs(early.card).on.errors, ["the contract gives the council 28 days' notice of a hand-back: the last day can be no earlier than Tue, 12 Jan 2027"]);
    const done = await h.click(early, 'Hand the package back', { as: 'user-priya', inputs: { on: '2027-01-12' } });
    assert.match(cardText(done.card), /Handed back: you support the person until 2027-01-12\. The council's brokers are told now/);
    const told = await h.nextReply(h.chats.personal, { match: new RegExp(`${ref} handed back`) });
    assert.match(cardText(told.card), /Caring Hands Ltd handed the package back, with the contract's 28 days' notice; last day Tue, 12 Jan 2027/);
  });

  it('6. the headline report shows the approvals, and the approvals CSV downloads with its documented columns', async () => {
    clock = new Date('2026-12-16T10:00:00Z');
    const report = await h.ask(h.chats.personal, 'report 2026-12-01 to 2026-12-31', { match: /Brokerage report/ });
    const text = cardText(report.card);
    assert.match(text, /Approvals under the scheme of delegation/);
    assert.match(text, /Sent for approval: 4 \(4 decided, 0 waiting\)/);
    assert.match(text, /Decisions by level: Manager 1, Head of service 3/);
    assert.match(text, /Decided by a delegate: 1/);
    assert.match(text, /Escalated unanswered: 1 \(1 escalation\)/);
    assert.match(text, new RegExp(`Longest waiting: 25 working hours: the award of ${refs[2]} to Caring Hands Ltd`));
    let url = '';
    walkCard(report.card, (n) => {
      if (n.type === 'Action.OpenUrl' && n.title === 'Approvals') url = String(n.url);
    });
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'approval_id,kind,reference,weekly_cost,commitment,yearly_value,level_needed,raised_date,status,decided_date,working_hours,decided_by,decided_level,decided_for,delegated,reminders,escalations,level_now');
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',').slice(11, 18).join('|')),
      ['Morgan Lee|Manager||no|0|0|Manager', 'Jo Visitor|Head of service|Morgan Lee|yes|0|0|Manager', 'Jo Visitor|Head of service||no|1|1|Head of service', 'Jo Visitor|Head of service||no|0|0|Head of service'],
    );
  });

  it('audited every decision, sent only sound cards and logged no errors', async () => {
    const decided = (await h.server.store.audit({ collection: 'approvals' })).filter((e) => (e.after as { status?: string })?.status === 'approved');
    assert.deepEqual(decided.map((e) => [(e.after as { decidedByName: string }).decidedByName, (e.after as { decidedForName?: string }).decidedForName ?? '']), [['Morgan Lee', ''], ['Jo Visitor', 'Morgan Lee'], ['Jo Visitor', ''], ['Jo Visitor', '']]);
    for (const m of h.messages) for (const card of m.cards) assert.deepEqual(cardProblems(card), [], `card problems in message #${m.seq} (${cardText(card).split('\n')[0]})`);
    for (const card of h.invokeCards) assert.deepEqual(cardProblems(card), [], `card problems in an invoke answer (${cardText(card).split('\n')[0]})`);
    assert.deepEqual(h.botErrors(), []);
  });
});
