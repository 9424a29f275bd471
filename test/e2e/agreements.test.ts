/**
 * After the award, through the Agents Playground: Caring Hands accepts and the award becomes a
 * service agreement; Priya confirms the start in the channel; she returns four weekly periods
 * (one within tolerance, one beyond: Sam gets "review needed" with the figures), the last one as
 * a pasted call-monitoring CSV; Sam proposes waking nights, which goes to Morgan and is approved;
 * Sam records a hospital stay; Alex's payments export for the four weeks matches the figures
 * worked by hand in test/domain/agreementRules.test.ts. The call-off up to the award is seeded
 * through the use cases (the award has its own scenario); acceptance onwards is clicked.
 */
import assert from 'node:assert/strict';
import { cardActions, cardInputs, cardProblems, cardText, messageText, startHarness, threadOf, walkCard, withDemoChannels, openChats, type BotMessage, type Harness } from './harness.js';
import * as fx from '../bot/fixtures.js';
import { PEOPLE } from '../bot/turns.js';
import { lockScores } from '../../src/app/award/evaluation.js';
import { decideAward, recordChoice } from '../../src/app/award/decision.js';
import { bidId } from '../../src/domain/calloff.js';

describe('e2e: service agreement, returns, variation, suspension and payments (bot + Agents Playground)', function () {
  let h: Harness;
  let clock = new Date('2026-11-22T10:00:00Z');
  let sam: string;
  let morgan: string;
  let ref: string;
  const general = () => h.chats.team;
  const inChannel = (conv: string, re: RegExp, kind: 'create' | 'update' = 'create') => h.waitFor((m) => m.kind === kind && m.conversationId.startsWith(conv) && re.test(messageText(m)), { what: `${re} in ${conv}` });
  const at = async (iso: string) => {
    clock = new Date(iso);
    await h.server.runtime.scheduler.runDue();
  };
  const returnCard = (from: RegExp) => inChannel(general(), new RegExp(`${ref}: delivered hours[\\s\\S]*${from.source}`));

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

  it('Alex sets the contract rules: a bad figure is refused next to its field, then weekly returns with a 10% tolerance', async () => {
    const form = await h.ask(h.chats.personal, 'contract rules', { match: /Contract rules/ });
    const rules = { period: 'weekly', tolerancePct: '10', bankMaxHours: '10', bankMaxWeeks: '8', variationThreshold: '50', retainerPct: '50', retainerWeeks: '2', firstReviewWeeks: '6', offContractReviewWeeks: '4', reminderDays: '3', frameworkMinAnnual: '20000', frameworkMaxAnnual: '40000' };
    const bad = await h.click(form, 'Save the rules', { inputs: { ...rules, retainerPct: '150' } });
    assert.match(cardText(bad.card), /retainer during a suspension \(%\) must be at most 100/);
    assert.equal(cardInputs(bad.card).tolerancePct.value, 10, 'what was typed is kept');
    const saved = await h.click(bad, 'Save the rules', { inputs: rules });
    assert.match(cardText(saved.card), /Saved/);
  });

  it('Caring Hands accepts the award; the agreement is created and Priya confirms the start in the channel', async () => {
    ref = await fx.submitted(h.server.store, clock);
    await h.ask(h.chats.personal, `publish ${ref}`, { match: /Published/ });
    const post = threadOf(await inChannel(general(), /Call-off PKG/));
    await h.invoke({ message: post, as: 'user-priya', verb: 'bid.submit', data: { ref, ...fx.goodBid() } });
    await at('2026-12-01T17:00:01Z');
    const who = { aadObjectId: PEOPLE.sam.aadObjectId };
    const r = (await h.server.store.get('requests', ref))!;
    const label = r.evaluation!.bids[0].label;
    await lockScores(h.server.store, who, ref, label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, clock);
    await recordChoice(h.server.store, who, ref, { bidId: bidId(ref, 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, clock);
    await decideAward(h.server.store, { aadObjectId: PEOPLE.morgan.aadObjectId }, ref, { n: 1, outcome: 'approved' }, clock);
    h.server.runtime.changed();

    const offer = threadOf(await inChannel(general(), /Award of call-off/));
    await h.click(offer, 'Accept the award', { as: 'user-priya' });
    const start = threadOf(await inChannel(general(), new RegExp(`${ref}: confirm the start`)));
    assert.match(messageText(start), /21 h a week at £525\.00 a week/);
    await h.nextReply(sam, { match: new RegExp(`${ref} is now a service agreement`) });

    const bad = await h.click(start, 'Confirm the start', { as: 'user-priya', inputs: { startDate: '2026-13-01' } });
    assert.match(cardText(bad.card), /start date must be a date/);
    const ok = await h.click(bad, 'Confirm the start', { as: 'user-priya', inputs: { startDate: '2026-12-14' } });
    assert.match(cardText(ok.card), /Start confirmed/);
    await h.nextReply(sam, { match: /confirmed PKG-\d{4}-\d{4} starts on Mon, 14 Dec 2026\. First review: Mon, 25 Jan 2027/ });
    const a = (await h.server.store.get('agreements', `AGR-${ref}`))!;
    assert.deepEqual([a.status, a.versions.length, a.versions[1].change], ['active', 2, 'start confirmed']);
  });

  it('Alex sets the finance codes from the agreement card (a new version)', async () => {
    const card = await h.ask(h.chats.personal, `agreement ${ref}`, { match: /Service agreement/ });
    const form = await h.click(card, 'Review date and codes');
    const saved = await h.click(form, 'Save', { inputs: { costCentre: 'ASC-LD-01', providerFinanceId: 'CH-001' } });
    assert.match(cardText(saved.card), /Saved as a new version/);
    assert.match(cardText(saved.card), /cost centre ASC-LD-01; provider finance id CH-001/);
  });

  it('week 1: the return card comes the morning after; 21 of 21 hours', async () => {
    await at('2026-12-21T09:00:01Z');
    const card = threadOf(await returnCard(/Mon, 14 Dec 2026/));
    const early = await h.invoke({ message: card, as: 'user-priya', verb: 'agreement.return', data: { ref, periodStart: '2026-12-21', hours: '20' } });
    assert.match(cardText(early.card), /has not ended yet/, 'a period still running is refused next to the period');
    const done = await h.click(card, 'Send the return', { as: 'user-priya', inputs: { periodStart: '2026-12-14', hours: '21' } });
    assert.match(cardText(done.card), /Return recorded: 21 of 21 planned hours\./);
    // Issue 22, 5: the answer's history is the provider's own, without the codes Alex just set.
    assert.match(cardText(done.card), /History\n[\s\S]*Start confirmed for Mon, 14 Dec 2026/);
    assert.doesNotMatch(cardText(done.card), /ASC-LD-01|CH-001|cost centre|finance|review|25 Jan 2027/i);
  });

  it('week 2: 20 of 21 hours is within tolerance, one hour banked, nobody is asked to review', async () => {
    await at('2026-12-28T09:00:01Z');
    const card = threadOf(await returnCard(/Mon, 21 Dec 2026/));
    const done = await h.click(card, 'Send the return', { as: 'user-priya', inputs: { periodStart: '2026-12-21', hours: '20' } });
    assert.match(cardText(done.card), /20 of 21 planned hours\./);
    assert.match(cardText(done.card), /banked/);
  });

  it('week 3: 27 of 21 hours is beyond tolerance: Sam and Alex get "review needed" with the figures', async () => {
    await at('2027-01-04T09:00:01Z');
    const card = threadOf(await returnCard(/Mon, 28 Dec 2026/));
    const done = await h.click(card, 'Send the return', { as: 'user-priya', inputs: { periodStart: '2026-12-28', hours: '27' } });
    assert.match(cardText(done.card), /beyond the council’s tolerance/);
    assert.match(cardText(done.card), /5 hours above the plan are not covered by banked hours/);
    const review = await h.nextReply(sam, { match: /Review needed/ });
    assert.match(messageText(review), /27 hours delivered against 21 planned \(\+6 hours, \+28\.57%\), beyond the 10% tolerance\. 1 banked hours used\. 5 hours above the plan/);
    await h.nextReply(h.chats.personal, { match: /Review needed/ });
    assert.equal(h.messagesIn(sam).filter((m) => /Review needed/.test(messageText(m))).length, 1, 'weeks 1 and 2 (within tolerance) raised no review');
  });

  it('Sam proposes waking nights from 4 January; it is over the threshold and the budget, so Morgan approves it; the provider is told', async () => {
    clock = new Date('2027-01-04T10:00:00Z');
    const card = await h.ask(sam, `agreement ${ref}`, { as: 'user-sam', match: /Service agreement/ });
    const form = await h.click(card, 'Propose a variation', { as: 'user-sam' });
    const bad = await h.click(form, 'Propose the variation', { as: 'user-sam', inputs: { elements: 'Support: 21 @ 25\nWaking night 7 at 22', effectiveFrom: '2027-01-04', reason: 'Night-time seizures need a waking night.' } });
    assert.match(cardText(bad.card), /line 2 \("Waking night 7 at 22"\) must read "name: hours @ rate"/);
    const sent = await h.click(bad, 'Propose the variation', { as: 'user-sam', inputs: { elements: 'Support: 21 @ 25\nWaking night: 7 @ 22' } });
    assert.match(cardText(sent.card), /needs a manager's approval \(it raises the weekly cost by £154\.00, more than the £50\.00 threshold; it takes the weekly cost to £679\.00, above the £650\.00 personal budget\)/);

    const approval = await h.nextReply(morgan, { match: /Approve a variation/ });
    assert.match(cardText(approval.card), /£525\.00 → £679\.00/);
    const rejectEmpty = await h.click(approval, 'Reject', { as: 'user-morgan', inputs: { decisionNote: '' } });
    assert.match(cardText(rejectEmpty.card), /say why the variation is rejected/);
    const approved = await h.click(rejectEmpty, 'Approve', { as: 'user-morgan' });
    assert.match(cardText(approved.card), /✔ Approved by Morgan Lee/);
    assert.deepEqual(cardActions(approved.card).map((a) => a.title), []);
    const told = await inChannel(general(), /Variation 1 of PKG-\d{4}-\d{4} .*was approved: 28 hours, £679\.00 a week now/);
    assert.doesNotMatch(messageText(told), /budget|650/, 'the provider is not told the personal budget');
  });

  it('Sam records a hospital stay, 7 to 9 January; the provider is told the dates and the retainer', async () => {
    clock = new Date('2027-01-07T11:00:00Z');
    const card = await h.ask(sam, `agreement ${ref}`, { as: 'user-sam', match: /Service agreement/ });
    const form = await h.click(card, 'Record a suspension', { as: 'user-sam' });
    const bad = await h.click(form, 'Record the suspension', { as: 'user-sam', inputs: { kind: 'hospital stay', from: '2027-01-09', to: '2027-01-07', note: '' } });
    assert.match(cardText(bad.card), /the last day must be on or after the first day/);
    const ok = await h.click(bad, 'Record the suspension', { as: 'user-sam', inputs: { from: '2027-01-07', to: '2027-01-09' } });
    assert.match(cardText(ok.card), /Suspension recorded/);
    await inChannel(general(), /suspended from Thu, 7 Jan 2027 to Sat, 9 Jan 2027 \(hospital stay\)[\s\S]*retainer of 50%/);
  });

  it('week 4 comes as a pasted call-monitoring CSV: a bad line refuses the file, then 16 hours over four days', async () => {
    await at('2027-01-11T09:00:01Z');
    const card = threadOf(await returnCard(/Mon, 4 Jan 2027/));
    const csvForm = await h.click(card, 'Paste a CSV', { as: 'user-priya' });
    const header = 'Reference,Date,Carer,Minutes';
    const rows = ['04/01/2027', '05/01/2027', '06/01/2027', '10/01/2027'].map((d) => `${ref},${d},C. Jones,240`);
    const bad = await h.click(csvForm, 'Send the returns', { as: 'user-priya', inputs: { csv: [header, ...rows, `${ref},31/02/2027,C. Jones,240`].join('\n') } });
    assert.match(cardText(bad.card), /line 6: "31\/02\/2027" is not a date/);
    assert.equal((await h.server.store.get('agreements', `AGR-${ref}`))!.returns.length, 3, 'nothing recorded from a refused file');
    const ok = await h.click(bad, 'Send the returns', { as: 'user-priya', inputs: { csv: [header, ...rows].join('\n') } });
    assert.match(cardText(ok.card), /Recorded 1 return\(s\): PKG-\d{4}-\d{4} from 2027-01-04: 16 h\./);
  });

  it('the payments export for the four weeks matches the hand-worked figures: £525 + £500 + £550 + £533.50 = £2,108.50', async () => {
    clock = new Date('2027-01-12T10:00:00Z');
    const card = await h.ask(h.chats.personal, 'payments 2026-12-14 to 2027-01-10', { match: /Payments/ });
    assert.match(cardText(card.card), /Total payable £2,108\.50 \(4 agreement period\(s\)\)/);
    assert.match(cardText(card.card), /Caring Hands Ltd[\s\S]*planned 79 h, delivered 84 h, paid 79 h; retainers £145\.50; payable £2,108\.50/);
    const links: { title: string; url: string }[] = [];
    walkCard(card.card, (n) => {
      if (n.type === 'Action.OpenUrl') links.push({ title: String(n.title), url: String(n.url) });
    });
    const link = (title: RegExp) => links.find((l) => title.test(l.title))!.url;
    const own = /\[This provider's CSV\]\((http[^)]+)\)/.exec(cardText(card.card))![1];
    const res = await fetch(own);
    assert.equal(res.status, 200);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    const head = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
    assert.equal(rows.length, 4, 'one row per agreement and period');
    assert.deepEqual(
      rows.map((r) => [r.period_start, r.planned_hours, r.planned_cost, r.delivered_hours, r.banked_hours, r.bank_drawn_hours, r.unpaid_excess_hours, r.suspended_days, r.retainer, r.variations, r.payable_hours, r.payable_amount]),
      [
        ['2026-12-14', '21.00', '525.00', '21.00', '0.00', '0.00', '0.00', '0', '0.00', '', '21.00', '525.00'],
        ['2026-12-21', '21.00', '525.00', '20.00', '1.00', '0.00', '0.00', '0', '0.00', '', '20.00', '500.00'],
        ['2026-12-28', '21.00', '525.00', '27.00', '0.00', '1.00', '5.00', '0', '0.00', '', '22.00', '550.00'],
        ['2027-01-04', '16.00', '388.00', '16.00', '0.00', '0.00', '0.00', '3', '145.50', 'V1', '16.00', '533.50'],
      ],
    );
    assert.deepEqual([...new Set(rows.map((r) => `${r.provider_id}|${r.provider_finance_id}|${r.cost_centre}|${r.case_reference}`))], ['caring-hands|CH-001|ASC-LD-01|LAS-400123']);
    const all = await (await fetch(link(/^All rows/))).text();
    for (const secret of ['Margaret', 'Ellis', '1961', 'Rowan', 'BL9']) assert.ok(!all.includes(secret), `the export must not hold "${secret}"`);
    const totals = await (await fetch(link(/^Totals/))).text();
    assert.match(totals, /All providers,4,79\.00,84\.00,79\.00,145\.50,2108\.50,0/);
  });

  it('the contracts report shows committed against delivered spend, the agreement needing review and framework spend against its limits', async () => {
    const card = await h.ask(h.chats.personal, 'contracts report 2026-12-14 to 2027-01-10', { match: /Contracts/ });
    const text = cardText(card.card);
    // Committed: 3 × £525 + £388 planned + £145.50 retainer = £2,108.50; delivered (payable) £2,108.50.
    assert.match(text, /Caring Hands Ltd: committed £2,108\.50, delivered £2,108\.50/);
    assert.match(text, /bury-east: committed/);
    // £20,000 to £40,000 a year is £1,534.25 to £3,068.49 for 28 days.
    assert.match(text, /£2,108\.50 over 28 days: within \(minimum £1,534\.25, maximum £3,068\.49/);
    assert.match(text, new RegExp(`${ref} \\(Caring Hands Ltd\\): variance`));
  });

  it('Priya asks for a higher rate from February in the channel: over the threshold and the budget, she is told only the threshold (issue 22, 4)', async () => {
    const card = threadOf(await h.ask(general(), `agreement ${ref}`, { as: 'user-priya', match: /Service agreement/ }));
    assert.doesNotMatch(cardText(card.card), /ASC-LD-01|CH-001|cost centre|finance|Review date|budget|650/i, 'the agreement card in the channel holds no council-only terms');
    const form = await h.click(card, 'Ask for a variation', { as: 'user-priya' });
    const sent = await h.click(form, 'Ask for the variation', { as: 'user-priya', inputs: { elements: 'Support: 21 @ 28\nWaking night: 7 @ 22', effectiveFrom: '2027-02-01', reason: 'Our care workers’ pay rises in February.' } });
    assert.match(cardText(sent.card), /Variation 2 needs a manager's approval \(it raises the weekly cost by £63\.00, more than the £50\.00 threshold\); it has been sent\./);
    assert.doesNotMatch(cardText(sent.card), /budget|650/);
    const approval = await h.nextReply(morgan, { match: /Approve a variation[\s\S]*£679\.00 → £742\.00/ });
    assert.match(cardText(approval.card), /it takes the weekly cost to £742\.00, above the £650\.00 personal budget/, 'Morgan reads the budget reason');
  });

  it('never showed BrightPath the person or the agreement; Caring Hands’ agreement cards never carry the budget; sound cards, no errors', () => {
    for (const m of h.messagesIn('channel-brightpath')) assert.ok(!/Margaret|LAS-400123|AGR-|delivered hours/.test(JSON.stringify(m.activity)), `BrightPath message #${m.seq}`);
    const agreementPosts = h.messagesIn(general()).filter((m: BotMessage) => /delivered hours|confirm the start|Variation 1|suspended from/.test(messageText(m)));
    assert.ok(agreementPosts.length >= 6);
    for (const m of agreementPosts) assert.ok(!/650|budget|ASC-LD-01|CH-001/.test(messageText(m)), `Caring Hands message #${m.seq} shows a council-only figure`);
    for (const m of h.messages) for (const card of m.cards) assert.deepEqual(cardProblems(card), [], `card problems in message #${m.seq} (${cardText(card).split('\n')[0]})`);
    for (const card of h.invokeCards) assert.deepEqual(cardProblems(card), [], `card problems in an invoke answer (${cardText(card).split('\n')[0]})`);
    assert.deepEqual(h.botErrors(), []);
  });
});
