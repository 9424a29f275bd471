/**
 * Joint funding with the NHS (issue 24), through two Agents Playgrounds in front of one bot: the
 * council's Teams (its tenant set as the council's) and the NHS Example ICB's own tenant, where Dr
 * Asha Rao (the ICB's senior funding approver) and Lee Grant (a viewer) work. Call-offs are seeded
 * through the use cases up to the person's choice; everything else is done from cards and commands:
 *  1. funders: Alex registers the ICB (a bad tenant id first) and its people; they hold no council role;
 *  2. a split: Sam sets 40% ICB (CHC) on the request (a bad share first);
 *  3. each funder approves its share: Morgan approves for the council, the award waits; Dr Rao,
 *     at her own level and seeing only the anonymised profile, approves; only then is the provider
 *     asked, and the provider's card says nothing of who pays;
 *  4. unanswered, Dr Rao is reminded in her tenant; her refusal (where a lawful basis lets her see
 *     the person) sends the choice back with the reason;
 *  5. partners see only their own packages: another partner's person, a third tenant, a
 *     package the ICB does not fund and one whose share it refused are refused and audited;
 *  6. a change of split from mid-week goes to the ICB (without its free-text reason: no lawful
 *     basis is recorded for the ICB on that package); the payments export and contracts report
 *     split the period to the penny by funder;
 *  7. a variation that changes the ICB's share waits for the ICB after Morgan approves it.
 */
import assert from 'node:assert/strict';
import { cardInputs, cardText, messageText, openChats, startGuestPlayground, startHarness, walkCard, withDemoChannels, type Harness } from './harness.js';
import * as fx from '../bot/fixtures.js';
import { PEOPLE } from '../bot/turns.js';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { submitBid } from '../../src/app/calloffs/bids.js';
import { lockScores } from '../../src/app/award/evaluation.js';
import { acceptAward, recordChoice } from '../../src/app/award/decision.js';
import { confirmStart } from '../../src/app/agreements/start.js';
import { submitReturn } from '../../src/app/agreements/returns.js';
import { setSplit } from '../../src/app/funding/split.js';
import { proposeVariation } from '../../src/app/agreements/variations.js';
import { bidId } from '../../src/domain/calloff.js';
import { approvalId } from '../../src/domain/approvals.js';

const COUNCIL_TENANT = '6f1c2a3b-0000-4000-8000-00000000c0c1';
const ICB_TENANT = 'b2c3d4e5-0000-4000-8000-0000000000b1';
const OTHER_TENANT = 'c3d4e5f6-0000-4000-8000-0000000000c1';
const SECRETS = /Margaret|Ellis|LAS-400123|1961|Rowan|BL9/;

