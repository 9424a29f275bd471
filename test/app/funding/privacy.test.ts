/**
 * What a funding partner (another organisation, in its own tenant) may see of a package, and how
 * what its people type reaches the council (issue 24, the adversarial review's items 2-5): a
 * change of split's reason only with a lawful basis; access only while the partner holds a share
 * in force or one waiting for its own decision; never the council's budget; its words to the
 * council as plain text.
 */
import assert from 'node:assert/strict';
import { scan } from '../../helpers/scan.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { recordChoice } from '../../../src/app/award/decision.js';
import { proposeVariation } from '../../../src/app/agreements/variations.js';
import { setSplit } from '../../../src/app/funding/split.js';
import { decideShare } from '../../../src/app/funding/decide.js';
import { partnerApprovalView, partnerList, partnerPackage } from '../../../src/app/funding/views.js';
import { AppError } from '../../../src/app/errors.js';
import { bidId } from '../../../src/domain/calloff.js';
import { approvalId } from '../../../src/domain/approvals.js';
import { addDays } from '../../../src/domain/agreementRules.js';
import * as fx from '../../bot/fixtures.js';
import { DR_RAO, fromIcb, fromOther, fundingCouncil, LEE, OLU, runToChoice, runToStart, share, who, type FundingCouncil } from './world.js';

/** The person in the fixtures, however their details appear. */
const PERSON = /Margaret|Ellis|LAS-400123|1961-04-09|Rowan|BL9/;
const LINK = 'Please [re-verify your NHS account](https://evil.example/login) first';
const rejects = (p: Promise<unknown>, kind: AppError['kind'], message: RegExp) =>
  assert.rejects(p, (e: AppError) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, message);
    return true;
  });

