/**
 * Joint funding's use cases (issue 24) on the embedded store: the tenant rule for a partner's
 * people, the award that waits for every funder, a partner's refusal, the partner's own levels,
 * what a partner sees, and a change of split on the agreement that goes to the partner.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { scan } from '../../helpers/scan.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { acceptAward, decideAward } from '../../../src/app/award/decision.js';
import { confirmStart } from '../../../src/app/agreements/start.js';
import { decideVariation, proposeVariation } from '../../../src/app/agreements/variations.js';
import { loadUser } from '../../../src/app/actor.js';
import { savePartnerPerson } from '../../../src/app/funding/partners.js';
import { setSplit } from '../../../src/app/funding/split.js';
import { decideShare } from '../../../src/app/funding/decide.js';
import { partnerPackage } from '../../../src/app/funding/views.js';
import { rejects } from '../helpers.js';
import { approvalId } from '../../../src/domain/approvals.js';
import { agreementId } from '../../../src/domain/agreement.js';
import { PEOPLE } from '../../bot/turns.js';
import * as fx from '../../bot/fixtures.js';
import { DR_RAO, fromIcb, fundingCouncil, ICB_TENANT, LEE, OLU as OTHER, OTHER_ICB_TENANT, runToChoice, runToStart, share, who, type FundingCouncil } from './world.js';

describe('app/funding: packages two bodies pay for (issue 24)', () => {
  let store: BrokerageStore;
  let now: Date;
  let ref: string;

  let council: FundingCouncil;
  beforeEach(async () => {
    now = fx.TEST_CLOCK;
    council = await fundingCouncil(now, { lee: 'funding_approver', olu: 'funding_viewer' });
    ({ store, ref } = council);
  });
  afterEach(() => council.close());

  /** Sam sets 40% ICB (CHC) on the request, then the call-off runs to the person's choice of Caring Hands at £525 a week. */
  async function toChoice(lawfulBasis = false): Promise<void> {
    await setSplit(store, who('sam'), ref, share('40', { lawfulBasis: String(lawfulBasis) }), now);
    await runToChoice(store, ref, now);
  }

  it("a partner's people hold partner roles only from the partner's tenant; council roles only from a council tenant", async () => {
    // From the ICB's own tenant (a 1:1 chat there), and from the council's shared channel once Teams' member lookup names the ICB tenant.
    assert.deepEqual((await loadUser(store, fromIcb(DR_RAO)))?.roles, ['funding_approver']);
    assert.deepEqual((await loadUser(store, { aadObjectId: DR_RAO, tenantId: 'council-tenant', councilTenant: true, memberTenantId: ICB_TENANT, memberCouncilTenant: false }))?.roles, ['funding_approver']);
    // The same object id from any other tenant is nobody.
    assert.equal(await loadUser(store, { aadObjectId: DR_RAO, tenantId: OTHER_ICB_TENANT, councilTenant: false }), undefined);
    // A council role stored for someone bound to the ICB's tenant (as issue 23's schemes allowed) does not hold in the council's channel.
    await store.transact({ actor: 'test', action: 'test.users' }, async (tx) => tx.put('users', { id: 'b2c3d4e5-0009-4000-8000-0000000000b1', name: 'Old Record', tenantId: ICB_TENANT, roles: ['manager'] }));
    assert.equal(await loadUser(store, { aadObjectId: 'b2c3d4e5-0009-4000-8000-0000000000b1', tenantId: 'council-tenant', councilTenant: true, memberTenantId: ICB_TENANT, memberCouncilTenant: false }), undefined);
    // And the schema refuses mixing: a partner's person with a council role.
    await rejects(savePartnerPerson(store, who('alex'), { partnerId: 'nhs-example-icb', id: PEOPLE.morgan.aadObjectId, name: 'Morgan Lee', role: 'funding_approver' }), 'conflict', /already has a role here/);
  });

  it('the award waits for every funder: the council approves its part, the ICB its share, and only then is the provider asked', async () => {
    await toChoice();
    const icbApproval = (await store.get('approvals', approvalId('award', ref, 1, 'nhs-example-icb')))!;
    // 40% of £525.00 = £210.00 a week, above the ICB's £200 funding approvers: its senior approver decides.
    assert.equal(icbApproval.amounts.weekly, 210);
    assert.deepEqual(icbApproval.routed.map((r) => r.name), ['Dr Asha Rao']);
    assert.deepEqual(icbApproval.levelWhy, ["£210.00 a week is above Funding approver's £200.00 a week"]);
    assert.ok((await scan(store, 'outbox')).some((i) => i.id === `funding-approval:${icbApproval.id}:${DR_RAO}`), "the ICB's card is queued for Dr Rao");

    const council = await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
    assert.deepEqual(council.waitingFor, ['NHS Example ICB']);
    assert.equal((await store.get('requests', ref))!.state, 'awaiting_approval', 'no award yet');
    await rejects(decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now), 'conflict', /You approved this for the council on .*; it waits for NHS Example ICB to approve its share/);
    // Lee approves only up to £200 a week.
    await rejects(decideShare(store, fromIcb(LEE), icbApproval.id, 'approved', '', now), 'forbidden', /needs Senior funding approver or above/);

    const icb = await decideShare(store, fromIcb(DR_RAO), icbApproval.id, 'approved', '', now);
    assert.match(icb.outcome, /Every funder has approved: the award is made/);
    const r = (await store.get('requests', ref))!;
    assert.equal(r.state, 'awarded');
    assert.equal(r.decisions!.at(-1)!.byName, 'Morgan Lee', "the request's decision is the council's");
    assert.ok((await scan(store, 'outbox')).some((i) => i.id === `award-offer:${ref}:1:caring-hands`));

    // The agreement carries the split from its start.
    await acceptAward(store, who('priya'), ref, now);
    assert.deepEqual((await store.get('agreements', agreementId(ref)))!.funding!.map((s) => s.shares[0].percent), [40]);
  });

  it("a partner's refusal sends the choice back with its reason, and closes the council's approval", async () => {
    await toChoice();
    const id = approvalId('award', ref, 1, 'nhs-example-icb');
    await rejects(decideShare(store, fromIcb(DR_RAO), id, 'rejected', 'no', now), 'invalid', /say why your organisation does not agree/);
    await decideShare(store, fromIcb(DR_RAO), id, 'rejected', 'The CHC review is not complete', now);
    const r = (await store.get('requests', ref))!;
    assert.equal(r.state, 'evaluated');
    assert.equal(r.decisions!.at(-1)!.reason, 'NHS Example ICB does not agree to fund its share: The CHC review is not complete');
    assert.equal((await store.get('approvals', approvalId('award', ref, 1)))!.status, 'lapsed');
  });

  it("a partner sees the anonymised profile without a lawful basis, the person's details with one; another partner is refused and audited", async () => {
    await toChoice(false);
    const anon = await partnerPackage(store, fromIcb(LEE), ref, now);
    assert.equal(anon.person.kind, 'anonymised');
    assert.doesNotMatch(JSON.stringify(anon), /Margaret|Ellis|LAS-400123|1961-04-09|Rowan|BL9/);
    assert.equal(anon.share, '40% of £525.00 a week: £210.00 a week');

    await rejects(partnerPackage(store, { aadObjectId: OTHER, tenantId: OTHER_ICB_TENANT, councilTenant: false }, ref, now), 'forbidden', /is not a package NHS Other ICB funds/);
    const audit = await store.audit({ action: 'funding.refused' });
    assert.equal(audit.length, 1);
    assert.equal((audit[0].after as { partner: string }).partner, 'other-icb');
  });

  it('with a lawful basis recorded the approver sees who the person is', async () => {
    await toChoice(true);
    const view = await partnerPackage(store, fromIcb(DR_RAO), ref, now);
    assert.deepEqual(view.person, { kind: 'details', name: 'Margaret Ellis', caseRef: 'LAS-400123', dateOfBirth: '1961-04-09', address: '12 Rowan Close, Bury, BL9 0EJ' });
  });

  it('a change of split on the agreement goes to the partner whose share it changes, and applies once it approves', async () => {
    await toChoice();
    await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
    await decideShare(store, fromIcb(DR_RAO), approvalId('award', ref, 1, 'nhs-example-icb'), 'approved', '', now);
    await acceptAward(store, who('priya'), ref, now);
    const start = (await store.get('agreements', agreementId(ref)))!.proposedStart;
    await confirmStart(store, who('priya'), ref, { startDate: start }, now);
    const { outcome } = await setSplit(store, who('sam'), ref, { partnerId: 'nhs-example-icb', shareKind: 'percent', percent: '50', basis: 's117', lawfulBasis: 'false', reason: 'Section 117 aftercare from the tribunal date', from: start }, now);
    assert.equal(outcome, `Sent to NHS Example ICB to approve: their share changes from ${start}. The split in force stays until they have.`);
    const change = approvalId('funding', ref, 1, 'nhs-example-icb');
    // 50% of £525 = £262.50 a week: above £200, so Dr Rao.
    assert.equal((await store.get('approvals', change))!.amounts.weekly, 262.5);
    await decideShare(store, fromIcb(DR_RAO), change, 'approved', '', now);
    const a = (await store.get('agreements', agreementId(ref)))!;
    assert.deepEqual(a.funding!.map((s) => [s.from ?? '', s.shares[0].percent, s.status ?? 'in force']), [['', 40, 'in force'], [start, 50, 'in force']]);
  });

  /** To a running agreement: both funders approve the award, Priya accepts and confirms the start. */
  async function running(): Promise<string> {
    await toChoice();
    return runToStart(store, ref, now);
  }

  it("a variation that changes the ICB's share goes to the ICB too: the council's approval alone does not apply it", async () => {
    const start = await running();
    // 21 h → 28 h at £25: £525 → £700 a week (a rise over the council's £50 threshold); the ICB's 40%: £210 → £280.
    const { variation } = await proposeVariation(store, who('sam'), ref, { elements: 'Support: 28 @ 25', effectiveFrom: start, endDate: '', reason: 'Two more hours a day after the review' }, now);
    assert.equal(variation.status, 'awaiting_approval');
    assert.ok(variation.approvalReasons.includes("it changes a funding partner's share, so the partner approves it too"));
    assert.ok(!(variation.providerReasons ?? []).some((r) => /partner|fund/i.test(r)), 'the provider never reads who pays');
    const share = (await store.get('approvals', approvalId('variation', ref, 1, 'nhs-example-icb')))!;
    assert.deepEqual([share.amounts.weeklyBefore, share.amounts.weekly], [210, 280]);
    const council = await decideVariation(store, who('morgan'), ref, 1, 'approved', '', now);
    assert.deepEqual(council.waitingFor, ['NHS Example ICB']);
    assert.equal((await store.get('agreements', agreementId(ref)))!.versions.at(-1)!.weeklyCost, 525, 'not applied yet');
    const icb = await decideShare(store, fromIcb(DR_RAO), share.id, 'approved', '', now);
    assert.match(icb.outcome, /Every funder has approved: the new terms apply/);
    const a = (await store.get('agreements', agreementId(ref)))!;
    assert.equal(a.versions.at(-1)!.weeklyCost, 700);
    assert.deepEqual([a.variations[0].status, a.variations[0].decidedByName], ['approved', 'Morgan Lee']);
  });

  it("a variation only the ICB must approve, refused: rejected as the council's, the ICB's reason to the council only", async () => {
    const start = await running();
    // 21 h → 22 h: £25 more a week, within the council's threshold and levels; the ICB's share £210 → £220.
    const { variation } = await proposeVariation(store, who('sam'), ref, { elements: 'Support: 22 @ 25', effectiveFrom: start, endDate: '', reason: 'One more hour for the Friday outing' }, now);
    assert.equal(variation.status, 'awaiting_approval');
    assert.equal(await store.get('approvals', approvalId('variation', ref, 1)), undefined, "no council approval is needed");
    await decideShare(store, fromIcb(DR_RAO), approvalId('variation', ref, 1, 'nhs-example-icb'), 'rejected', 'The CHC plan covers 21 hours', now);
    const v = (await store.get('agreements', agreementId(ref)))!.variations[0];
    assert.deepEqual([v.status, v.decidedByName, v.decisionNote], ['rejected', 'the council', 'The council did not approve the change.']);
    const told = (await scan(store, 'outbox')).filter((i) => i.id.startsWith(`variation-share-refused:${ref}:1`));
    assert.ok(told.length > 0 && told.every((i) => 'userId' in i.target), 'the council team is told, no provider channel');
    assert.match(String((told[0].message as { text: string }).text), /NHS Example ICB \(Dr Asha Rao\) refused its share of variation 1 of PKG-\d{4}-\d{4}: The CHC plan covers 21 hours\./);
  });
});
