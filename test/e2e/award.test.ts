/**
 * From a closed call-off to an accepted award, through the Agents Playground: Sam scores the bids
 * blind from the cards in his chat, sees the ranking, records the person's choice; Morgan approves
 * from the card in his chat; Caring Hands accepts in its channel and only then gets the referral;
 * BrightPath gets its own scores and the winning total. Then a call-off with no bids cascades to
 * an off-contract placement (nobody in the neighbouring zones was left to ask).
 * The requests are seeded through the use cases (the request journey has its own scenario).
 */
import assert from 'node:assert/strict';
import { cardActions, cardProblems, cardText, messageText, startHarness, threadOf, withDemoChannels, openChats, type BotMessage, type Harness } from './harness.js';
import * as fx from '../bot/fixtures.js';

describe('e2e: evaluation, choice, approval and award (bot + Agents Playground)', function () {
  let h: Harness;
  let clock = new Date('2026-11-22T10:00:00Z');
  let sam: string;
  let morgan: string;
  let ref: string;
  const inChannel = (conv: string, re: RegExp, kind: 'create' | 'update' = 'create') => h.waitFor((m) => m.kind === kind && m.conversationId.startsWith(conv) && re.test(messageText(m)), { what: `${re} in ${conv}` });

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml', now: () => clock });
    await withDemoChannels(h);
    [sam, morgan] = await openChats(h, 'user-sam', 'user-morgan');
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  it('a published call-off gets two bids and closes: Sam gets one blind card per bid, with no price and no provider', async () => {
    ref = await fx.submitted(h.server.store, clock);
    await h.ask(h.chats.personal, `publish ${ref}`, { match: /Published/ });
    const general = threadOf(await inChannel(h.chats.team, /Call-off PKG/));
    const brightpath = threadOf(await inChannel('channel-brightpath', /Call-off PKG/));
    await h.invoke({ message: general, as: 'user-priya', verb: 'bid.submit', data: { ref, ...fx.goodBid() } });
    await h.invoke({ message: brightpath, as: 'user-tom', verb: 'bid.submit', data: { ref, ...fx.goodBid({ weeklyPrice: '504', hourlyRate: '24', supportPlan: 'Two named leads and a bank of six staff, all trained in rescue medication.' }) } });

    clock = new Date('2026-12-01T17:00:01Z');
    await h.server.runtime.scheduler.runDue();
    const [, ...cards] = await h.repliesInAnyOrder(sam, [/closed at/, /evaluate bid/, /evaluate bid/]);
    for (const c of cards) {
      const json = JSON.stringify(c.card);
      for (const secret of ['£', '525', '504', 'Caring Hands', 'BrightPath']) assert.ok(!json.includes(secret), `the blind card must not show "${secret}"`);
    }
  });

  it('Sam locks the scores (a bad one first); the ranking arrives with prices; he records the person’s choice', async () => {
    const cards = h.messagesIn(sam).filter((m) => /evaluate bid/.test(messageText(m)));
    const forCaringHands = cards.find((m) => /A team of four/.test(messageText(m)))!;
    const forBrightPath = cards.find((m) => /Two named leads/.test(messageText(m)))!;
    const label = (m: BotMessage) => messageText(m).match(/evaluate bid (\w+)/)![1];

    const bad = await h.click(forCaringHands, `Lock scores for bid ${label(forCaringHands)}`, { as: 'user-sam', inputs: { s_q1: '9', s_q2: '4', meetsNeeds: 'yes' } });
    assert.match(cardText(bad.card), /whole number from 0 to 5/);
    const locked = await h.click(bad, `Lock scores for bid ${label(forCaringHands)}`, { as: 'user-sam', inputs: { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' } });
    assert.match(cardText(locked.card), /locked/);
    await h.click(forBrightPath, `Lock scores for bid ${label(forBrightPath)}`, { as: 'user-sam', inputs: { s_q1: '4', s_q2: '3', meetsNeeds: 'yes' } });

    const ranking = await h.nextReply(sam, { match: /ranking/ });
    const text = cardText(ranking.card);
    assert.match(text, /1\. Caring Hands Ltd \(bid \w\): total 86\.40/);
    assert.match(text, /2\. BrightPath Support \(bid \w\): total 83\.20/);
    const chose = await h.click(ranking, "Record the person's choice", { as: 'user-sam', inputs: { tookPart: 'person', personWords: 'The first one, please.' } });
    assert.match(cardText(chose.card), /sent to the managers for approval/);
  });

  it('Morgan approves from the card in his chat; the card shows the decision and a second decision is refused', async () => {
    const approval = await h.nextReply(morgan, { match: /Approve the award/ });
    assert.match(cardText(approval.card), /Caring Hands Ltd \(ranked 1, total 86\.40\)/);
    assert.match(cardText(approval.card), /£650\.00 a week: £125\.00 under/);
    const approved = await h.click(approval, 'Approve', { as: 'user-morgan' });
    assert.match(cardText(approved.card), /✔ Approved by Morgan Lee/);
    assert.deepEqual(cardActions(approved.card).map((a) => a.title), [], 'no buttons after the decision');
    const again = await h.invoke({ conversationId: morgan, as: 'user-morgan', verb: 'award.reject', data: { ref, n: 1, rejectReason: 'second thoughts' } });
    assert.match(cardText(again.card) + (again.text ?? ''), /already approved by you/);
    await h.nextReply(sam, { match: /approved the award/ });
  });

  it('Caring Hands accepts in its channel and only then gets the referral; BrightPath gets its own scores and the winning total', async () => {
    const offer = threadOf(await inChannel(h.chats.team, /Award of call-off/));
    assert.ok(!/Margaret/.test(JSON.stringify(offer.card)), 'no personal details before acceptance');
    const accepted = await h.click(offer, 'Accept the award', { as: 'user-priya' });
    assert.match(cardText(accepted.card), /referral details are being posted/);
    const referral = await inChannel(h.chats.team, /Referral for PKG/);
    assert.match(messageText(referral), /Margaret Ellis/);
    assert.match(messageText(referral), /LAS-400123/);
    const outcome = await inChannel('channel-brightpath', /PKG-\d{4}-\d{4}: outcome/);
    const told = messageText(outcome);
    assert.match(told, /Your bid: £504\.00 a week/);
    assert.match(told, /total 83\.20/);
    assert.match(told, /winning bid's total: 86\.40/);
    assert.doesNotMatch(told, /525/);
    await h.nextReply(sam, { match: /accepted the award/ });
    await h.nextReply(h.chats.personal, { match: /accepted the award/ });
    // What the channel shows (text, cards, attachments), not transport ids and timestamps, where "525" turns up by chance.
    for (const m of h.messagesIn('channel-brightpath')) assert.ok(!/Margaret|Ellis|LAS-400123|525/.test(JSON.stringify([m.text, m.cards, m.activity.attachments])), `BrightPath message #${m.seq} shows what it must not`);
  });

  it('a call-off with no bids cascades: Alex is offered it and records an off-contract placement; Morgan approves it', async () => {
    clock = new Date('2026-12-02T09:00:00Z');
    const second = await fx.submitted(h.server.store, clock, { deadlineDate: '2026-12-05' });
    await h.ask(h.chats.personal, `publish ${second}`, { match: /Published/ });
    clock = new Date('2026-12-05T17:00:01Z');
    await h.server.runtime.scheduler.runDue();
    const offer = await h.nextReply(h.chats.personal, { match: new RegExp(`${second}: cascade`) });
    assert.match(cardText(offer.card), /No compliant bid: the call-off closed with no bids/);
    const form = await h.click(offer, 'Record an off-contract placement');
    const bad = await h.click(form, 'Record the placement', { inputs: { providerName: 'Acme Care', weeklyPrice: 'lots', reason: 'Nobody on the framework.' } });
    assert.match(cardText(bad.card), /weekly price must be a number/);
    const placed = await h.click(bad, 'Record the placement', { inputs: { weeklyPrice: '610' } });
    assert.match(cardText(placed.card), /placement with Acme Care at £610\.00 a week is waiting for approval/);
    // A spending decision (issue 23): it becomes the award once an approver says so.
    const approval = await h.nextReply(morgan, { match: /Approve the off-contract placement/ });
    assert.match(cardText(approval.card), /Cannot decide \(separation of duties\): Alex Morgan: recorded the placement; Sam Patel: raised the request/);
    const approved = await h.click(approval, 'Approve', { as: 'user-morgan' });
    assert.match(cardText(approved.card), /✔ Approved by Morgan Lee/);
    await h.nextReply(morgan, { match: /placed off-contract/ });
    const r = await h.server.store.get('requests', second);
    assert.deepEqual([r?.state, r?.award?.offContract, r?.award?.providerName, r?.award?.weeklyPrice], ['awarded', true, 'Acme Care', 610]);
  });

  it('sent only sound cards and logged no errors', () => {
    for (const m of h.messages) for (const card of m.cards) assert.deepEqual(cardProblems(card), [], `card problems in message #${m.seq} (${cardText(card).split('\n')[0]})`);
    for (const card of h.invokeCards) assert.deepEqual(cardProblems(card), [], `card problems in an invoke answer (${cardText(card).split('\n')[0]})`);
    assert.deepEqual(h.botErrors(), []);
  });
});
