/**
 * Joint funding's money, as a careless or late user meets it (issue 24, the adversarial review):
 * a change of split approved after the period it reaches into was returned, a variation that raises
 * the share of a partner who pays only from a later day, and shares typed as people type them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { scan } from '../../helpers/scan.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { proposeVariation } from '../../../src/app/agreements/variations.js';
import { submitReturn } from '../../../src/app/agreements/returns.js';
import { setSplit } from '../../../src/app/funding/split.js';
import { decideShare } from '../../../src/app/funding/decide.js';
import { variationPartners } from '../../../src/app/funding/approve.js';
import { AppError } from '../../../src/app/errors.js';
import { approvalId } from '../../../src/domain/approvals.js';
import { agreementId, type Variation } from '../../../src/domain/agreement.js';
import { addDays } from '../../../src/domain/agreementRules.js';
import { loadAgreementData } from '../../../src/reports/agreementData.js';
import { paymentRows } from '../../../src/reports/payments.js';
import { PEOPLE } from '../../bot/turns.js';
import * as fx from '../../bot/fixtures.js';
import { DR_RAO, fromIcb, fromOther, fundingCouncil, OLU as OTHER, runToChoice, runToStart, share, who, type FundingCouncil } from './world.js';

const invalidAt = (p: Promise<unknown>, field: string, message: RegExp) =>
  assert.rejects(p, (e: AppError) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.kind, 'invalid', e.message);
    assert.match(e.fields[field] ?? '', message, JSON.stringify(e.fields));
    return true;
  });

describe('app/funding: the money of a jointly funded package holds', () => {
  let store: BrokerageStore;
  let now: Date;
  let ref: string;

  let council: FundingCouncil;
  beforeEach(async () => {
    now = fx.TEST_CLOCK;
    council = await fundingCouncil(now, { olu: 'funding_approver' });
    ({ store, ref } = council);
  });
  afterEach(() => council.close());

  /** 40% ICB (CHC); Caring Hands at £525 a week (21 h at £25) is chosen, both funders approve, Priya accepts and starts it. */
  async function running(): Promise<string> {
    await setSplit(store, who('sam'), ref, share('40'), now);
    await runToChoice(store, ref, now);
    return runToStart(store, ref, now);
  }

  it('a change of split approved after the period it starts in was returned cannot apply: the approver is told why, Sam is told, and the export of the period stays as paid', async () => {
    const start = await running();
    const from = addDays(start, 7);
    // Sam proposes 50% from day 7 of the first four-weekly period: allowed, nothing is returned yet.
    await setSplit(store, who('sam'), ref, share('50', { from }), now);
    // Priya returns the period (84 h); it is paid as split then, 60/40.
    const later = new Date(`${addDays(start, 30)}T10:00:00Z`);
    await submitReturn(store, who('priya'), ref, { periodStart: start, hours: '84' }, later);
    const exported = async () => {
      const row = paymentRows(await loadAgreementData(store), { from: start, to: addDays(start, 27) }).find((x) => x.a.ref === ref && x.p.start === start)!;
      return row.funders.map((f) => `${f.funder}=${f.payable.toFixed(2)}`).join(';');
    };
    const paid = await exported();
    assert.equal(paid, 'council=1260.00;nhs-example-icb=840.00');

    // Dr Rao approves the change late.
    const id = approvalId('funding', ref, 1, 'nhs-example-icb');
    const d = await decideShare(store, fromIcb(DR_RAO), id, 'approved', '', later);
    const again = addDays(start, 28);
    assert.equal(d.outcome, `This change can no longer apply from ${from}: the period from ${start} has been returned since. Sam Patel can propose it again from ${again}.`);
    assert.equal(d.approval.status, 'lapsed', 'not recorded as approved: nothing was');
    assert.equal(await exported(), paid, "the returned period's payments stay as paid");
    const a = (await store.get('agreements', agreementId(ref)))!;
    assert.deepEqual(a.funding!.map((s) => [s.shares[0].percent, s.status ?? 'in force']), [[40, 'in force'], [50, 'lapsed']]);
    // Sam is told, and can propose the change again from the day after the returned period.
    const told = (await scan(store, 'outbox')).filter((i) => i.id.startsWith(`funding-change:${ref}:1:lapsed`));
    assert.ok(told.some((i) => 'userId' in i.target && i.target.userId === PEOPLE.sam.aadObjectId), 'Sam is told');
    assert.equal(String((told[0].message as { text: string }).text), `The change of funding of ${ref} from ${from} cannot apply: the period from ${start} has been returned since (and paid as split then). Nothing changed; it can be proposed again from ${again}.`);
    const { outcome } = await setSplit(store, who('sam'), ref, share('50', { from: again }), later);
    assert.match(outcome, /^Sent to NHS Example ICB to approve/);
  });

  it('a variation goes to every partner whose share it raises, also the one that pays only from day 14', async () => {
    const start = await running();
    // From day 14 the other ICB pays the 40% instead; both ICBs approve that change.
    await setSplit(store, who('sam'), ref, { ...share('40', { from: addDays(start, 14) }), partnerId: 'other-icb' }, now);
    await decideShare(store, fromIcb(DR_RAO), approvalId('funding', ref, 1, 'nhs-example-icb'), 'approved', '', now);
    await decideShare(store, fromOther(OTHER), approvalId('funding', ref, 1, 'other-icb'), 'approved', '', now);
    // 21 h → 28 h from the start: NHS Example ICB's 40% rises £210 → £280 for two weeks, then the other ICB's the same.
    await proposeVariation(store, who('sam'), ref, { elements: 'Support: 28 @ 25', effectiveFrom: start, endDate: '', reason: 'Two more hours a day after the review' }, now);
    for (const p of ['nhs-example-icb', 'other-icb']) {
      const x = await store.get('approvals', approvalId('variation', ref, 1, p));
      assert.ok(x, `${p} is asked`);
      assert.deepEqual([x.amounts.weeklyBefore, x.amounts.weekly], [210, 280], p);
    }
  });

  it('a variation from day 21 goes only to the partner paying then, not to the one whose share ended on day 13', async () => {
    const start = await running();
    await setSplit(store, who('sam'), ref, { ...share('40', { from: addDays(start, 14) }), partnerId: 'other-icb' }, now);
    await decideShare(store, fromIcb(DR_RAO), approvalId('funding', ref, 1, 'nhs-example-icb'), 'approved', '', now);
    await decideShare(store, fromOther(OTHER), approvalId('funding', ref, 1, 'other-icb'), 'approved', '', now);
    await proposeVariation(store, who('sam'), ref, { elements: 'Support: 28 @ 25', effectiveFrom: addDays(start, 21), endDate: '', reason: 'Two more hours a day after the review' }, now);
    assert.equal(await store.get('approvals', approvalId('variation', ref, 1, 'nhs-example-icb')), undefined);
    assert.ok(await store.get('approvals', approvalId('variation', ref, 1, 'other-icb')));
  });

  it('a variation that only moves the end goes to whoever pays in the weeks it adds or takes away', async () => {
    const start = await running();
    await setSplit(store, who('sam'), ref, { ...share('40', { from: addDays(start, 14) }), partnerId: 'other-icb' }, now);
    await decideShare(store, fromIcb(DR_RAO), approvalId('funding', ref, 1, 'nhs-example-icb'), 'approved', '', now);
    await decideShare(store, fromOther(OTHER), approvalId('funding', ref, 1, 'other-icb'), 'approved', '', now);
    const a = (await store.get('agreements', agreementId(ref)))!;
    const terms = a.versions.at(-1)!;
    const ending = (endDate: string) => variationPartners(a, { effectiveFrom: start, elements: terms.elements, weeklyAfter: terms.weeklyCost, endDate } as Variation).map((p) => p.partnerId);
    const end = terms.endDate;
    // An end on day 10 takes weeks from both (NHS Example ICB's days 11–13, the other ICB's from day 14); one on day 40 only from the other ICB.
    assert.deepEqual(ending(addDays(start, 10)), ['nhs-example-icb', 'other-icb']);
    assert.deepEqual(ending(addDays(start, 40)), ['other-icb']);
    assert.deepEqual(ending(''), [], `no change: nobody (the end stays ${end ?? 'open'})`);
  });

  it('a partner given every element of the agreement is refused next to the elements, as 100% is', async () => {
    const start = await running();
    const all = (await store.get('agreements', agreementId(ref)))!.versions.at(-1)!.elements.map((e) => e.name).join('; ');
    await invalidAt(setSplit(store, who('sam'), ref, { ...share(''), shareKind: 'elements', elements: all, from: addDays(start, 7) }, now), 'elements', /the council, as lead commissioner, keeps a share/);
    assert.equal((await store.get('agreements', agreementId(ref)))!.funding!.length, 1, 'nothing proposed');
  });

  it('shares typed as people type them are taken: "40%", 0.29, 4.35', async () => {
    for (const typed of ['40%', '0.29', '4.35']) {
      const { outcome } = await setSplit(store, who('sam'), ref, share(typed), now);
      assert.match(outcome, /^Saved/, typed);
      assert.equal((await store.get('requests', ref))!.funding!.shares[0].percent, Number(typed.replace('%', '')));
    }
    await invalidAt(setSplit(store, who('sam'), ref, share('99.999'), now), 'percent', /at most 2 decimal places/);
  });
});