describe('e2e: joint funding with the NHS, ICB staff in their own tenant (bot + two Agents Playgrounds)', function () {
  let h: Harness;
  let icb: Harness;
  let clock = new Date('2026-11-22T10:00:00Z');
  let sam: string;
  let morgan: string;
  let lee: string;
  let olu: string;
  const refs: string[] = [];
  const as = (p: keyof typeof PEOPLE) => ({ aadObjectId: PEOPLE[p].aadObjectId });
  const asha = () => icb.chats.personal;
  const refused = async () => (await h.server.store.audit({ action: 'refused' })).map((e) => ({ actor: e.actor, ...(e.after as Record<string, unknown>) }));
  const choose = async (i: number) => {
    await recordChoice(h.server.store, as('sam'), refs[i], { bidId: bidId(refs[i], 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, clock);
    h.server.runtime.changed();
  };

  before(async function () {
    this.timeout(90_000);
    h = await startHarness({ framework: 'demo/framework.yaml', now: () => clock, env: { COUNCIL_TENANT_IDS: COUNCIL_TENANT } });
    await withDemoChannels(h);
    [sam, morgan] = await openChats(h, 'user-sam', 'user-morgan');
    icb = await startGuestPlayground(h, 'test/e2e/fixtures/icb-playground.yml');
    await icb.install(asha());
    await icb.nextReply(asha());
    [lee, olu] = await openChats(icb, 'user-lee', 'user-olu');
    const store = h.server.store;
    for (let i = 0; i < 3; i++) {
      refs.push(await fx.submitted(store, clock));
      await publishCallOff(store, as('alex'), refs[i], clock);
      await submitBid(store, as('priya'), refs[i], fx.goodBid({}, clock), clock);
    }
    clock = new Date('2026-12-01T17:00:01Z');
    await h.server.runtime.scheduler.runDue();
    for (const ref of refs) await lockScores(store, as('sam'), ref, (await store.get('requests', ref))!.evaluation!.bids[0].label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, clock);
    h.server.runtime.changed();
  });

  after(async function () {
    this.timeout(30_000);
    await icb?.stop();
    await h?.stop();
  });

  it('1. Alex registers the ICB in its own tenant (a bad tenant id first) and its people; they hold no council role', async function () {
    this.timeout(20_000);
    clock = new Date('2026-12-02T09:00:00Z');
    const list = await h.ask(h.chats.personal, 'funding partners', { match: /Funding partners/ });
    assert.match(cardText(list.card), /No funding partner yet\./);
    const form = await h.click(list, 'Add a partner');
    const bad = await h.click(form, 'Save the partner', { inputs: { name: 'NHS Example ICB', id: 'nhs-example-icb', kind: 'icb', tenantId: 'nhs.example', weeklyLimit: '200' } });
    assert.deepEqual(cardInputs(bad.card).tenantId.errors, ["the partner's Microsoft 365 tenant id is a GUID like 00000000-0000-0000-0000-000000000000"]);
    assert.equal(cardInputs(bad.card).name.value, 'NHS Example ICB', 'what was typed is kept');
    const saved = await h.click(bad, 'Save the partner', { inputs: { tenantId: ICB_TENANT } });
    assert.match(cardText(saved.card), new RegExp(`Saved NHS Example ICB, bound to tenant ${ICB_TENANT}\\. Add its people next\\.`));
    const other = await h.click(await h.click(saved, 'Add a partner'), 'Save the partner', { inputs: { name: 'NHS Other ICB', id: 'other-icb', kind: 'icb', tenantId: OTHER_TENANT, weeklyLimit: '' } });
    const people: [string, string, string, string, string][] = [
      ['nhs-example-icb', icb.user('user-asha').aadObjectId!, 'Dr Asha Rao', 'funding_approver', 'senior-funding-approver'],
      ['nhs-example-icb', icb.user('Lee').aadObjectId!, 'Lee Grant', 'funding_viewer', 'funding-approver'],
      ['other-icb', icb.user('Olu').aadObjectId!, 'Olu Obi', 'funding_viewer', 'funding-approver'],
    ];
    let card = other;
    for (const [partnerId, id, name, role, level] of people) card = await h.click(await h.click(card, "Add a partner's person"), 'Save the person', { inputs: { partnerId, id, name, role, level } });
    const text = cardText(card.card);
    assert.match(text, /NHS Example ICB \(NHS Integrated Care Board\)/);
    assert.match(text, /levels: Funding approver up to £200\.00 a week, Senior funding approver · people: Dr Asha Rao \(approver\), Lee Grant \(viewer\)/);

    // From the ICB's own tenant: Dr Rao's list is empty, and a council command is not hers.
    const mine = await icb.ask(asha(), 'funding', { match: /packages you fund/ });
    assert.match(cardText(mine.card), /No package has a share for your organisation yet\./);
    const approvals = await icb.ask(asha(), 'approvals');
    assert.equal(messageText(approvals), '`approvals` is not open to your role. Type `help` for what you can do.');
  });

  it('2. Sam sets the split on the request: 40% ICB under CHC (a share of 100% first)', async function () {
    this.timeout(20_000);
    const card = await h.ask(sam, `funding ${refs[0]}`, { as: 'user-sam', match: /Funding of/ });
    assert.match(cardText(card.card), /Now: The council pays all of it\./);
    const bad = await h.click(card, 'Save the split', { as: 'user-sam', inputs: { partnerId: 'nhs-example-icb', shareKind: 'percent', percent: '100', basis: 'chc', lawfulBasis: 'false', reason: 'CHC eligibility confirmed at the joint panel' } });
    assert.deepEqual(cardInputs(bad.card).percent.errors, ["the partner's share must be more than 0% and less than 100%"]);
    assert.equal(cardInputs(bad.card).reason.value, 'CHC eligibility confirmed at the joint panel', 'what was typed is kept');
    const ok = await h.click(bad, 'Save the split', { as: 'user-sam', inputs: { percent: '40' } });
    assert.match(cardText(ok.card), /Saved\. When the person’s choice goes for approval, the partner is asked to approve its share too; the award is made only when every funder has approved\./);
    assert.match(cardText(ok.card), /Now: The council 60%; NHS Example ICB 40% \(NHS Continuing Healthcare \(CHC\)\)\. Reason: CHC eligibility confirmed at the joint panel/);
    // The second package: s117, with a lawful basis recorded for the ICB to see the person's details.
    await setSplit(h.server.store, as('sam'), refs[1], { partnerId: 'nhs-example-icb', shareKind: 'percent', percent: '50', basis: 's117', lawfulBasis: 'true', reason: 'Section 117 aftercare after the hospital stay' }, clock);
  });

  it('3. each funder approves its share: Morgan for the council (the award waits), then Dr Rao under her own level; only then is the provider asked', async function () {
    this.timeout(20_000);
    clock = new Date('2026-12-02T10:00:00Z');
    await choose(0);
    const councilCard = await h.nextReply(morgan, { match: new RegExp(`Approve the award of ${refs[0]}`) });
    assert.match(cardText(councilCard.card), /Joint funding: The council 60%; NHS Example ICB 40% \(NHS Continuing Healthcare \(CHC\)\)\. Still to approve: the council, NHS Example ICB\./);
    const icbCard = await icb.nextReply(asha(), { match: new RegExp(`NHS Example ICB: approve your share of ${refs[0]}`) });
    const icbText = cardText(icbCard.card);
    assert.match(icbText, /Your share: 40% of £525\.00 a week: £210\.00 a week/);
    assert.match(icbText, /Level needed: Senior funding approver \(£210\.00 a week is above Funding approver's £200\.00 a week\)/);
    assert.match(icbText, /Person: Anonymised: no lawful basis to share the person's details with your organisation is recorded for this package\./);
    assert.doesNotMatch(icbText, SECRETS, 'no lawful basis: the anonymised profile only');
    assert.doesNotMatch(icbText, /budget|650/i, "the council's budget is not the partner's business");

    const council = await h.click(councilCard, 'Approve', { as: 'user-morgan' });
    assert.match(cardText(council.card), /Approved for the council\. The award is made once NHS Example ICB approves its share \(joint funding\)\./);
    assert.match(cardText(council.card), /✔ Approved for the council by Morgan Lee on Wed, 2 Dec 2026, 10:00\. The award is made once NHS Example ICB approves its share\./);
    assert.equal((await h.server.store.get('requests', refs[0]))!.state, 'awaiting_approval');

    const approved = await icb.click(icbCard, 'Approve');
    assert.match(cardText(approved.card), /Approved for NHS Example ICB\. Every funder has approved: the award is made and the provider is asked to accept\./);
    assert.match(cardText(approved.card), /✔ Approved by Dr Asha Rao for NHS Example ICB on Wed, 2 Dec 2026, 10:00\./);
    const offer = await h.waitFor((m) => m.kind === 'create' && m.conversationId.startsWith(h.chats.team) && messageText(m).includes(`Award of call-off ${refs[0]}`), { what: 'the award offer in Caring Hands’ channel' });
    assert.doesNotMatch(messageText(offer), /NHS|ICB|40%|fund/i, 'providers never see who pays');
    await h.nextReply(sam, { match: new RegExp(`approved the award of ${refs[0]}`) });
  });

  it("4. unanswered, Dr Rao is reminded in her own tenant; she sees the person (a lawful basis is recorded), refuses with a reason, and the choice goes back to Sam", async function () {
    this.timeout(20_000);
    await choose(1);
    await icb.nextReply(asha(), { match: new RegExp(`approve your share of ${refs[1]}`) });
    // Unanswered for 16 working hours, the ICB's approver is reminded in her own tenant, as council approvers are.
    clock = new Date('2026-12-04T10:00:00Z');
    await h.server.runtime.scheduler.runDue();
    const reminder = await icb.nextReply(asha(), { match: /Reminder: NHS Example ICB's share of the award of/ });
    assert.match(messageText(reminder), /Waiting 2 working days \(since Wed, 2 Dec 2026, 10:00\) at Senior funding approver level\./);
    const card = await icb.click(reminder, 'Open it');
    assert.match(cardText(card.card), /Person: Margaret Ellis \(case LAS-400123\), born 1961-04-09/);
    assert.match(cardText(card.card), /Why you see this: A lawful basis is recorded for your organisation on this package \(Section 117 aftercare\)\./);
    const empty = await icb.click(card, 'Refuse', { inputs: { refuseReason: '' } });
    assert.deepEqual(cardInputs(empty.card).refuseReason.errors, ['say why your organisation does not agree to fund it (at least 5 characters); the council is told']);
    const refusedCard = await icb.click(empty, 'Refuse', { inputs: { refuseReason: 'The s117 aftercare plan ends before the start date' } });
    assert.match(cardText(refusedCard.card), /✖ Refused by Dr Asha Rao for NHS Example ICB on .*Reason: The s117 aftercare plan ends before the start date/);
    const told = await h.nextReply(sam, { match: new RegExp(`rejected the choice for ${refs[1]}`) });
    assert.equal(messageText(told), `Dr Asha Rao (NHS Example ICB) rejected the choice for ${refs[1]}: NHS Example ICB does not agree to fund its share: The s117 aftercare plan ends before the start date. It is back to evaluated: record the person's choice again from the ranking (\`evaluate ${refs[1]}\`).`);
    assert.equal((await h.server.store.get('requests', refs[1]))!.state, 'evaluated');
    assert.equal((await h.server.store.get('approvals', approvalId('award', refs[1], 1)))!.status, 'lapsed', "the council's approval closes with it");
  });

  it('5. partners see only their own packages: a package whose share the ICB refused, a package it does not fund, another partner’s person and a third tenant are refused and audited', async function () {
    this.timeout(20_000);
    const before = (await refused()).length;
    const own = await icb.ask(lee, 'funding', { as: 'user-lee', match: /packages you fund/ });
    // refs[1], whose award Dr Rao refused in 4, is no longer the ICB's to see: it holds no share there now.
    assert.deepEqual([...new Set([...cardText(own.card).matchAll(/PKG-\d{4}-\d{4}/g)].map((m) => m[0]))], [refs[0]]);
    const refusedByUs = await icb.ask(lee, `funding ${refs[1]}`, { as: 'user-lee' });
    assert.equal(messageText(refusedByUs), `${refs[1]} is not a package NHS Example ICB funds, so you cannot see it.`);
    const notOurs = await icb.ask(lee, `funding ${refs[2]}`, { as: 'user-lee' });
    assert.equal(messageText(notOurs), `${refs[2]} is not a package NHS Example ICB funds, so you cannot see it.`);
    const other = await icb.ask(olu, `funding ${refs[0]}`, { as: 'user-olu' });
    assert.match(messageText(other), /You don't have a role in Brokerage Bot yet/);
    // Dr Rao's own object id, clicking from a third tenant: nobody.
    const third = await icb.rawInvoke(asha(), 'user-asha', { name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'funding.show', data: { ref: refs[0] } }, trigger: 'manual' } }, { tenantId: OTHER_TENANT });
    assert.equal((third.body as { value: unknown }).value, "You don't have a role in Brokerage Bot, so this card's actions are not open to you.");
    assert.deepEqual((await refused()).slice(before), [
      { actor: icb.user('Lee').aadObjectId, what: 'command funding', reason: `${refs[1]} is not a package NHS Example ICB funds, so you cannot see it.`, tenantId: ICB_TENANT },
      { actor: icb.user('Lee').aadObjectId, what: 'command funding', reason: `${refs[2]} is not a package NHS Example ICB funds, so you cannot see it.`, tenantId: ICB_TENANT },
      { actor: icb.user('Olu').aadObjectId, what: 'command funding', reason: 'not recognised from this tenant', tenantId: ICB_TENANT },
      { actor: icb.user('user-asha').aadObjectId, what: 'action funding.show', reason: 'not recognised from this tenant', tenantId: OTHER_TENANT },
    ]);
    assert.equal((await h.server.store.audit({ action: 'funding.refused' })).length, 2, "the use case's own trace of Lee's refusals");
  });

  it('6. a change of split from Thursday goes to the ICB; the four weeks are paid £1,072.50 by the council and £1,027.50 by the ICB, in the export and the contracts report', async function () {
    this.timeout(30_000);
    const store = h.server.store;
    await acceptAward(store, as('priya'), refs[0], clock);
    await confirmStart(store, as('priya'), refs[0], { startDate: '2026-12-14' }, clock);
    clock = new Date('2026-12-15T10:00:00Z');
    const card = await h.ask(sam, `funding ${refs[0]}`, { as: 'user-sam', match: /Funding of/ });
    const sent = await h.click(card, 'Save the split', { as: 'user-sam', inputs: { percent: '50', from: '2026-12-17', reason: 'The joint panel moved to an equal share' } });
    assert.match(cardText(sent.card), /Sent to NHS Example ICB to approve: their share changes from 2026-12-17\. The split in force stays until they have\./);
    const change = await icb.nextReply(asha(), { match: new RegExp(`approve your share of ${refs[0]}`) });
    // No lawful basis is recorded for the ICB on this package: the council's free-text reason stays with the council.
    assert.match(cardText(change.card), /A change of funding from 2026-12-17: The council 50%; NHS Example ICB 50% \(NHS Continuing Healthcare \(CHC\)\)\.\n/);
    assert.doesNotMatch(cardText(change.card), /joint panel moved/);
    assert.match(cardText(change.card), /Your share: 50% of £525\.00 a week: £262\.50 a week/);
    const ok = await icb.click(change, 'Approve');
    assert.match(cardText(ok.card), /Approved for NHS Example ICB\. The new split applies from 2026-12-17\./);
    await h.nextReply(sam, { match: new RegExp(`Every partner it changes approved: the new funding of ${refs[0]} applies from 2026-12-17\\.`) });

    clock = new Date('2027-01-11T10:00:00Z');
    await submitReturn(store, as('priya'), refs[0], { periodStart: '2026-12-14', hours: '84' }, clock);
    // The council's four-weekly period, 14 Dec – 10 Jan, £75 a day: Mon–Wed 14–16 Dec at 60/40 (3 × £45 / 3 × £30),
    // the other 25 days at 50/50 (25 × £37.50 each): £1,072.50 + £1,027.50 = £2,100.00 (84 h delivered of 84).
    const pay = await h.ask(h.chats.personal, 'payments 2026-12-14 to 2027-01-10', { match: /Payments/ });
    assert.match(cardText(pay.card), /By funder\nThe council: payable £1,072\.50 \(planned £1,072\.50, retainers £0\.00\)\nNHS Example ICB: payable £1,027\.50 \(planned £1,027\.50, retainers £0\.00\)/);
    const url = /\[Totals by funder \(CSV\)\]\((http[^)]+)\)/.exec(cardText(pay.card))![1];
    const totals = (await (await fetch(url)).text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.deepEqual(totals, ['funder_id,funder_name,rows,planned_cost,retainer,payable_amount', 'council,The council,1,1072.50,0.00,1072.50', 'nhs-example-icb,NHS Example ICB,1,1027.50,0.00,1027.50', ',All funders,1,2100.00,0.00,2100.00']);
    const links: string[] = [];
    walkCard(pay.card, (n) => void (n.type === 'Action.OpenUrl' && /^All rows/.test(String(n.title)) && links.push(String(n.url))));
    const all = (await (await fetch(links[0])).text()).trim().split('\r\n');
    assert.ok(all[1].endsWith(',2100.00,council=1072.50;nhs-example-icb=1027.50'), all[1]);

    const contracts = await h.ask(h.chats.personal, 'contracts report 2026-12-14 to 2027-01-10', { match: /Contracts/ });
    assert.match(cardText(contracts.card), /By funder\nThe council: committed £1,072\.50, delivered £1,072\.50\nNHS Example ICB: committed £1,027\.50, delivered £1,027\.50/);
    const providerPosts = h.messages.filter((m) => m.conversationId.startsWith(h.chats.team) || m.conversationId.startsWith('channel-brightpath'));
    assert.ok(providerPosts.length > 0);
    for (const m of providerPosts) assert.doesNotMatch(messageText(m), /NHS|ICB|funder/i, 'nothing in a provider channel says who pays');
    assert.deepEqual(h.botErrors(), []);
  });

  it("7. a variation of hours changes the ICB's share: Morgan's approval is not enough, Dr Rao's applies it; the provider hears the council's outcome only", async function () {
    this.timeout(20_000);
    await proposeVariation(h.server.store, as('sam'), refs[0], { elements: 'Support: 28 @ 25', effectiveFrom: '2027-01-11', endDate: '', reason: 'Two more hours a day after the review' }, clock);
    h.server.runtime.changed();
    const councilCard = await h.nextReply(morgan, { match: new RegExp(`Approve a variation of ${refs[0]}`) });
    const council = await h.click(councilCard, 'Approve', { as: 'user-morgan' });
    assert.match(cardText(council.card), /Approved for the council\. It applies once NHS Example ICB approves its share \(joint funding\)\./);
    assert.match(cardText(council.card), /✔ Approved for the council \(the decision is below\); it applies once every funding partner whose share it changes has approved\./);
    const icbCard = await icb.nextReply(asha(), { match: new RegExp(`approve your share of ${refs[0]}\\?\\nVariation 1`) });
    assert.match(cardText(icbCard.card), /Variation 1: £525\.00 → £700\.00 a week from 2027-01-11; your share £262\.50 → £350\.00 a week\./);
    assert.doesNotMatch(cardText(icbCard.card), /Two more hours/, "no lawful basis: the council's free text stays with the council");
    const ok = await icb.click(icbCard, 'Approve');
    assert.match(cardText(ok.card), /Approved for NHS Example ICB\. Every funder has approved: the new terms apply from 2027-01-11\./);
    const told = await h.waitFor((m) => m.kind === 'create' && m.conversationId.startsWith(h.chats.team) && /Variation 1 of/.test(messageText(m)), { what: "the variation's outcome in Caring Hands' channel" });
    assert.match(messageText(told), /approved/i);
    assert.doesNotMatch(messageText(told), /NHS|ICB|funder|partner/i, 'providers never see who pays');
    assert.equal((await h.server.store.get('agreements', `AGR-${refs[0]}`))!.versions.at(-1)!.weeklyCost, 700);
  });
});
