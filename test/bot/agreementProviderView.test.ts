/**
 * Issue 22, what a provider may see of its agreement: never the person's personal budget (unless
 * the broker chose "Show the budget to providers" on the request), never the council's review
 * date or finance codes, on any card or answer in its channel. Caring Hands' agreement is 21 h at
 * £25 (£525 a week) against a £650 budget, weekly returns, from Mon 14 Dec 2026.
 */
import assert from 'node:assert/strict';
import { renderMessage } from '../../bot/messages.js';
import { cardText, PEOPLE, startTurns, type Turns } from './turns.js';
import { acceptedAgreement } from './agreementWorld.js';

const CHANNEL = { conversationType: 'channel', id: 'channel-caring-hands' } as const;
const MANAGER = `user:${PEOPLE.morgan.aadObjectId}`;
/** Waking nights on top: £679 a week, £154 more (over the £50 threshold) and above the £650 budget. */
const WAKING_NIGHTS = { elements: 'Support: 21 @ 25\nWaking night: 7 @ 22', effectiveFrom: '2027-01-04', reason: 'Night-time seizures need a waking night.' };

describe('what a provider sees of its agreement (issue 22)', () => {
  let t: Turns;
  let now: Date;
  let ref: string;
  const answer = (r: { value: unknown }) => cardText(r.value);
  const start = async (over: Record<string, string> = {}) => {
    ref = await acceptedAgreement(t, (d) => (now = d), over);
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
  };

  beforeEach(async () => {
    t = await startTurns({ now: () => now });
  });
  afterEach(() => t.close());

  describe('4. the personal budget', () => {
    it('a provider’s variation above the threshold and the budget is answered with the threshold only, when the budget is not shown to providers', async () => {
      await start();
      const r = await t.click('priya', 'agreement.vary', { ref, ...WAKING_NIGHTS });
      assert.match(answer(r), /Variation 1 needs a manager's approval \(it raises the weekly cost by £154\.00, more than the £50\.00 threshold\); it has been sent\./);
      const inChannel = (await t.say('priya', `agreement ${ref}`, CHANNEL))[0];
      await t.drained();
      const toProvider = t.posted.filter((p) => p.to === 'provider:caring-hands').map((p) => JSON.stringify(p.activity));
      for (const seen of [JSON.stringify(r.value), JSON.stringify(inChannel), ...toProvider]) assert.doesNotMatch(seen, /budget|650/, seen.slice(0, 400));
      const approval = t.posted.find((p) => p.to === MANAGER && p.item.message.kind === 'agreement.variation');
      assert.match(cardText(approval?.activity.attachments?.[0]?.content), /it takes the weekly cost to £679\.00, above the £650\.00 personal budget/, 'the manager still reads why');
    });

    it('a rise within the threshold that only passes the budget tells the provider it needs approval, without saying why', async () => {
      await start({ budgetWeekly: '560' });
      const r = await t.click('priya', 'agreement.vary', { ref, elements: 'Support: 21 @ 27', effectiveFrom: '2027-01-04', reason: 'Our rate goes up in January.' });
      assert.match(answer(r), /Variation 1 needs a manager's approval; it has been sent\. You will be told the outcome\./);
      assert.doesNotMatch(JSON.stringify(r.value), /budget|560/);
    });

    it('when the broker showed the budget to providers, the provider is told the budget reason too', async () => {
      await start({ showBudget: 'true' });
      const r = await t.click('priya', 'agreement.vary', { ref, ...WAKING_NIGHTS });
      assert.match(answer(r), /\(it raises the weekly cost by £154\.00, more than the £50\.00 threshold; it takes the weekly cost to £679\.00, above the £650\.00 personal budget\)/);
    });
  });

  describe('5. council-only terms in the history', () => {
    it('the review date and finance codes the council sets never reach the provider: `agreement PKG-…` in the channel, the return answer, the posted return card', async () => {
      await start();
      const terms = await t.click('sam', 'agreement.terms', { ref, reviewDate: '2027-01-11', costCentre: 'ASC-AUT-07', providerFinanceId: 'MHP-2231' });
      assert.match(answer(terms), /review 2027-01-25 → 2027-01-11; cost centre none → ASC-AUT-07; provider finance id none → MHP-2231/, 'the council’s history keeps them');
      await t.click('sam', 'agreement.suspend', { ref, kind: 'hospital stay', from: '2026-12-16', to: '2026-12-17', note: 'Fairfield General, ward 4' });
      await t.click('sam', 'agreement.vary', { ref, ...WAKING_NIGHTS });
      await t.click('morgan', 'agreement.variation.approve', { ref, n: 1 });

      now = new Date('2026-12-21T09:00:01Z');
      await t.runtime.scheduler.runDue();
      await t.drained();
      const returned = await t.click('priya', 'agreement.return', { ref, periodStart: '2026-12-14', hours: '15' });
      const channel = (await t.say('priya', `agreement ${ref}`, CHANNEL))[0];
      const posted = t.posted.find((p) => p.to === 'provider:caring-hands' && p.item.message.kind === 'agreement.return')!;
      const redrawn = await renderMessage(t.deps, posted.item);
      assert.notEqual(redrawn, 'skip');

      const seen = { 'the return answer': answer(returned), 'agreement PKG-… in the channel': cardText(channel.attachments?.[0]?.content), 'the posted return card': cardText((redrawn as { attachments?: { content: unknown }[] }).attachments?.[0]?.content) };
      for (const [where, text] of Object.entries(seen)) {
        assert.doesNotMatch(text, /review|cost centre|finance|ASC-AUT-07|MHP-2231|2027-01-11|11 Jan 2027|Fairfield|ward 4|budget|650/i, `${where}:\n${text}`);
        assert.match(text, /History\n[\s\S]*Start confirmed for Mon, 14 Dec 2026[\s\S]*Suspended Wed, 16 Dec 2026 – Thu, 17 Dec 2026 \(hospital stay\)[\s\S]*New terms from Mon, 4 Jan 2027: hours 21 → 28 a week; Waking night added \(7 h at £22\.00\); £679\.00 a week \(Night-time seizures need a waking night\.\)/, `${where}:\n${text}`);
      }
    });
  });

  describe('issue 23 answers, from the provider’s view', () => {
    /** Alex lowers a manager's weekly limit to £500, so the council's levels have something to leak. */
    const lowLevels = { level1Name: 'Manager', level1Weekly: '500', level1Commitment: '100000', level2Name: 'Head of service', level2Yearly: '250000', level2Commitment: '500000', level3Name: 'Director', remindAfterHours: '16', escalateAfterHours: '24', bankHolidays: 'england-and-wales', closedDays: '' };
    const COUNCIL_ONLY = /budget|650|Head of service|Manager's|Director|limit/;

    it('a cut at a higher rate waits for the council, and the provider reads only the threshold as the reason it would then need approval; the council’s refusal reaches its channel without the budget', async () => {
      await start();
      await t.click('alex', 'approvals.levels.save', lowLevels);
      const r = await t.click('priya', 'agreement.vary', { ref, elements: 'Support: 14 @ 48', effectiveFrom: '2027-01-04', reason: 'Fewer, longer visits by senior staff.' });
      assert.match(answer(r), /Variation 1 reduces the care the person gets, so the social worker or a broker must agree to it first; it has been sent to them\. Nothing changes until they do\. If they agree, it then needs a manager's approval \(it raises the weekly cost by £147\.00, more than the £50\.00 threshold\)\./);
      const v = (await t.store.get('agreements', `AGR-${ref}`))!.variations[0];
      assert.deepEqual(v.approvalReasons.length, 3, 'the council’s reasons: the threshold, the budget and the level');
      const consent = await t.click('sam', 'agreement.variation.decline', { ref, n: 1, agreementNote: 'The person needs the morning calls kept.' });
      assert.match(answer(consent), /Not agreed\. The current terms stand\. The provider is told\./);
      const inChannel = (await t.say('priya', `agreement ${ref}`, CHANNEL))[0];
      await t.drained();
      const toProvider = t.posted.filter((p) => p.to === 'provider:caring-hands').map((p) => JSON.stringify(p.activity));
      assert.ok(toProvider.some((p) => /Variation 1 of PKG-\d{4}-\d{4} \(£525\.00 → £672\.00 a week from Mon, 4 Jan 2027\) was not agreed by the council: The person needs the morning calls kept\./.test(p)), toProvider.join('\n'));
      for (const seen of [JSON.stringify(r.value), JSON.stringify(inChannel), ...toProvider]) assert.doesNotMatch(seen, COUNCIL_ONLY, seen.slice(0, 400));
    });

    it('the hand-back form and answer give the contract’s notice from the provider’s view, and nothing council-only', async () => {
      await start();
      now = new Date('2026-12-22T10:00:00Z');
      const form = await t.click('priya', 'agreement.handback.form', { ref });
      assert.match(answer(form), /The contract gives the council 28 days' notice: the last day is at least 28 days from today\./);
      const done = await t.click('priya', 'agreement.handback', { ref, on: '2027-01-19', reason: 'We can no longer staff the package.' });
      assert.match(answer(done), /Handed back: you support the person until 2027-01-19\. The council's brokers are told now/);
      for (const seen of [JSON.stringify(form.value), JSON.stringify(done.value)]) assert.doesNotMatch(seen, /budget|650|review|finance|cost centre/i);
    });
  });
});
