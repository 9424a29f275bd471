import assert from 'node:assert/strict';
import { bidId } from '../../src/domain/calloff.js';
import { lockScores } from '../../src/app/award/evaluation.js';
import { recordChoice } from '../../src/app/award/decision.js';
import { cardOf, cardText, PEOPLE, startTurns, type Turns } from './turns.js';
import * as fx from './fixtures.js';
import { acceptedAgreement } from './agreementWorld.js';

/** The cost-of-care model from Teams (issue 25): the commissioner sees and sets it; others only see it. */
describe('the cost of care from Teams (issue 25)', () => {
  let t: Turns;
  const now = new Date('2026-11-22T10:00:00Z');
  let clock = now;
  const body = (r: { value: unknown }) => (typeof r.value === 'string' ? r.value : cardText(r.value));

  beforeEach(async () => {
    clock = now;
    t = await startTurns({ now: () => clock });
  });
  afterEach(() => t.close());

  it('Alex sees the council default with its workings, £32.14 an hour, and that its pay is below this year’s living wage', async () => {
    const [reply] = await t.say('alex', 'cost of care');
    const text = cardText(cardOf(reply));
    assert.match(text, /Cost of care: the council default/);
    assert.match(text, /Sustainable hourly rate\n£32\.14 an hour/);
    assert.match(text, /Travel time\n£3\.66 \(£12\.21 × 18 min ÷ 60\)/);
    assert.match(text, /= Direct care worker costs\n£22\.71/);
    assert.match(text, /below the National Living Wage of £12\.71 in force since Wed, 1 Apr 2026/);
    assert.match(text, /Deaf services\n£32\.14 an hour \(the council default\)/);
  });

  it('Alex gives Autism its own model at £12.71 with a 5% uplift in Ramsbottom: £33.08, and £34.73 there; a bad figure is named and what he typed is kept', async () => {
    const form = await t.click('alex', 'market.cost.form', { lot: 'autism' });
    assert.match(body(form), /Autism uses the council default; saving gives it a model of its own/);
    const base = { payPerHour: '12.71', holidayPct: '12.07', employerNiPct: '15', niThresholdYearly: '5000', pensionPct: '3', pensionThresholdYearly: '6240', paidHoursPerWeek: '30', travelMinutesPerHour: '18', trainingMinutesPerHour: '5', milesPerHour: '2.9', pencePerMile: '45', overheadsPerHour: '8.49', surplusPct: '3', source: 'Autism cost exercise 2026' };
    const bad = await t.click('alex', 'market.cost.save', { lot: 'autism', ...base, surplusPct: 'lots', zoneUplifts: 'ramsbottom: 5\nthe moon: 3' });
    const badText = JSON.stringify(bad.value);
    assert.match(badText, /surplus \(%\) must be a number/);
    assert.match(badText, /line 2 \(\\"the moon: 3\\"\)/);
    assert.match(badText, /Autism cost exercise 2026/, 'what was typed is kept');
    assert.equal(await t.store.get('costModels', 'autism'), undefined);

    const saved = await t.click('alex', 'market.cost.save', { lot: 'autism', ...base, zoneUplifts: 'ramsbottom: 5' });
    const text = body(saved);
    assert.match(text, /Saved\./);
    assert.match(text, /Cost of care: Autism \(its own model\)/);
    assert.match(text, /Sustainable hourly rate\n£33\.08 an hour/);
    assert.match(text, /Ramsbottom\n5% → £34\.73 an hour/);
    assert.doesNotMatch(text, /below the National Living Wage/);
    // The same figures typed again (another click, not a retry of this one): nothing to change.
    assert.match(body(await t.click('alex', 'market.cost.save', { lot: 'autism', ...base, payPerHour: ' 12.71 ', zoneUplifts: 'ramsbottom: 5' })), /Nothing changed/);

    const reset = await t.click('alex', 'market.cost.default', { lot: 'autism' });
    assert.match(body(reset), /now uses the council default/);
    assert.equal(await t.store.get('costModels', 'autism'), undefined);
  });

  it('a zone the framework does not have is refused by name', async () => {
    const r = await t.click('alex', 'market.cost.save', { lot: 'default', payPerHour: '12.71', holidayPct: '12.07', employerNiPct: '15', niThresholdYearly: '5000', pensionPct: '3', pensionThresholdYearly: '6240', paidHoursPerWeek: '30', travelMinutesPerHour: '18', trainingMinutesPerHour: '5', milesPerHour: '2.9', pencePerMile: '45', overheadsPerHour: '8.49', surplusPct: '3', zoneUplifts: 'atlantis: 5' });
    assert.match(JSON.stringify(r.value), /unknown zone: atlantis/);
  });

  it('Sam (social worker) sees the model but cannot change it; Tom (provider) cannot see it', async () => {
    const [reply] = await t.say('sam', 'cost of care autism');
    assert.match(cardText(cardOf(reply)), /Cost of care: Autism \(the council default\)/);
    assert.doesNotMatch(JSON.stringify(cardOf(reply)), /market\.cost\.form/, 'no button to change it');
    assert.match(body(await t.click('sam', 'market.cost.save', { lot: 'default', payPerHour: '1' })), /role doesn't allow/);
    const [tom] = await t.say('tom', 'cost of care');
    assert.match(tom.text!, /not open to your role/);
  });

  it('the ranking shows each bid’s hourly rate against the model, and the manager’s approval the chosen one’s (worked by hand)', async () => {
    const who = (p: keyof typeof PEOPLE) => ({ aadObjectId: PEOPLE[p].aadObjectId });
    await fx.registerChannels(t.store, clock, 'caring-hands', 'brightpath');
    const ref = await fx.submitted(t.store, clock);
    await t.say('alex', `publish ${ref}`);
    // Caring Hands at £25/h (21 h, £525); BrightPath at £34/h (21 h, £714).
    await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
    await t.click('tom', 'bid.submit', { ref, ...fx.goodBid({ weeklyPrice: '714', hourlyRate: '34', budgetWeekly: '800' }) });
    clock = new Date('2026-12-01T17:00:01Z');
    await t.runtime.scheduler.runDue();
    for (const b of (await t.store.get('requests', ref))!.evaluation!.bids) await lockScores(t.store, who('sam'), ref, b.label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, clock);
    t.runtime.changed();
    await t.drained();
    const ranking = t.posted.find((p) => p.item.message.kind === 'evaluation.ranking')!;
    const text = cardText(cardOf(ranking.activity));
    // Learning disability uses the council default: £32.14. 32.14 − 25 = 7.14; 7.14 ÷ 32.14 = 22.2%.
    assert.match(text, /Cost-of-care model\n£32\.14\/h \(Learning disability: the council default\)/);
    assert.match(text, /⚠ £25\.00\/h is £7\.14 \(22\.2%\) below the cost-of-care model's £32\.14\/h: a risk to quality and continuity/);
    // 34 − 32.14 = 1.86 above; 1.86 ÷ 32.14 = 5.8%.
    assert.match(text, /£34\.00\/h is at or above the cost-of-care model's £32\.14\/h \(by £1\.86, 5\.8%\)/);

    await recordChoice(t.store, who('sam'), ref, { bidId: bidId(ref, 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, clock);
    t.runtime.changed();
    await t.drained();
    const approval = t.posted.find((p) => p.item.message.kind === 'award.approval')!;
    assert.match(cardText(cardOf(approval.activity)), /Cost of care\n⚠ £25\.00\/h is £7\.14 \(22\.2%\) below the cost-of-care model's £32\.14\/h/);
    assert.match(body(await t.click('morgan', 'award.approve', { ref, n: 1 })), /Cost of care\n⚠ £25\.00\/h is £7\.14/, 'on the card after the decision too');
    t.runtime.changed();
    await t.drained();
    assert.ok(t.posted.some((p) => p.to === 'provider:caring-hands' && p.item.message.kind === 'award.offer'));
    for (const p of t.posted.filter((x) => x.to.startsWith('provider:'))) assert.doesNotMatch(JSON.stringify(p.activity), /cost.of.care|32\.14/i, `council-only (${p.item.message.kind})`);
  });

  it('a variation’s approval card shows its rate against the model: 21 h @ £25 and 7 h @ £22 average £24.25 (worked by hand)', async () => {
    const ref = await acceptedAgreement(t, (d) => (clock = d)); // Caring Hands, 21 h at £25
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    await t.click('sam', 'agreement.vary', { ref, elements: 'Support: 21 @ 25\nWaking night: 7 @ 22', effectiveFrom: '2027-01-04', reason: 'Night-time seizures need a waking night.' });
    t.runtime.changed();
    await t.drained();
    // £525 + £154 = £679 a week for 28 hours: £24.25 an hour; 32.14 − 24.25 = 7.89; 7.89 ÷ 32.14 = 24.5%.
    const line = /Cost of care\n⚠ £24\.25\/h is £7\.89 \(24\.5%\) below the cost-of-care model's £32\.14\/h: a risk to quality and continuity \(the elements' average rate\)/;
    const posted = t.posted.find((p) => p.item.message.kind === 'agreement.variation')!;
    assert.match(cardText(cardOf(posted.activity)), line);
    assert.match(body(await t.click('morgan', 'agreement.variation.approve', { ref, n: 1 })), line);
    t.runtime.changed();
    await t.drained();
    const [own] = await t.say('priya', `agreement ${ref}`, { conversationType: 'channel', id: 'channel-caring-hands' });
    assert.match(cardText(cardOf(own)), /Waking night/);
    const toProvider = t.posted.filter((x) => x.to.startsWith('provider:'));
    assert.ok(toProvider.some((p) => p.item.message.kind === 'agreement.variation.outcome'));
    for (const a of [own, ...toProvider.map((p) => p.activity)]) assert.doesNotMatch(JSON.stringify(a), /cost.of.care|32\.14/i, 'council-only');
  });
});
