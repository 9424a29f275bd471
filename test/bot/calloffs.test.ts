import { scan } from '../helpers/scan.js';
import assert from 'node:assert/strict';
import { bidId } from '../../src/domain/calloff.js';
import { cardOf, cardText, PEOPLE, startTurns, Turns } from './turns.js';
import * as fx from './fixtures.js';

const { goodBid } = fx;

describe('call-offs reach provider channels and providers bid from the card', () => {
  let t: Turns;
  let now: Date;
  const at = (iso: string) => (now = new Date(iso));

  const registerChannels = (...providerIds: string[]) => fx.registerChannels(t.store, now, ...providerIds);
  const submitted = (over: Record<string, string> = {}) => fx.submitted(t.store, now, over);

  const postsTo = (to: string, kind?: string) => t.posted.filter((p) => p.to === to && (!kind || p.item.message.kind === kind));
  const textOf = (p: { activity: { text?: string; attachments?: { content?: unknown }[] } }) => p.activity.text ?? cardText(p.activity.attachments?.[0]?.content);

  beforeEach(async () => {
    at('2026-11-22T10:00:00Z');
    t = await startTurns({ now: () => now });
    await registerChannels('caring-hands', 'brightpath', 'signing-hands');
  });
  afterEach(() => t.close());

  it('publishes on submit when the council has chosen to, and tells the social worker where it went', async () => {
    const saved = await t.click('alex', 'admin.settings.save', { councilName: 'Demo Borough Council', minHourlyRate: '21.5', publishOnSubmit: 'true', sequentialRoundHours: '24' });
    assert.match(cardText(saved.value), /Settings saved/);
    const ref = await fx.submitted(t.store, now, {}, {}, { submit: false });
    const submittedCard = await t.click('sam', 'request.submit', { ref });
    assert.match(cardText(submittedCard.value), new RegExp(`Submitted ${ref}\\. It has been published to 3 providers`));
    assert.equal((await t.store.get('requests', ref))?.state, 'open');
    await t.drained();
    assert.equal(t.posted.filter((p) => p.item.message.kind === 'calloff.card').length, 3);
    assert.match(textOf(postsTo(`user:${PEOPLE.sam.aadObjectId}`, 'publish.report')[0]), /posted to 3 of 3/);
  });

  it('publishes to every eligible channel with only the anonymised profile, and tells the broker when all are posted', async () => {
    const ref = await submitted();
    const [reply] = await t.say('alex', `publish ${ref}`);
    assert.match(reply.text!, /going to 3 provider channels \(BrightPath Support, Caring Hands Ltd, Signing Hands Homecare\)|going to 3 provider channels/);
    await t.drained();
    const cards = t.posted.filter((p) => p.item.message.kind === 'calloff.card');
    assert.deepEqual(cards.map((c) => c.to).sort(), ['provider:brightpath', 'provider:caring-hands', 'provider:signing-hands']);
    for (const c of cards) {
      const text = JSON.stringify(c.activity);
      for (const secret of ['Margaret', 'Ellis', 'LAS-400123', '1961', 'Rowan', 'BL9', '650']) assert.ok(!text.includes(secret), `${c.to} must not see "${secret}"`);
      assert.match(textOf(c), /Open for bids until Tue, 1 Dec 2026, 17:00/);
      assert.match(textOf(c), /65–74/);
    }
    const report = postsTo(`user:${PEOPLE.alex.aadObjectId}`, 'publish.report');
    assert.equal(report.length, 1);
    assert.match(textOf(report[0]), /posted to 3 of 3 provider channels/);
  });

  it('takes bids from the card: errors next to fields, amendments kept as versions, sealed for the council', async () => {
    const ref = await submitted();
    await t.say('alex', `publish ${ref}`);
    await t.drained();

    const form = await t.click('priya', 'bid.form', { ref });
    assert.match(cardText(form.value), /Bid for PKG-2026-0001/);
    const bad = await t.click('priya', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '-5', a_q2: '', earliestStart: '2026-12-01', meetsCarerGender: '' }) });
    const badText = cardText(bad.value);
    assert.match(badText, /weekly price \(£\) must be more than 0/);
    assert.match(badText, /please answer this question/);
    assert.match(badText, /your start cannot be earlier than that/);
    assert.match(badText, /carer gender preference/);
    assert.match(badText, /Person-centred plan built with her/, 'typed answers kept');

    const mismatch = await t.click('priya', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '700' }) });
    assert.match(cardText(mismatch.value), /not hourly rate × hours \(£525\.00\); say why/);

    const ok = await t.click('priya', 'bid.submit', { ref, ...goodBid() });
    assert.match(cardText(ok.value), /Bid received \(version 1\)/);
    assert.match(cardText(ok.value), /£525\.00 a week/, 'the bidder sees its own price in its own reply');
    const again = await t.click('priya', 'bid.submit', { ref, ...goodBid() });
    // A double click gets the first answer again (or, after the dedup window, "nothing changed").
    assert.match(cardText(again.value), /Bid received \(version 1\)|already received; nothing changed/);
    assert.equal((await t.store.get('bids', bidId(ref, 'caring-hands')))?.versions.length, 1);

    await t.click('tom', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '546', hourlyRate: '26' }) });
    await t.click('tom', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '504', hourlyRate: '24', providerId: 'caring-hands' }) });
    await t.drained();

    const tomBid = await t.store.get('bids', bidId(ref, 'brightpath'));
    assert.equal(tomBid?.versions.length, 2, 'every version kept');
    assert.equal(tomBid?.versions.at(-1)?.weeklyPrice, 504, 'the last counts');
    assert.equal((await t.store.get('bids', bidId(ref, 'caring-hands')))?.versions.length, 1, 'a provider id in the card data is ignored');

    const updates = postsTo('provider:brightpath', 'calloff.card').filter((p) => p.replaced);
    assert.ok(updates.length >= 1);
    const channelCard = textOf(updates.at(-1)!);
    assert.match(channelCard, /bid is in: version 2/);
    assert.doesNotMatch(channelCard, /£5\d\d/, 'no price in the channel post');

    const [status] = await t.say('alex', `calloff ${ref}`);
    const statusText = cardText(cardOf(status));
    assert.match(statusText, /2 \(sealed until the deadline\)/);
    assert.doesNotMatch(statusText, /£|525|504/);
    // Providers are named only in the delivery report, which says nothing about who bid.
    for (const line of statusText.split('\n').filter((l) => /Caring Hands|BrightPath/.test(l))) assert.match(line, /^\*\*[^*]+\*\*: delivered\.$/);
  });

  it('refuses forged and out-of-role actions and audits them', async () => {
    const ld = await submitted();
    await t.say('alex', `publish ${ld}`);
    const sam = await t.click('sam', 'bid.submit', { ref: ld, ...goodBid() });
    assert.match(String(sam.value), /role doesn't allow/);
    const jo = await t.click('jo', 'bid.submit', { ref: ld, ...goodBid() });
    assert.match(String(jo.value), /don't have a role/);
    const notOffered = await t.click('tom', 'bid.submit', { ref: 'PKG-2026-0099', ...goodBid() });
    assert.match(cardText(notOffered.value) + String(notOffered.value), /no call-off PKG-2026-0099/);
    const refusals = (await t.store.audit()).filter((e) => e.action === 'calloffs.refused' || e.action === 'action.refused');
    assert.ok(refusals.length >= 2);
  });

  it('answers a clarification to every provider without saying who asked', async () => {
    const ref = await submitted();
    await t.say('alex', `publish ${ref}`);
    await t.drained();
    await t.click('priya', 'calloff.ask', { ref, question: 'Is there parking at the property for our staff cars?' });
    await t.drained();
    const question = postsTo(`user:${PEOPLE.alex.aadObjectId}`, 'calloff.question');
    assert.equal(question.length, 1);
    assert.match(textOf(question[0]), /parking/);
    const form = await t.click('alex', 'calloff.answer.form', { ref, questionId: 'Q1' });
    assert.match(cardText(form.value), /Question, as providers will see it/);
    const empty = await t.click('alex', 'calloff.answer', { ref, questionId: 'Q1', answer: '', questionAsShown: 'Is there parking at the property?' });
    assert.match(cardText(empty.value), /write the answer/);
    await t.click('alex', 'calloff.answer', { ref, questionId: 'Q1', answer: 'Yes, one permit space.', questionAsShown: 'Is there parking at the property?' });
    await t.drained();
    const answers = t.posted.filter((p) => p.item.message.kind === 'calloff.answer');
    assert.deepEqual(answers.map((a) => a.to).sort(), ['provider:brightpath', 'provider:caring-hands', 'provider:signing-hands']);
    for (const a of answers) {
      assert.match(textOf(a), /one permit space/);
      assert.doesNotMatch(textOf(a), /Caring Hands|Priya/);
    }
  });

  it('reminds quiet providers, closes at the deadline, refuses late bids and updates every card', async () => {
    const ref = await submitted();
    await t.say('alex', `publish ${ref}`);
    await t.click('priya', 'bid.submit', { ref, ...goodBid() });
    await t.click('tom', 'calloff.decline', { ref, reason: 'no capacity', detail: '' });
    await t.drained();

    at('2026-11-30T17:00:00Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    const reminders = t.posted.filter((p) => p.item.message.kind === 'calloff.reminder');
    assert.deepEqual(reminders.map((r) => r.to), ['provider:signing-hands'], 'only providers that neither bid nor declined');

    at('2026-12-01T17:00:01Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    assert.equal((await t.store.get('requests', ref))?.state, 'closed');
    const late = await t.click('priya', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '500', hourlyRate: '23.81' }) });
    assert.match(cardText(late.value), /closed at Tue, 1 Dec 2026, 17:00/);
    const closedCards = t.posted.filter((p) => p.item.id.endsWith(':refresh:closed'));
    assert.equal(closedCards.length, 3);
    assert.match(textOf(closedCards[0]), /Closed for bids/);
    const told = postsTo(`user:${PEOPLE.sam.aadObjectId}`, 'calloff.closed');
    assert.match(textOf(told[0]), /closed at .* with 1 bid \(1 not interested, 1 no response\)/);
  });

  it('extends a deadline: everyone is told and the close moves', async () => {
    const ref = await submitted();
    await t.say('alex', `publish ${ref}`);
    const refused = await t.click('alex', 'calloff.extend', { ref, newDeadlineDate: '2026-11-30', newDeadlineTime: '12:00', extendReason: 'more time' });
    assert.match(cardText(refused.value), /later than the current one/);
    await t.click('alex', 'calloff.extend', { ref, newDeadlineDate: '2026-12-04', newDeadlineTime: '12:00', extendReason: 'provider questions outstanding' });
    await t.drained();
    assert.equal(t.posted.filter((p) => p.item.message.kind === 'calloff.extended').length, 3);
    at('2026-12-01T17:00:01Z');
    await t.runtime.scheduler.runDue();
    assert.equal((await t.store.get('requests', ref))?.state, 'open');
    at('2026-12-04T12:00:01Z');
    await t.runtime.scheduler.runDue();
    assert.equal((await t.store.get('requests', ref))?.state, 'closed');
  });

  it('runs a sequential offer: lead providers first, then the next tier; the first acceptance that meets the request wins', async () => {
    const ref = await submitted({ mode: 'sequential' });
    const [reply] = await t.say('alex', `publish ${ref}`);
    assert.match(reply.text!, /1 provider channel \(Caring Hands Ltd\)/);
    at('2026-11-23T10:00:01Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    const r = await t.store.get('requests', ref);
    assert.deepEqual(r?.calloff?.rounds.map((x) => x.tier), ['lead', 'supplementary']);
    assert.ok(postsTo('provider:brightpath', 'calloff.card').length >= 1);
    const accepted = await t.click('tom', 'bid.submit', { ref, ...goodBid() });
    assert.match(cardText(accepted.value), /Your acceptance closed this offer/);
    const after = await t.store.get('requests', ref);
    assert.equal(after?.state, 'awaiting_approval', 'a sequential acceptance goes straight to approval (issue 5)');
    assert.equal(after?.calloff?.acceptedBid, bidId(ref, 'brightpath'));
    const late = await t.click('priya', 'bid.submit', { ref, ...goodBid() });
    assert.match(cardText(late.value), /closed/);
  });

  it('cancels an open call-off: providers are told and cards updated', async () => {
    const ref = await submitted();
    await t.say('alex', `publish ${ref}`);
    await t.say('alex', `cancel ${ref} person moved into residential care`);
    await t.drained();
    assert.equal(t.posted.filter((p) => p.item.message.kind === 'calloff.cancelled').length, 3);
    assert.equal(t.posted.filter((p) => p.item.id.endsWith(':refresh:cancelled')).length, 3);
    assert.equal((await scan(t.store, 'jobs')).length, 0, 'no deadline left armed');
  });
});
