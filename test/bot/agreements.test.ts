import assert from 'node:assert/strict';
import { DEFAULT_RULES } from '../../src/domain/agreement.js';
import type { Agreement } from '../../src/domain/agreement.js';
import { agreementCard } from '../../bot/views/agreementCards.js';
import { councilView } from '../../src/app/agreements/views.js';
import { CARD_BUDGET_BYTES } from '../../bot/render.js';
import { cardText, PEOPLE, startTurns, type Turns } from './turns.js';
import * as fx from './fixtures.js';
import { acceptedAgreement } from './agreementWorld.js';

describe('service agreements from Teams (issue 16)', () => {
  let t: Turns;
  let now: Date;
  let ref: string;
  const who = (p: keyof typeof PEOPLE) => ({ aadObjectId: PEOPLE[p].aadObjectId });
  const body = (r: { value: unknown }) => JSON.stringify(r.value);

  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    ref = await acceptedAgreement(t, (d) => (now = d));
  });
  afterEach(() => t.close());

  it('the provider confirms from the start card; another provider, a social worker and someone with no role cannot', async () => {
    const start = t.posted.find((p) => p.item.message.kind === 'agreement.start');
    assert.equal(start?.to, 'provider:caring-hands');
    const forged = body(await t.click('tom', 'agreement.start', { ref, startDate: '2026-12-14' }));
    assert.match(forged, /not your organisation's package/);
    assert.doesNotMatch(forged, /21 h|£525|Mon, 14 Dec 2026/, "the refusal is not drawn on Caring Hands' start form");
    assert.match(body(await t.click('sam', 'agreement.start', { ref, startDate: '2026-12-14' })), /role doesn't allow/);
    assert.match(body(await t.click('jo', 'agreement.start', { ref, startDate: '2026-12-14' })), /don't have a role/);
    assert.match(body(await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' })), /Start confirmed/);
    assert.equal((await t.store.get('agreements', `AGR-${ref}`))!.status, 'active');
  });

  it('a form refusal is shown next to its field and keeps what was typed', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    const r = await t.click('sam', 'agreement.vary', { ref, elements: 'Support: 21 @ 25\nWaking night: 7 @ 22', effectiveFrom: '2027-01-04', reason: 'short' });
    const card = r.value as Record<string, unknown>;
    const json = JSON.stringify(card);
    assert.match(json, /reason needs at least 10 characters/);
    assert.match(json, /Waking night: 7 @ 22/, 'the elements typed are kept');
  });

  it('commands: the agreement card for the council shows budget and codes; in the provider’s channel it does not; contract rules are for commissioners', async () => {
    const council = cardText((await t.say('sam', `agreement ${ref}`))[0].attachments?.[0]?.content);
    assert.match(council, /Personal budget/);
    const provider = cardText((await t.say('priya', `agreement ${ref}`, { conversationType: 'channel', id: 'channel-caring-hands' }))[0].attachments?.[0]?.content);
    assert.doesNotMatch(provider, /Personal budget|650|Finance codes|Margaret|LAS-400123/);
    assert.match((await t.say('tom', `agreement ${ref}`, { conversationType: 'channel', id: 'channel-brightpath' }))[0].text ?? '', /not your organisation's package/);
    assert.match((await t.say('sam', 'contract rules'))[0].text ?? '', /not open to your role/);
    const inChannel = await t.say('alex', `agreement ${ref}`, { conversationType: 'channel', id: 'channel-caring-hands' });
    assert.deepEqual([inChannel[0].text, inChannel[0].attachments], ['The council’s view of an agreement opens only in your 1:1 chat with the bot.', undefined]);
  });

  it('no provider-bound agreement message carries the person’s details or council-only figures', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    await t.click('sam', 'agreement.suspend', { ref, kind: 'hospital stay', from: '2026-12-16', to: '2026-12-17', note: 'Fairfield General, ward 4' });
    await t.click('sam', 'agreement.vary', { ref, elements: 'Support: 21 @ 25\nWaking night: 7 @ 22', effectiveFrom: '2027-01-04', reason: 'Night-time seizures need a waking night.' });
    await t.click('morgan', 'agreement.variation.approve', { ref, n: 1 });
    now = new Date('2026-12-21T09:00:01Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    const toProvider = t.posted.filter((p) => p.to === 'provider:caring-hands' && p.item.message.kind.startsWith('agreement.'));
    assert.deepEqual([...new Set(toProvider.map((p) => p.item.message.kind))].sort(), ['agreement.return', 'agreement.start', 'agreement.suspended', 'agreement.variation.outcome']);
    for (const p of toProvider) {
      const json = JSON.stringify(p.activity);
      for (const secret of [...fx.PERSON_SECRETS, 'Fairfield', '650', 'budget']) assert.ok(!json.includes(secret), `${p.item.message.kind} shows "${secret}"`);
    }
    assert.equal(t.posted.filter((p) => p.to === 'provider:brightpath' && p.item.message.kind.startsWith('agreement.')).length, 0);
  });

  it('a hand-back reaches Sam as a card that opens the new pre-filled request', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    const r = await t.click('priya', 'agreement.handback', { ref, on: '2027-01-31', reason: 'We can no longer staff the mornings.' });
    assert.match(body(r), /Handed back/);
    await t.drained();
    const told = t.posted.find((p) => p.to === `user:${PEOPLE.sam.aadObjectId}` && p.item.message.kind === 'agreement.handover')!;
    const next = String((told.item.message as { next?: string }).next);
    const card = told.activity.attachments?.[0]?.content;
    assert.match(cardText(card), new RegExp(`Caring Hands Ltd handed the package back, with the contract's 28 days' notice; last day Sun, 31 Jan 2027[\\s\\S]*New request ${next}`));
    const opened = await t.click('sam', 'request.edit', { ref: next, step: 'package' });
    assert.match(body(opened), /"id":"hoursPerWeek","label":"Hours per week","value":21/, 'the package step, pre-filled with the hours');
    const json = JSON.stringify((await t.store.get('requests', next))!.person);
    assert.match(json, /Margaret Ellis/, 'the person travels with the council-only draft');
    assert.equal(t.posted.filter((p) => p.to.startsWith('provider:') && JSON.stringify(p.activity).includes(next)).length, 0, 'no provider hears of the new request until it is published');
  });

  it('what a provider types on an agreement (reasons, element names) reaches staff as plain text, never a live link (review)', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    const link = '[verify your account](https://evil.example/login)';
    const r = await t.click('priya', 'agreement.vary', { ref, elements: `Support: 21 @ 25\n${link}: 7 @ 22`, effectiveFrom: '2027-01-04', reason: `More hours. ${link} ![x](https://evil.example/p.png)` });
    assert.match(body(r), /needs a manager's approval/);
    await t.click('priya', 'agreement.handback', { ref, on: '2027-01-31', reason: `We cannot staff it. ${link}` });
    await t.drained();
    const seen = [
      ...t.posted.filter((p) => p.to.startsWith('user:')).map((p) => JSON.stringify(p.activity)),
      JSON.stringify((await t.say('sam', `agreement ${ref}`))[0]),
    ];
    assert.ok(seen.some((j) => j.includes('verify your account')), 'the words are shown');
    for (const j of seen) assert.doesNotMatch(j, /\]\(https?:|https:\/\/evil/, j.slice(0, 300));
  });

  it('the provider\'s own agreement card keeps council notes with the council: a suspension note and the council\'s reason for ending (review)', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    await t.click('sam', 'agreement.suspend', { ref, kind: 'hospital stay', from: '2026-12-16', to: '2026-12-17', note: 'Fairfield General, ward 4' });
    await t.click('sam', 'agreement.end', { ref, on: '2027-01-31', reason: 'Moving in with her daughter in Leeds.' });
    const inChannel = async () => JSON.stringify(await t.say('priya', `agreement ${ref}`, { conversationType: 'channel', id: 'channel-caring-hands' }));
    const provider = await inChannel();
    assert.match(provider, /hospital stay/, 'the provider still sees the kind of suspension');
    assert.doesNotMatch(provider, /Fairfield|ward 4|daughter|Leeds/);
    const council = JSON.stringify(await t.say('sam', `agreement ${ref}`));
    assert.match(council, /Fairfield General, ward 4/);
    assert.match(council, /daughter in Leeds/);
  });

  it('a pasted CSV longer than 4,000 characters is read whole, or refused whole: never cut short into a smaller return (review)', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    now = new Date('2026-12-29T10:00:00Z');
    const row = (d: number) => `${ref},2026-12-${14 + (d % 7)},0.25,Carer name for the visit ${d}`;
    const rows = Array.from({ length: 150 }, (_, i) => row(i));
    const csv = ['reference,date,hours,carer', ...rows].join('\n');
    assert.ok(csv.length > 6000 && csv.length < 20000);
    const r = await t.click('priya', 'agreement.csv', { ref, csv });
    assert.match(body(r), /Recorded 1 return/);
    assert.deepEqual((await t.store.get('agreements', `AGR-${ref}`))!.returns.map((x) => x.hours), [37.5], 'all 150 visits of a quarter hour');
    const huge = ['reference,date,hours,carer', ...Array.from({ length: 600 }, (_, i) => row(i))].join('\n');
    assert.match(body(await t.click('priya', 'agreement.csv', { ref, csv: huge })), /at most 20,000 characters/);
  });

  it('a pasted CSV names every bad line, a row for another provider’s package too, also when it is pasted alone (issue 22, 11)', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    const a = (await t.store.get('agreements', `AGR-${ref}`))!;
    const other = 'PKG-2026-0099';
    await t.store.transact({ actor: 'test', action: 'test.other-agreement' }, async (tx) => tx.put('agreements', { ...a, id: `AGR-${other}`, ref: other, providerId: 'brightpath', providerName: 'BrightPath Care' }));
    now = new Date('2026-12-29T10:00:00Z');
    const csv = ['reference,date,hours', `${ref},2026-12-14,3`, `${ref},2026-02-30,3`, `${ref},2026-12-15,25`, `${other},2026-12-15,3`, 'PKG-1,2026-12-16,3'].join('\n');
    const r = await t.click('priya', 'agreement.csv', { ref, csv });
    assert.match(cardText(r.value), /line 3: "2026-02-30" is not a date; line 4: the hours must be a number from 0 to 24; line 5: PKG-2026-0099 is not your organisation's package; line 6: "PKG-1" is not a package reference/);
    const alone = await t.click('priya', 'agreement.csv', { ref, csv: `reference,date,hours\n${ref},2026-12-14,3\n${other},2026-12-15,3` });
    assert.match(cardText(alone.value), /line 3: PKG-2026-0099 is not your organisation's package/);
    assert.doesNotMatch(JSON.stringify(alone.value), /2026-12-14\)/, 'nothing about the other package (its start) is read back');
    assert.equal((await t.store.get('agreements', `AGR-${ref}`))!.returns.length, 0, 'nothing recorded from a refused file');
    assert.equal((await t.store.audit({ action: 'agreements.refused' })).filter((e) => JSON.stringify(e).includes(other)).length >= 2, true, 'each forged row is audited');
  });

  it('a payments export or contracts report cannot run centuries ahead: the bot refuses it at once instead of working out every week to 9999 (review)', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    for (const command of ['payments 2026-01-01 to 9999-12-31', 'payments 2026-01-01 to 2035-06-30', 'contracts report 2026-06-01 to 2034-01-01']) {
      const started = Date.now();
      const [reply] = await t.say('alex', command);
      assert.ok(Date.now() - started < 10_000, `${command} took ${Date.now() - started} ms`);
      assert.match(reply.text ?? '', /cannot end more than a year from today|at most 10 years/, command);
    }
    const [ok] = await t.say('alex', 'payments 2026-12-01 to 2027-01-31');
    assert.ok(ok.attachments?.length, 'a period within a year ahead still gives the card');
  });

  it('a year of weekly periods, variations and suspensions still draws a card inside the 28 KB budget', async () => {
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    const a = (await t.store.get('agreements', `AGR-${ref}`))!;
    const big: Agreement = {
      ...a,
      returns: Array.from({ length: 52 }, (_, i) => ({ periodStart: new Date(Date.parse('2026-12-14') + i * 7 * 86_400_000).toISOString().slice(0, 10), hours: 20, source: 'card' as const, by: 'x', at: 'x', corrections: [] })),
      versions: [...a.versions, ...Array.from({ length: 40 }, (_, i) => ({ ...a.versions[1], version: i + 3, summary: 'x'.repeat(200), reason: 'y'.repeat(300) }))],
      reviews: Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, kind: 'variance' as const, text: 'z'.repeat(300), at: 'x' })),
    };
    const card = agreementCard(councilView(big, { ...DEFAULT_RULES, period: 'weekly' }, new Date('2027-12-20T10:00:00Z'), { id: PEOPLE.sam.aadObjectId, name: 'Sam', roles: ['social_worker'] }));
    assert.ok(Buffer.byteLength(JSON.stringify(card)) < CARD_BUDGET_BYTES);
    assert.match(cardText(card), /History \(42 versions\)/);
  });
});
