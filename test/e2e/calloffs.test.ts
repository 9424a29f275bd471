/**
 * A social worker raises a request, a broker publishes it, two providers bid from their own
 * channels (one amends), a question is answered for everyone, and the deadline closes it: the
 * real bot behind the Agents Playground, with the bot's clock moved on to pass the deadline.
 */
import assert from 'node:assert/strict';
import { cardInputs, cardProblems, cardText, messageText, startHarness, threadOf, withDemoChannels, type BotMessage, type Harness } from './harness.js';

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

describe('e2e: a request becomes a call-off that providers bid on in their channels', function () {
  let h: Harness;
  let clock = new Date();
  const start = isoDay(new Date(Date.now() + 14 * DAY));
  const deadlineDay = isoDay(new Date(Date.now() + 5 * DAY));
  let sam: string;
  let ref: string;
  let general: BotMessage;
  let brightpath: BotMessage;

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml', now: () => clock });
    await withDemoChannels(h);
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  it('Sam walks from "new request" to a submitted request, correcting one step on the way', async () => {
    sam = await h.openPersonalChat('user-sam');
    await h.nextReply(sam);
    const person = await h.ask(sam, 'new request', { as: 'user-sam' });
    ref = cardText(person.card).match(/PKG-\d{4}-\d{4}/)![0];
    const typed = { name: 'Margaret Ellis', caseRef: 'LAS-400123', dateOfBirth: '1961-04-09', address: '12 Rowan Close, Bury', postcode: 'nowhere', zone: 'bury-east', gender: 'female', disabilityCategory: 'learning disability' };
    const wrong = await h.click(person, 'Save and continue', { as: 'user-sam', inputs: typed });
    const inputs = cardInputs(wrong.card);
    assert.match(inputs.postcode.errors.join(' '), /UK postcode/);
    assert.equal(inputs.name.value, 'Margaret Ellis', 'typed values kept');

    const checklist = await h.click(wrong, 'Save and continue', { as: 'user-sam', inputs: { postcode: 'BL9 0EJ' } });
    assert.match(cardText(checklist.card), /step 2 of 4/);
    const pkg = await h.click(checklist, 'Check and continue', { as: 'user-sam', inputs: { 'c_specialist-skill': 'true' } });
    assert.match(cardText(pkg.card), /step 3 of 4/);
    const review = await h.click(pkg, 'Save and review', {
      as: 'user-sam',
      inputs: {
        lots: 'learning-disability',
        needsSummary: 'Lives alone with a learning disability and epilepsy; needs rescue medication given by trained staff.',
        outcomes: 'To keep her own home and go to the day centre three times a week.',
        hoursPerWeek: '21',
        visitPattern: '3 hours each morning',
        startDate: start,
        carerGender: 'female',
        budgetWeekly: '650',
        mode: 'competition',
        q1Weight: '40',
        q2Weight: '30',
        q3Weight: '30',
        deadlineDate: deadlineDay,
        deadlineTime: '17:00',
      },
    });
    const reviewText = cardText(review.card);
    assert.match(reviewText, /step 4 of 4: review and submit/);
    assert.match(reviewText, /Private to council staff[\s\S]*Margaret Ellis/);
    assert.match(reviewText, /What providers will see/);
    const submitted = await h.click(review, 'Submit request', { as: 'user-sam' });
    assert.match(cardText(submitted.card), new RegExp(`Submitted ${ref}\\. A broker will publish it to the 3 eligible providers`));
  });

  it('Alex publishes it; the anonymised card reaches both registered channels and Alex hears which could not be reached', async () => {
    // Alex, a broker, was also told of the submission in this chat; wait for the answer to publish.
    const reply = await h.ask(h.chats.personal, `publish ${ref}`, { match: /Published|published/ });
    assert.match(reply.text, /going to 2 provider channels \(Caring Hands Ltd, BrightPath Support\)|going to 2 provider channels \(BrightPath Support, Caring Hands Ltd\)/);
    assert.match(reply.text, /Could not reach 1: Signing Hands Homecare \(no channel registered\)/);
    const posted = (conv: string) => h.waitFor((m) => m.kind === 'create' && m.conversationId === conv && /Call-off PKG/.test(messageText(m)), { what: `the call-off card in ${conv}` });
    general = threadOf(await posted(h.chats.team));
    brightpath = threadOf(await posted('channel-brightpath'));
    for (const m of [general, brightpath]) {
      const text = cardText(m.card);
      assert.match(text, /Open for bids until/);
      for (const secret of ['Margaret', 'Ellis', 'LAS-400123', '1961', 'Rowan', 'BL9']) assert.ok(!JSON.stringify(m.card).includes(secret), `a provider channel must not see "${secret}"`);
    }
    const report = await h.nextReply(h.chats.personal, { match: /posted to 2 of 2 provider channels/ });
    assert.equal(report.status, 201);
  });

  it('Priya bids from Caring Hands’ channel; Tom bids and then amends from BrightPath’s; the council sees only a count', async () => {
    const form = await h.invoke({ message: general, as: 'user-priya', verb: 'bid.form', data: { ref } });
    assert.match(cardText(form.card), new RegExp(`Bid for ${ref}`));
    const bid = {
      weeklyPrice: '525',
      hourlyRate: '25',
      hoursPerWeek: '21',
      earliestStart: start,
      supportPlan: 'A team of four trained in epilepsy rescue medication, with a named lead and weekly reviews.',
      a_q1: 'Person-centred plan built with her and her sister.',
      a_q2: 'Guaranteed-hours contracts and a small named team.',
      a_q3: 'Daily risk review; escalation to the community nurse.',
      meetsCarerGender: 'yes',
      meetsLanguage: 'yes',
    };
    const wrong = await h.click(form, 'Submit bid', { as: 'user-priya', inputs: { ...bid, weeklyPrice: '700' } });
    assert.match(cardInputs(wrong.card).priceNote.errors.join(' '), /say why/);
    const ok = await h.click(wrong, 'Submit bid', { as: 'user-priya', inputs: { weeklyPrice: '525' } });
    assert.match(cardText(ok.card), /Bid received \(version 1\)/);

    const tomForm = await h.invoke({ message: brightpath, as: 'user-tom', verb: 'bid.form', data: { ref } });
    await h.click(tomForm, 'Submit bid', { as: 'user-tom', inputs: { ...bid, weeklyPrice: '546', hourlyRate: '26' } });
    const amendForm = await h.invoke({ message: brightpath, as: 'user-tom', verb: 'bid.form', data: { ref } });
    assert.equal(cardInputs(amendForm.card).weeklyPrice.value, 546, 'the amend form shows his current bid');
    const amended = await h.click(amendForm, 'Submit bid', { as: 'user-tom', inputs: { weeklyPrice: '504', hourlyRate: '24' } });
    assert.match(cardText(amended.card), /Bid received \(version 2\)/);

    const update = await h.waitFor((m) => m.kind === 'update' && m.conversationId.startsWith('channel-brightpath') && /version 2/.test(messageText(m)), { what: 'the channel card updated' });
    assert.doesNotMatch(messageText(update), /£\s?5\d\d/, 'no price in the channel post');

    const status = await h.ask(h.chats.personal, `calloff ${ref}`, { match: /Bids received/ });
    const text = cardText(status.card);
    assert.match(text, /2 \(sealed until the deadline\)/);
    assert.doesNotMatch(text, /£|525|504/);
  });

  it('a question from Priya is answered by Alex for every provider, without saying who asked', async () => {
    await h.invoke({ message: general, as: 'user-priya', verb: 'calloff.ask', data: { ref, question: 'Is there parking at the property for staff cars?' } });
    const question = await h.nextReply(h.chats.personal, { match: /Question Q1/ });
    const form = await h.click(question, 'Answer Q1');
    const sent = await h.click(form, 'Send answer to all providers', { inputs: { questionAsShown: 'Is there parking at the property?', answer: 'Yes, one permit space outside.' } });
    assert.match(cardText(sent.card), /Answer to Q1 is going to every provider/);
    for (const conv of [h.chats.team, 'channel-brightpath']) {
      const answer = await h.waitFor((m) => m.conversationId.startsWith(conv) && /Clarification on call-off/.test(messageText(m)), { what: `the answer in ${conv}` });
      assert.match(messageText(answer), /one permit space/);
      assert.doesNotMatch(messageText(answer), /Caring Hands|Priya/);
    }
  });

  it('the deadline closes it: cards say closed, Sam is told, and a late bid is refused', async () => {
    clock = new Date(Date.parse(`${deadlineDay}T17:00:00Z`) + 3_600_000 + 1000); // after 17:00 UK time, summer or winter
    await h.server.runtime.scheduler.runDue();
    const closedCard = await h.waitFor((m) => m.kind === 'update' && m.conversationId.startsWith(h.chats.team) && /Closed for bids/.test(messageText(m)), { what: 'the closed card' });
    assert.match(messageText(closedCard), /Your bid is with the council/);
    const told = await h.nextReply(sam, { match: /closed at/ });
    assert.match(told.text, /with 2 bids \(0 not interested, 0 no response\)/);
    const late = await h.invoke({ message: general, as: 'user-priya', verb: 'bid.submit', data: { ref, weeklyPrice: '400' } });
    assert.match(cardText(late.card) + (late.text ?? ''), /no longer takes bids/);
  });

  it('Tom opens BrightPath’s channel: Teams asks the bot to redraw the card for him, and it shows the call-off closed', async () => {
    const refresh = (brightpath.card as { refresh?: { action: { verb: string; data: Record<string, unknown> }; userIds: string[] } }).refresh;
    assert.deepEqual(refresh?.userIds, ['8:orgid:a1e0f3b2-0005-4000-8000-000000000005'], "the posted card is refreshed for BrightPath's users");
    const seen = await h.invoke({ message: brightpath, as: 'user-tom', verb: refresh!.action.verb, data: refresh!.action.data, trigger: 'automatic' });
    assert.match(cardText(seen.card), /Closed for bids at .*Your bid is with the council for evaluation/);
    assert.deepEqual((seen.card as { refresh?: unknown }).refresh, refresh, 'and keeps refreshing');
    assert.doesNotMatch(JSON.stringify(seen.card), /bid\.form|£/, 'no Bid button, no price');
  });

  it('sent only sound cards, nothing identifying to provider channels, and logged no errors', () => {
    for (const m of h.messages) for (const card of m.cards) assert.deepEqual(cardProblems(card), [], `card problems in message #${m.seq} (${cardText(card).split('\n')[0]})`);
    for (const card of h.invokeCards) assert.deepEqual(cardProblems(card), [], `card problems in an invoke answer (${cardText(card).split('\n')[0]})`);
    const toProviders = h.messages.filter((m) => m.conversationId.startsWith(h.chats.team) || m.conversationId.startsWith('channel-brightpath'));
    for (const m of toProviders) assert.ok(!/Margaret|Ellis|LAS-400123/.test(JSON.stringify(m.activity)), `message #${m.seq} identifies the person`);
    assert.deepEqual(h.botErrors(), []);
  });
});