describe("app/funding: what a partner sees, and what it types (privacy)", () => {
  let store: BrokerageStore;
  let now: Date;
  let ref: string;

  let council: FundingCouncil;
  beforeEach(async () => {
    now = fx.TEST_CLOCK;
    council = await fundingCouncil(now, { lee: 'funding_viewer', olu: 'funding_approver' });
    ({ store, ref } = council);
  });
  afterEach(() => council.close());

  /** 40% NHS Example ICB on the request; the person chooses Caring Hands at £525 a week. */
  async function toChoice(lawfulBasis = false): Promise<void> {
    await setSplit(store, who('sam'), ref, share('40', { lawfulBasis: String(lawfulBasis) }), now);
    await choose();
  }
  const choose = () => runToChoice(store, ref, now);
  /** Awarded with both funders' approval, accepted and started; returns the first day. */
  async function running(): Promise<string> {
    await toChoice();
    return runToStart(store, ref, now);
  }

  describe("a change of split's reason", () => {
    it('without a lawful basis does not reach the partner: its card shows the change, not the free text', async () => {
      const start = await running();
      await setSplit(store, who('sam'), ref, share('50', { from: addDays(start, 7), basis: 's117', reason: 'Margaret Ellis was detained under s3; s117 aftercare from the tribunal date' }), now);
      const card = (await partnerApprovalView(store, approvalId('funding', ref, 1, 'nhs-example-icb'), now))!;
      assert.equal(card.person.kind, 'anonymised');
      assert.doesNotMatch(JSON.stringify(card), PERSON);
      assert.match(card.approval!.what, /^A change of funding from \d{4}-\d{2}-\d{2}: .*NHS Example ICB 50%/);
      assert.doesNotMatch(card.approval!.what, /Reason|tribunal/);
    });

    it('with a lawful basis recorded for the partner on the change, the reason is shown', async () => {
      const start = await running();
      await setSplit(store, who('sam'), ref, share('50', { from: addDays(start, 7), basis: 's117', lawfulBasis: 'true', reason: 'Section 117 aftercare from the tribunal date' }), now);
      const card = (await partnerApprovalView(store, approvalId('funding', ref, 1, 'nhs-example-icb'), now))!;
      assert.match(card.approval!.what, /Reason: Section 117 aftercare from the tribunal date$/);
    });
  });

  describe('which packages a partner may open', () => {
    it('a partner asked to take a share sees the package while its decision waits, and once it refuses keeps no access: refused and audited, off its list', async () => {
      const start = await running();
      // Sam proposes moving the share to the other ICB, with a lawful basis recorded for it on the proposal.
      await setSplit(store, who('sam'), ref, { ...share('40', { from: addDays(start, 7), lawfulBasis: 'true' }), partnerId: 'other-icb' }, now);
      const asked = await partnerPackage(store, fromOther(OLU), ref, now);
      assert.equal(asked.approval?.approval.status, 'waiting', 'it sees the decision it is asked to take');
      assert.equal(asked.person.kind, 'details', 'with the lawful basis recorded on the proposal');
      assert.deepEqual((await partnerList(store, fromOther(OLU), now)).rows.map((r) => r.ref), [ref]);

      await decideShare(store, fromOther(OLU), approvalId('funding', ref, 1, 'other-icb'), 'rejected', 'Not our patient at all', now);
      await rejects(partnerPackage(store, fromOther(OLU), ref, now), 'forbidden', /is not a package NHS Other ICB funds, so you cannot see it\./);
      const audit = await store.audit({ action: 'funding.refused' });
      assert.equal(audit.length, 1);
      assert.deepEqual(audit[0].after, { ref, user: OLU, partner: 'other-icb', reason: 'not a package it funds' });
      assert.deepEqual((await partnerList(store, fromOther(OLU), now)).rows, []);
      // Its own decided card is still redrawn (✖ Refused), without the person's details.
      const card = (await partnerApprovalView(store, approvalId('funding', ref, 1, 'other-icb'), now))!;
      assert.equal(card.approval!.approval.status, 'rejected');
      assert.equal(card.person.kind, 'anonymised');
      assert.doesNotMatch(JSON.stringify(card), PERSON);
      // The ICB that still pays keeps its view.
      assert.equal((await partnerPackage(store, fromIcb(LEE), ref, now)).share, '40% of £525.00 a week: £210.00 a week');
    });

    it('a partner whose share is being removed still sees the package while it decides, under the share it holds', async () => {
      const start = await running();
      await setSplit(store, who('sam'), ref, { ...share('40', { from: addDays(start, 7) }), partnerId: 'other-icb' }, now);
      const view = await partnerPackage(store, fromIcb(LEE), ref, now);
      assert.equal(view.basis, 'NHS Continuing Healthcare (CHC)');
      assert.equal(view.approval?.approval.status, 'waiting');
    });

    it('a partner that refuses its share of the award keeps no access until it is asked again', async () => {
      await toChoice(true);
      assert.equal((await partnerPackage(store, fromIcb(LEE), ref, now)).person.kind, 'details');
      await decideShare(store, fromIcb(DR_RAO), approvalId('award', ref, 1, 'nhs-example-icb'), 'rejected', 'Not eligible for CHC', now);
      await rejects(partnerPackage(store, fromIcb(LEE), ref, now), 'forbidden', /is not a package NHS Example ICB funds/);
      assert.deepEqual((await partnerList(store, fromIcb(LEE), now)).rows, []);
      const card = (await partnerApprovalView(store, approvalId('award', ref, 1, 'nhs-example-icb'), now))!;
      assert.equal(card.person.kind, 'anonymised', 'the refused card is redrawn without the person');
      // The social worker records the choice again: the ICB is asked again, and sees it again.
      await recordChoice(store, who('sam'), ref, { bidId: bidId(ref, 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, now);
      assert.equal((await partnerPackage(store, fromIcb(LEE), ref, now)).approval?.approval.status, 'waiting');
    });
  });

  describe("the council's budget", () => {
    it('is never in a partner view: before a choice the share is a percentage only; with a choice, of its weekly price', async () => {
      await setSplit(store, who('sam'), ref, share('40'), now);
      // Even where the council shows providers the budget, the partner's anonymised profile leaves it out.
      await store.transact({ actor: 'test', action: 'test.request' }, async (tx) => {
        const r = (await tx.get('requests', ref))!;
        tx.put('requests', { ...r, package: { ...r.package!, showBudget: true } });
      });
      const budget = (await store.get('requests', ref))!.package!.budgetWeekly;
      const before = await partnerPackage(store, fromIcb(LEE), ref, now);
      assert.equal(before.share, '40% of the weekly cost (no provider is chosen yet)');
      assert.doesNotMatch(JSON.stringify(before), new RegExp(`${budget}|${budget.toFixed(2).replace('.', '\\.')}|budget`, 'i'));
      assert.deepEqual((await partnerList(store, fromIcb(LEE), now)).rows.map((r) => r.share), ['40% of the weekly cost (no provider is chosen yet)']);
      await choose();
      assert.equal((await partnerPackage(store, fromIcb(LEE), ref, now)).share, '40% of £525.00 a week: £210.00 a week');
    });
  });

  describe("a partner's typed words to the council", () => {
    const told = async (prefix: string) => (await scan(store, 'outbox')).filter((i) => i.id.startsWith(prefix)).map((i) => String((i.message as { text: string }).text));

    it('a refused change of split: the council team reads the reason as plain text, no live link', async () => {
      const start = await running();
      await setSplit(store, who('sam'), ref, share('50', { from: addDays(start, 7) }), now);
      await decideShare(store, fromIcb(DR_RAO), approvalId('funding', ref, 1, 'nhs-example-icb'), 'rejected', LINK, now);
      const texts = await told(`funding-change:${ref}:1:rejected`);
      assert.ok(texts.length > 0);
      for (const t of texts) assert.match(t, /refused the change of funding of PKG-\d{4}-\d{4} from \d{4}-\d{2}-\d{2}: Please re-verify your NHS account \(link removed: evil\\\[\.\\\]example\/login\) first\. The split in force stays\.$/);
    });

    it("a refused share of a variation: the council team reads the reason as plain text, no live link", async () => {
      const start = await running();
      await proposeVariation(store, who('sam'), ref, { elements: 'Support: 22 @ 25', effectiveFrom: start, endDate: '', reason: 'One more hour for the Friday outing' }, now);
      await decideShare(store, fromIcb(DR_RAO), approvalId('variation', ref, 1, 'nhs-example-icb'), 'rejected', LINK, now);
      const texts = await told(`variation-share-refused:${ref}:1`);
      assert.ok(texts.length > 0);
      for (const t of texts) assert.match(t, /refused its share of variation 1 of PKG-\d{4}-\d{4}: Please re-verify your NHS account \(link removed: evil\\\[\.\\\]example\/login\) first\. The variation is rejected/);
    });
  });
});
