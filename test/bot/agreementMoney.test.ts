/**
 * Issue 22, money: what a variation, a hand-back or an ending may do to periods already returned,
 * and what the payments export and the contracts report keep in view. Caring Hands' agreement
 * (21 h at £25, £525 a week, weekly returns, personal budget £650) starts on Mon 14 Dec 2026;
 * everything is clicked or typed as Priya (provider), Sam (social worker), Morgan (manager) and
 * Alex (broker and commissioner) would.
 */
import assert from 'node:assert/strict';
import { cardText, startTurns, type Turns } from './turns.js';
import { acceptedAgreement } from './agreementWorld.js';

describe('agreement money: back-dated changes, hand-backs and what the reports keep (issue 22)', () => {
  let t: Turns;
  let now: Date;
  let ref: string;
  const agreement = async () => (await t.store.get('agreements', `AGR-${ref}`))!;
  const answer = (r: { value: unknown }) => cardText(r.value);

  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    ref = await acceptedAgreement(t, (d) => (now = d));
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    now = new Date('2026-12-22T10:00:00Z');
  });
  afterEach(() => t.close());

  it('1. the same £525 a week as 10.5 h at £50 from the start does not re-price week 1, already returned, without a manager', async () => {
    const returned = await t.click('priya', 'agreement.return', { ref, periodStart: '2026-12-14', hours: '10.5' });
    assert.match(answer(returned), /Mon, 14 Dec 2026 – Sun, 20 Dec 2026: planned 21 h \(£525\.00\), delivered 10\.5 h[^\n]*; payable £262\.50/);

    const r = await t.click('priya', 'agreement.vary', { ref, elements: 'Support: 10.5 @ 50', effectiveFrom: '2026-12-14', reason: 'Fewer, longer visits at a higher rate.' });
    // 10.5 h instead of 21 also cuts the person's hours, so (issue 23) the council agrees first;
    // then, whatever the weekly cost, a manager, since it re-prices the returned week.
    assert.match(answer(r), /Variation 1 reduces the care the person gets, so the social worker or a broker must agree to it first; it has been sent to them\. Nothing changes until they do\. If they agree, it then needs a manager's approval \(it re-prices the period from 2026-12-14, already returned: payable £262\.50 → £525\.00\)\./);
    assert.match(answer(r), /payable £262\.50/, 'week 1 keeps its price on the card');
    assert.equal((await agreement()).variations[0].status, 'awaiting_agreement');
    const agreed = await t.click('sam', 'agreement.variation.agree', { ref, n: 1 });
    assert.match(answer(agreed), /Agreed\. It now needs an approver \(they have been sent it\); the provider is told the outcome\./);
    const a = await agreement();
    assert.deepEqual([a.variations[0].status, a.versions.at(-1)!.change, a.versions.at(-1)!.weeklyCost], ['awaiting_approval', 'start confirmed', 525]);

    await t.drained();
    const approval = t.posted.find((p) => p.to === 'user:a1e0f3b2-0003-4000-8000-000000000003' && p.item.message.kind === 'agreement.variation');
    assert.match(cardText(approval?.activity.attachments?.[0]?.content), /Needs approval: it re-prices the period from 2026-12-14, already returned: payable £262\.50 → £525\.00/);
    const [payments] = await t.say('alex', 'payments 2026-12-14 to 2026-12-20');
    assert.match(cardText(payments.attachments?.[0]?.content), /Total payable £262\.50/);
  });

  it('1. a back-dated cut that re-prices a returned week needs a manager too; one from a week not yet returned applies at once', async () => {
    await t.click('priya', 'agreement.return', { ref, periodStart: '2026-12-14', hours: '21' });
    const cut = await t.click('sam', 'agreement.vary', { ref, elements: 'Support: 21 @ 20', effectiveFrom: '2026-12-14', reason: 'The rate agreed was lower than recorded.' });
    assert.match(answer(cut), /Variation 1 needs a manager's approval \(it re-prices the period from 2026-12-14, already returned: payable £525\.00 → £420\.00\)/);
    await t.click('morgan', 'agreement.variation.reject', { ref, n: 1, decisionNote: 'Not for a paid week.' });
    const later = await t.click('sam', 'agreement.vary', { ref, elements: 'Support: 18 @ 25', effectiveFrom: '2026-12-21', reason: 'Fewer hours from the 21st, as agreed.' });
    assert.match(answer(later), /Variation 2 is within the limits and applies from 2026-12-21\./);
    assert.match(answer(later), /1\. Support: 21 @ 20 from Mon, 14 Dec 2026: £525\.00 → £420\.00 a week\. Rejected by Morgan Lee: Not for a paid week\. Reason: The rate agreed was lower than recorded\./, 'the note ends its own sentence');
  });

  it('1 with issue 23: a provider’s back-dated cut, agreed by the council only after the week it reaches into was returned, goes to a manager: the need is decided again on the day of the agreement', async () => {
    const cut = await t.click('priya', 'agreement.vary', { ref, elements: 'Support: 14 @ 25', effectiveFrom: '2026-12-14', reason: 'We could staff only two thirds of the visits.' });
    assert.match(answer(cut), /Variation 1 reduces the care the person gets, so the social worker or a broker must agree to it first; it has been sent to them\. Nothing changes until they do\.\n/, 'no week returned yet: nothing more to say');
    await t.click('priya', 'agreement.return', { ref, periodStart: '2026-12-14', hours: '21' });
    const agreed = await t.click('sam', 'agreement.variation.agree', { ref, n: 1 });
    assert.match(answer(agreed), /Agreed\. It now needs an approver/);
    const v = (await agreement()).variations[0];
    assert.equal(v.status, 'awaiting_approval');
    assert.match(v.approvalReasons.join(), /it re-prices the period from 2026-12-14, already returned: payable £525\.00 → £/);
    assert.equal((await agreement()).versions.at(-1)!.weeklyCost, 525, 'nothing applied');
  });

  it('2 with issue 23: a provider’s back-dated cut is put to the council against the terms in force on its first day, not a rise applied since', async () => {
    await t.click('priya', 'agreement.vary', { ref, elements: 'Support: 21 @ 27', effectiveFrom: '2026-12-23', reason: 'Our rate goes up from tomorrow.' });
    await t.click('priya', 'agreement.vary', { ref, elements: 'Support: 14 @ 25', effectiveFrom: '2026-12-14', reason: 'We could staff only two thirds of the visits.' });
    await t.drained();
    const consent = t.posted.filter((p) => p.item.message.kind === 'agreement.variation.consent').at(-1);
    assert.match(cardText(consent?.activity.attachments?.[0]?.content), /Before the change\n21 hours, £525\.00 a week\nAsked for\nSupport: 14 @ 25, from Mon, 14 Dec 2026: £350\.00 a week/);
  });

  it('2. a back-dated change is measured against the terms in force on its first day, not the latest: a renamed element at tomorrow’s higher rate, from the start, goes to a manager', async () => {
    const rise = await t.click('priya', 'agreement.vary', { ref, elements: 'Support: 21 @ 27', effectiveFrom: '2026-12-23', reason: 'Our rate goes up from tomorrow.' });
    assert.match(answer(rise), /Variation 1 is within the limits and applies from 2026-12-23\./);
    const renamed = await t.click('priya', 'agreement.vary', { ref, elements: 'Day support: 21 @ 27', effectiveFrom: '2026-12-14', reason: 'Renaming the support to match our rota.' });
    assert.match(answer(renamed), /Variation 2 needs a manager's approval \(it raises the cost from 2026-12-14, before today, so it re-prices days already past\); it has been sent\./);
    assert.match(answer(renamed), /2\. Day support: 21 @ 27 from Mon, 14 Dec 2026: £525\.00 → £567\.00 a week\. Waiting for a manager/);
    const a = await agreement();
    assert.deepEqual([a.variations[1].weeklyBefore, a.variations[1].status, a.versions.at(-1)!.elements[0].name], [525, 'awaiting_approval', 'Support']);
  });

  it('3. a hand-back cannot end the package before its start, or before a week already returned; the returned week stays in the export', async () => {
    await t.click('priya', 'agreement.return', { ref, periodStart: '2026-12-14', hours: '10.5' });
    const early = await t.click('priya', 'agreement.handback', { ref, on: '2026-11-14', reason: 'We can no longer staff the mornings.' });
    assert.match(answer(early), /the last day cannot be before the start \(2026-12-14\)/);
    assert.match(JSON.stringify(early.value), /We can no longer staff the mornings\./, 'what was typed is kept');
    const inside = await t.click('priya', 'agreement.handback', { ref, on: '2026-12-16', reason: 'We can no longer staff the mornings.' });
    assert.match(answer(inside), /the last day cannot be before 2026-12-20: the return for the period from 2026-12-14 is in/);
    const ended = await t.click('sam', 'agreement.end', { ref, on: '2026-12-01', reason: 'Entered by mistake, a test.' });
    assert.match(answer(ended), /the last day cannot be before the start \(2026-12-14\)/, 'the council’s ending, as before');
    assert.equal((await agreement()).status, 'active');

    // Issue 23: the contract's 28 days' notice from today (22 Dec), so the earliest last day is 19 Jan.
    const short = await t.click('priya', 'agreement.handback', { ref, on: '2026-12-27', reason: 'We can no longer staff the mornings.' });
    assert.match(answer(short), /the contract gives the council 28 days' notice of a hand-back: the last day can be no earlier than Tue, 19 Jan 2027/);
    const ok = await t.click('priya', 'agreement.handback', { ref, on: '2027-01-19', reason: 'We can no longer staff the mornings.' });
    assert.match(answer(ok), /Handed back/);
    const [payments] = await t.say('alex', 'payments 2026-12-14 to 2026-12-27');
    assert.match(cardText(payments.attachments?.[0]?.content), /Total payable £262\.50 \(2 agreement period\(s\)\)/);
  });

  it('3. an agreement already stored ended before its start (as the old hand-back allowed) still shows its returned week in the payments export', async () => {
    await t.click('priya', 'agreement.return', { ref, periodStart: '2026-12-14', hours: '10.5' });
    const a = await agreement();
    const last = a.versions.at(-1)!;
    await t.store.transact({ actor: 'test', action: 'test.old-handback' }, async (tx) => {
      tx.put('agreements', { ...a, status: 'ended', ending: { on: '2026-11-14', reason: 'old data', kind: 'handed back', by: 'x', at: now.toISOString() }, versions: [...a.versions, { ...last, version: last.version + 1, change: 'handed back', endDate: '2026-11-14' }] });
    });
    const [payments] = await t.say('alex', 'payments 2026-12-14 to 2026-12-20');
    const text = cardText(payments.attachments?.[0]?.content);
    assert.match(text, /1 agreement period\(s\)/);
    assert.match(text, /Caring Hands Ltd[\s\S]*planned 0 h, delivered 10\.5 h, paid 0 h/);
  });

  it('12. the contracts report keeps an agreement that ended with a missing-return review raised in the period, and later reports keep it while the return is missing', async () => {
    for (const at of ['2026-12-21T09:00:01Z', '2026-12-24T09:00:01Z', '2026-12-27T09:00:01Z']) {
      now = new Date(at);
      await t.runtime.scheduler.runDue();
    }
    assert.deepEqual((await agreement()).reviews.map((r) => r.kind), ['missing return']);
    now = new Date('2026-12-28T10:00:00Z');
    await t.click('sam', 'agreement.end', { ref, on: '2026-12-27', reason: 'She has moved to a care home.' });
    assert.equal((await agreement()).status, 'ended');

    const report = async (period: string) => cardText((await t.say('alex', `contracts report ${period}`))[0].attachments?.[0]?.content);
    assert.match(await report('2026-12-14 to 2026-12-27'), new RegExp(`Agreements needing review \\(1\\)\\n${ref} \\(Caring Hands Ltd, ended Sun, 27 Dec 2026\\): missing return: 2026-12-14 to 2026-12-20: no delivered-hours return`));
    assert.match(await report('2027-01-01 to 2027-01-31'), new RegExp(`Agreements needing review \\(1\\)\\n${ref} \\(Caring Hands Ltd, ended Sun, 27 Dec 2026\\): missing return \\(still missing\\): 2026-12-14 to 2026-12-20`));

    now = new Date('2027-01-04T10:00:00Z');
    await t.click('priya', 'agreement.return', { ref, periodStart: '2026-12-14', hours: '21' });
    assert.match(await report('2027-01-01 to 2027-01-31'), /Agreements needing review \(0\)\nnone/, 'the return came in: nothing left to review');
  });
});
