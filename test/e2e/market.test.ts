/**
 * The market view end to end (issue 25), through the Agents Playground: Alex (commissioner) reads
 * November's market by lot and zone, opens its heat map and CSV from the bot, and opens an
 * admission window for the gap that has lasted three months, which every provider's channel hears
 * with the gap's figures; Priya (Caring Hands, in General) and Tom (BrightPath, in its channel)
 * say what they can take; the call-off's status counts it; Alex gives Autism its own cost-of-care
 * model; Sam sees each bid against the model, Morgan the chosen one; eight weeks on, Priya is asked
 * once to say again. The market's history is seeded (test/reports/marketDataset.ts, worked by hand).
 */
import assert from 'node:assert/strict';
import { cardActions, cardInputs, cardProblems, cardText, messageText, openChats, startHarness, threadOf, withDemoChannels, walkCard, type BotMessage, type Harness } from './harness.js';
import { seedMarket } from '../reports/marketDataset.js';
import * as fx from '../bot/fixtures.js';

describe('e2e: the market by lot and zone, capacity and the cost of care (bot + Agents Playground)', function () {
  let h: Harness;
  let clock = new Date('2026-11-30T12:00:00Z');
  let sam: string;
  let morgan: string;
  const inChannel = (conv: string, re: RegExp) => h.waitFor((m) => m.kind === 'create' && m.conversationId.startsWith(conv) && re.test(messageText(m)), { what: `${re} in ${conv}` });

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml', now: () => clock });
    await withDemoChannels(h);
    [sam, morgan] = await openChats(h, 'user-sam', 'user-morgan');
    await seedMarket(h.server.store);
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  let report: BotMessage;

  it('Alex asks for November’s market: the gap in Autism × Radcliffe has lasted three months, with its figures, capacity and rates', async () => {
    report = await h.ask(h.chats.personal, 'market report 2026-11-01 to 2026-11-30', { match: /The market:/ });
    assert.deepEqual(cardProblems(report.card), []);
    const text = cardText(report.card);
    assert.match(text, /⚠ 1 gap has lasted 3 months/);
    assert.match(text, /Call-offs published: 5 \(<5 closed: <5 with no bid, <5 with one; 0\.8 bids each\)/);
    assert.match(text, /Autism in Radcliffe: a gap in each of the last 3 months/);
    assert.match(text, /Why: no bid on 50% of closed call-offs \(gap from 20%\); one bid or none on 100% \(gap from 50%\); off-contract placements: <5 \(gap from 1\); 1 provider admitted \(gap below 2\)/);
    assert.match(text, /Providers: 1 admitted, 1 bid here/);
    assert.match(text, /Capacity said: 1 can take more \(about 20 hours a week\), 0 cannot/);
    assert.match(text, /Cost of care: model £32\.14\/h; awarded median £24\.00\/h, <5 of <5 below the model/);
    assert.doesNotMatch(JSON.stringify(report.card), /Person PKG|LAS-/, 'no personal details');
  });

  it('the heat map and the CSV open from the bot’s own links', async () => {
    let image = '';
    let csv = '';
    walkCard(report.card, (n) => {
      if (n.type === 'Image') image = String(n.url);
      if (n.type === 'Action.OpenUrl' && /CSV/.test(String(n.title))) csv = String(n.url);
    });
    assert.equal(new URL(image).port, new URL(h.botUrl).port);
    const png = await fetch(image);
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    const file = await fetch(csv);
    assert.match(file.headers.get('content-disposition')!, /^attachment; filename="market_2026-11-01_to_2026-11-30\.csv"$/);
    const lines = Buffer.from(await file.arrayBuffer()).toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.ok(lines[0].startsWith('period_from,period_to,lot,lot_name,zone,zone_name,call_offs,closed,bids,'));
    assert.equal(lines.length, 1 + 8 * 6, 'a row for each of the demo framework’s 8 lots × 6 zones');
    assert.match(lines.find((l) => l.includes(',autism,Autism,radcliffe,'))!, /,yes,2026-09;2026-10;2026-11$/);
  });

  it('Alex opens an admission window for it: each provider channel hears the invitation with the gap’s figures, once', async () => {
    const opened = await h.click(report, 'Open an admission window');
    assert.match(cardText(opened.card), /Opened evaluation window W-2026-01 and told 2 providers on the framework/);
    for (const conv of [h.chats.team, 'channel-brightpath']) {
      const m = await inChannel(conv, /invites applications to join its framework for Autism in Radcliffe/);
      assert.match(messageText(m), /From 1 Sep 2026 to 30 Nov 2026 there were 5 call-offs for autism support in Radcliffe; <5 closed with no bid and <5 with one; <5 placed off-contract\. 1 provider is admitted there now\. The council's cost-of-care rate for this lot and zone is £32\.14 an hour\./);
    }
    const again = await h.invoke({ conversationId: h.chats.personal, verb: 'market.gap.open', data: { lot: 'autism', zone: 'radcliffe', from: '2026-11-01', to: '2026-11-30', page: 2 } });
    assert.match(cardText(again.card), /already open for this gap/);
    const admission = await h.ask(h.chats.personal, 'applications', { match: /Framework admission/ });
    assert.match(cardText(admission.card), /Evaluation window W-2026-01 is open/);
    assert.match(cardText(admission.card), /Opened for gaps in the market: autism in radcliffe/);
  });

  it('Priya says from General what Caring Hands can take (a bad figure is named, her typing kept); Tom from BrightPath’s channel', async () => {
    const form = await h.ask(h.chats.team, 'capacity', { as: 'user-priya', match: /What Caring Hands Ltd can take/ });
    assert.match(cardText(form.card), /Radcliffe\nyes, about 20 hours a week, said Tue, 10 Nov 2026\./);
    const bad = await h.click(threadOf(form), 'Save what we can take', { as: 'user-priya', inputs: { 'can_bury-east': 'yes', 'hours_bury-east': '40', hours_whitefield: 'lots' } });
    assert.match(cardText(bad.card), /hours a week must be a number/);
    assert.equal(cardInputs(bad.card)['hours_bury-east'].value, '40', 'what she typed is kept');
    const saved = await h.click(bad, 'Save what we can take', { as: 'user-priya', inputs: { hours_whitefield: '' } });
    assert.match(cardText(saved.card), /Thank you: saved for Bury East, Radcliffe/);
    const tom = await h.ask('channel-brightpath', 'capacity', { as: 'user-tom', match: /What BrightPath Support can take/ });
    const tomSaved = await h.click(threadOf(tom), 'Save what we can take', { as: 'user-tom', inputs: { 'can_bury-east': 'yes', 'hours_bury-east': '15' } });
    assert.match(cardText(tomSaved.card), /saved for Bury East/);
    const elsewhere = await h.ask('channel-brightpath', 'capacity', { as: 'user-priya', match: /works only in your provider’s own channel/ });
    assert.doesNotMatch(JSON.stringify(elsewhere), /Caring Hands|Bury East/, 'nothing of Caring Hands shown in BrightPath’s channel');
  });

  let ref: string;

  it('a call-off in Bury East: its status shows how many offered providers said they have capacity', async () => {
    ref = await fx.submitted(h.server.store, clock);
    await h.ask(h.chats.personal, `publish ${ref}`, { match: /Published/ });
    const status = await h.ask(h.chats.personal, `calloff ${ref}`, { match: new RegExp(`Call-off ${ref}`) });
    assert.match(cardText(status.card), /Said they have capacity: 2 of 2 offered \(about 55 hours a week\)/);
  });

  it('Alex gives Autism its own cost-of-care model at £12.71 (a bad figure first): £33.08 an hour', async () => {
    const view = await h.ask(h.chats.personal, 'cost of care autism', { match: /Cost of care: Autism/ });
    assert.match(cardText(view.card), /Sustainable hourly rate: £32\.14 an hour/);
    assert.match(cardText(view.card), /below the National Living Wage of £12\.71/);
    const form = await h.click(view, 'Give Autism its own model');
    const bad = await h.click(form, 'Save the model', { inputs: { payPerHour: '12.71', surplusPct: 'lots' } });
    assert.deepEqual(cardInputs(bad.card).surplusPct.errors, ['surplus (%) must be a number']);
    const saved = await h.click(bad, 'Save the model', { inputs: { surplusPct: '3' } });
    assert.match(cardText(saved.card), /Cost of care: Autism \(its own model\)/);
    assert.match(cardText(saved.card), /Sustainable hourly rate: £33\.08 an hour/);
    assert.match(cardText(saved.card), /Employer National Insurance: £2\.21 \(15% above £5,000\.00 a year \(a care worker paid 30 h a week earns £19,827\.60 a year\): 11\.22% × £19\.70\)/);
    const market = await h.ask(h.chats.personal, 'market report 2026-11-01 to 2026-11-30', { match: /The market:/ });
    assert.match(cardText(market.card), /Cost of care: model £33\.08\/h; awarded median £24\.00\/h/);
  });

  it('Sam sees each bid’s hourly rate against the model on the ranking; Morgan the chosen one’s on the approval', async () => {
    const general = threadOf(await inChannel(h.chats.team, new RegExp(`Call-off ${ref}`)));
    const brightpath = threadOf(await inChannel('channel-brightpath', new RegExp(`Call-off ${ref}`)));
    await h.invoke({ message: general, as: 'user-priya', verb: 'bid.submit', data: { ref, ...fx.goodBid({}, new Date('2026-11-30T12:00:00Z')) } });
    await h.invoke({ message: brightpath, as: 'user-tom', verb: 'bid.submit', data: { ref, ...fx.goodBid({ weeklyPrice: '714', hourlyRate: '34' }, new Date('2026-11-30T12:00:00Z')) } });
    clock = new Date('2026-12-09T17:00:01Z');
    await h.server.runtime.scheduler.runDue();
    const cards = [await h.nextReply(sam, { match: /evaluate bid/ }), await h.nextReply(sam, { match: /evaluate bid/ })];
    for (const c of cards) {
      const label = messageText(c).match(/evaluate bid (\w+)/)![1];
      await h.click(c, `Lock scores for bid ${label}`, { as: 'user-sam', inputs: { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' } });
    }
    const ranking = await h.nextReply(sam, { match: /ranking/ });
    const text = cardText(ranking.card);
    assert.match(text, /Cost-of-care model: £32\.14\/h \(Learning disability: the council default\)/);
    assert.match(text, /⚠ £25\.00\/h is £7\.14 \(22\.2%\) below the cost-of-care model's £32\.14\/h: a risk to quality and continuity/);
    assert.match(text, /£34\.00\/h is at or above the cost-of-care model's £32\.14\/h \(by £1\.86, 5\.8%\)/);
    await h.click(ranking, "Record the person's choice", { as: 'user-sam', inputs: { choice: `${ref}:caring-hands`, tookPart: 'person', personWords: 'Caring Hands, please.' } });
    const approval = await h.nextReply(morgan, { match: /Approve the award/ });
    assert.match(cardText(approval.card), /Cost of care: ⚠ £25\.00\/h is £7\.14 \(22\.2%\) below the cost-of-care model's £32\.14\/h/);
  });

  it('eight weeks after Priya said it, Caring Hands is asked once, in General, to say again; she saves from the card', async () => {
    clock = new Date('2027-01-25T12:00:01Z');
    await h.server.runtime.scheduler.runDue();
    const chase = await inChannel(h.chats.team, /It is over 8 weeks since you last said what you can take/);
    assert.match(messageText(chase), /Bury East\nStale: yes, about 40 hours a week/);
    clock = new Date('2027-01-26T12:00:00Z');
    await h.server.runtime.scheduler.runDue();
    const saved = await h.click(threadOf(chase), 'Save what we can take', { as: 'user-priya' });
    assert.match(cardText(saved.card), /Thank you: saved for Bury East, Radcliffe/);
    assert.equal(h.messagesIn(h.chats.team).filter((m) => /It is over 8 weeks/.test(messageText(m))).length, 1, 'asked once');
  });

  it('sent only sound cards, nothing personal to a provider channel, and logged no errors', () => {
    for (const m of h.messages) for (const card of m.cards) assert.deepEqual(cardProblems(card), [], `card problems in message #${m.seq} (${cardText(card).split('\n')[0]})`);
    for (const card of h.invokeCards) assert.deepEqual(cardProblems(card), [], `card problems in an invoke answer (${cardText(card).split('\n')[0]})`);
    for (const m of [...h.messagesIn('channel-brightpath')]) assert.ok(!/Margaret|Ellis|LAS-|Person PKG/.test(JSON.stringify([m.text, m.cards])), `BrightPath message #${m.seq}`);
    assert.deepEqual(cardActions(report.card).filter((a) => a.type === 'Action.Execute').map((a) => a.title).slice(-2), ['Cost of care', 'Market rules']);
    assert.deepEqual(h.botErrors(), []);
  });
});
