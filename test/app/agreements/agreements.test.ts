import { scan } from '../../helpers/scan.js';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { importFramework } from '../../../src/app/framework/importFile.js';
import { openBrokerageLowdb } from '../../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { publishCallOff } from '../../../src/app/calloffs/publish.js';
import { submitBid } from '../../../src/app/calloffs/bids.js';
import { closeAtDeadline } from '../../../src/app/calloffs/deadline.js';
import { lockScores } from '../../../src/app/award/evaluation.js';
import { acceptAward, decideAward, recordChoice } from '../../../src/app/award/decision.js';
import { decidePlacement, recordOffContract } from '../../../src/app/award/cascade.js';
import { confirmStart, setTerms } from '../../../src/app/agreements/start.js';
import { submitReturn } from '../../../src/app/agreements/returns.js';
import { submitReturnsCsv } from '../../../src/app/agreements/returnsCsv.js';
import { answerProviderChange, decideVariation, proposeVariation } from '../../../src/app/agreements/variations.js';
import { endAgreement, recordSuspension } from '../../../src/app/agreements/suspensions.js';
import { handBack, rebroker } from '../../../src/app/agreements/handBack.js';
import { agreementJobs } from '../../../src/app/agreements/jobs.js';
import { setRules } from '../../../src/app/agreements/rules.js';
import { agreementView } from '../../../src/app/agreements/views.js';
import { AppError } from '../../../src/app/errors.js';
import { rejects } from '../helpers.js';
import { bidId } from '../../../src/domain/calloff.js';
import { DEFAULT_RULES } from '../../../src/domain/agreement.js';
import { PEOPLE } from '../../bot/turns.js';
import * as fx from '../../bot/fixtures.js';

const who = (p: keyof typeof PEOPLE) => ({ aadObjectId: PEOPLE[p].aadObjectId });
describe('app/agreements: service agreements after the award', () => {
  let store: BrokerageStore;
  let dir: string;
  let now: Date;
  let ref: string;
  const agreement = async () => (await store.get('agreements', `AGR-${ref}`))!;
  const outbox = async (prefix: string) => (await scan(store, 'outbox')).filter((i) => i.id.startsWith(prefix));
  const jobs = () => agreementJobs(store, () => now);

  beforeEach(async () => {
    now = new Date('2026-11-22T10:00:00Z');
    dir = await mkdtemp(join(tmpdir(), 'agreements-test-'));
    store = await openBrokerageLowdb(dir);
    await importFramework(store, 'test', YAML.parse(await readFile('demo/framework.yaml', 'utf8')));
    await fx.registerChannels(store, now, 'caring-hands', 'brightpath');
    await setRules(store, who('alex'), { ...DEFAULT_RULES, period: 'weekly' });
    ref = await fx.submitted(store, now);
    await publishCallOff(store, who('alex'), ref, now);
    await submitBid(store, who('priya'), ref, fx.goodBid(), now);
    now = new Date('2026-12-01T17:00:01Z');
    await closeAtDeadline(store, ref, now);
    const label = (await store.get('requests', ref))!.evaluation!.bids[0].label;
    await lockScores(store, who('sam'), ref, label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, now);
    await recordChoice(store, who('sam'), ref, { bidId: bidId(ref, 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, now);
    await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const started = async () => {
    await acceptAward(store, who('priya'), ref, now);
    await confirmStart(store, who('priya'), ref, { startDate: '2026-12-14' }, now);
  };

  it('acceptance creates the agreement (version 1) in the same transaction, and asks the provider to confirm the start', async () => {
    assert.equal(await store.get('agreements', `AGR-${ref}`), undefined, 'no agreement before acceptance');
    await acceptAward(store, who('priya'), ref, now);
    await acceptAward(store, who('priya'), ref, now);
    const a = await agreement();
    assert.deepEqual([a.status, a.versions.length, a.versions[0].weeklyCost, a.versions[0].hoursPerWeek, a.providerId], ['awaiting_start', 1, 525, 21, 'caring-hands']);
    assert.equal((await outbox(`agr-start:${ref}`)).length, 1);
    const audit = (await store.audit()).filter((e) => e.collection === 'agreements');
    assert.equal(audit.length, 1, 'a repeated acceptance creates nothing new');
    assert.equal(audit[0].action, 'award.accept');
  });

  it('only the accepted provider confirms the start; a repeat changes nothing; a later change is refused', async () => {
    await acceptAward(store, who('priya'), ref, now);
    await rejects(confirmStart(store, who('tom'), ref, { startDate: '2026-12-14' }, now), 'forbidden', /not your organisation's package/);
    assert.equal((await store.audit({ action: 'agreements.refused' })).length, 1, 'the forged attempt is audited');
    await rejects(confirmStart(store, who('sam'), ref, { startDate: '2026-12-14' }, now), 'forbidden', /role doesn't allow/);
    await rejects(confirmStart(store, who('priya'), ref, { startDate: 'soon' }, now), 'invalid', /start date must be a date/);
    const first = await confirmStart(store, who('priya'), ref, { startDate: '2026-12-14' }, now);
    const again = await confirmStart(store, who('priya'), ref, { startDate: '2026-12-14' }, now);
    assert.deepEqual([first.unchanged, again.unchanged, (await agreement()).versions.length], [false, true, 2]);
    assert.equal((await agreement()).versions[1].reviewDate, '2027-01-25', 'first review six weeks after the start');
    await rejects(confirmStart(store, who('priya'), ref, { startDate: '2026-12-15' }, now), 'conflict', /ask the council for a variation/);
    const job = (await scan(store, 'jobs')).find((j) => j.id === `agr-period:${ref}`);
    assert.equal(job?.at, '2026-12-21T09:00:00.000Z', 'the first return is asked for the morning after the first week');
  });

  it('before the start: the council may set the review date, which the confirmed start keeps; variations wait for the start', async () => {
    await acceptAward(store, who('priya'), ref, now);
    await setTerms(store, who('sam'), ref, { reviewDate: '2027-03-01', costCentre: '', providerFinanceId: '' }, now);
    await rejects(proposeVariation(store, who('sam'), ref, { elements: 'Support: 10 @ 25', effectiveFrom: '2027-01-04', reason: 'Fewer hours from January.' }, now), 'conflict', /has not started yet/);
    await confirmStart(store, who('priya'), ref, { startDate: '2026-12-14' }, now);
    assert.equal((await agreement()).versions.at(-1)!.reviewDate, '2027-03-01');
  });

  it('terms: the owner or a broker, never another social worker; each change is a version; a repeat is not', async () => {
    await started();
    await store.transact({ actor: 'test', action: 'test.user' }, async (tx) => tx.put('users', { id: 'sw-2', name: 'Other SW', roles: ['social_worker'] }));
    await rejects(setTerms(store, { aadObjectId: 'sw-2' }, ref, { reviewDate: '2027-02-01', costCentre: 'X', providerFinanceId: 'Y' }, now), 'forbidden', /another social worker's package/);
    await rejects(setTerms(store, who('sam'), ref, { reviewDate: '2026-12-01', costCentre: 'X', providerFinanceId: 'Y' }, now), 'invalid', /on or after the start/);
    await rejects(setTerms(store, who('sam'), ref, { reviewDate: '2027-02-01', costCentre: 'X Y', providerFinanceId: 'Y' }, now), 'invalid', /cost centre: letters/);
    const r = await setTerms(store, who('sam'), ref, { reviewDate: '2027-02-01', costCentre: 'ASC-LD-01', providerFinanceId: 'CH-001' }, now);
    const again = await setTerms(store, who('alex'), ref, { reviewDate: '2027-02-01', costCentre: 'ASC-LD-01', providerFinanceId: 'CH-001' }, now);
    assert.deepEqual([r.unchanged, again.unchanged, (await agreement()).versions.length], [false, true, 3]);
    assert.match(r.agreement.versions[2].summary, /review 2027-01-25 → 2027-02-01; cost centre none → ASC-LD-01/);
  });

  it('returns: not before the start, not for a running period, not for a day that does not start a period; a repeat changes nothing; a correction keeps the old figure', async () => {
    await acceptAward(store, who('priya'), ref, now);
    now = new Date('2026-12-22T10:00:00Z');
    await rejects(submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '21' }, now), 'conflict', /Confirm .* start date first/);
    await confirmStart(store, who('priya'), ref, { startDate: '2026-12-14' }, now);
    await rejects(submitReturn(store, who('priya'), ref, { periodStart: '2026-12-21', hours: '21' }, now), 'invalid', /has not ended yet/);
    await rejects(submitReturn(store, who('priya'), ref, { periodStart: '2026-12-15', hours: '21' }, now), 'invalid', /does not start one of .* weekly periods/);
    await rejects(submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: 'many' }, now), 'invalid', /hours delivered must be a number/);
    await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '20' }, now);
    const same = await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '20' }, now);
    assert.equal(same.unchanged, true);
    const fixed = await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '12' }, now);
    assert.deepEqual(fixed.agreement.returns[0].corrections.map((c) => c.hours), [20]);
    assert.equal(fixed.period.variance?.beyond, true);
    assert.equal((await agreement()).reviews.length, 1, 'only the figure beyond tolerance raised a review');
    assert.equal((await outbox(`agr-review:${ref}:variance`)).length, 2, 'to Sam and to Alex (the broker)');
  });

  it('a return cannot hold more hours than the period has: 200 hours in a week is refused (review)', async () => {
    await started();
    now = new Date('2026-12-22T10:00:00Z');
    await rejects(submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '200' }, now), 'invalid', /at most 168 hours in a 7-day period/);
    await rejects(submitReturnsCsv(store, who('priya'), `reference,date,hours\n${Array.from({ length: 9 }, () => `${ref},2026-12-15,20`).join('\n')}`, now), 'invalid', /at most 168 hours/);
    assert.equal((await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '168' }, now)).period.delivered, 168);
  });

  it('a missing return: asked for at the period end, reminded after the council’s days, then "review needed"', async () => {
    await started();
    now = new Date('2026-12-21T09:00:00Z');
    await jobs()['agreement.period']({ id: 'test', kind: 'agreement.period', ref, periodStart: '2026-12-14', at: now.toISOString() });
    assert.equal((await outbox(`agr-return:${ref}:2026-12-14`)).length, 1);
    const chase = (await scan(store, 'jobs')).find((j) => j.id === `agr-chase:${ref}:2026-12-14`)!;
    assert.equal(chase.at, '2026-12-24T09:00:00.000Z');
    assert.equal((await scan(store, 'jobs')).find((j) => j.id === `agr-period:${ref}`)!.at, '2026-12-28T09:00:00.000Z', 'the next period is armed');
    now = new Date(chase.at);
    await jobs()['agreement.chase']({ ...chase, ref, stage: 'remind' });
    assert.equal((await outbox(`agr-chase:${ref}:2026-12-14`)).length, 1, 'the provider is reminded');
    assert.equal((await agreement()).reviews.length, 0);
    await jobs()['agreement.chase']({ id: 'test', kind: 'agreement.chase', ref, periodStart: '2026-12-14', stage: 'flag', at: now.toISOString() });
    const a = await agreement();
    assert.deepEqual(a.reviews.map((r) => r.kind), ['missing return']);
    assert.match(a.reviews[0].text, /no delivered-hours return from Caring Hands Ltd, after a reminder\. Planned: 21 hours, £525\.00/);
    await jobs()['agreement.chase']({ id: 'test', kind: 'agreement.chase', ref, periodStart: '2026-12-14', stage: 'flag', at: now.toISOString() });
    assert.equal((await agreement()).reviews.length, 1, 'a job that runs twice flags once');
  });

  it('the review date: the social worker and brokers get the figures so far, once', async () => {
    await started();
    now = new Date('2026-12-29T10:00:00Z');
    await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '21' }, now);
    await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-21', hours: '20' }, now);
    const job = (await scan(store, 'jobs')).find((j) => j.id === `agr-review:${ref}`)!;
    assert.deepEqual([job.kind, job.at], ['agreement.review', '2027-01-25T09:00:00.000Z']);
    now = new Date(job.at);
    await jobs()['agreement.review']({ ...job, ref });
    await jobs()['agreement.review']({ ...job, ref });
    const a = await agreement();
    assert.deepEqual(a.reviews.map((r) => r.kind), ['review date']);
    assert.match(a.reviews[0].text, /review set for 2027-01-25 is due\. So far: 2 period\(s\) returned, 41\.00 hours delivered against 42\.00 planned; £525\.00 a week now/);
    assert.equal((await outbox(`agr-review:${ref}:review:2027-01-25`)).length, 2, 'Sam and Alex');
  });

  it('a return that comes in cancels the chase', async () => {
    await started();
    now = new Date('2026-12-21T09:00:00Z');
    await jobs()['agreement.period']({ id: 'test', kind: 'agreement.period', ref, periodStart: '2026-12-14', at: now.toISOString() });
    await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '21' }, now);
    assert.equal((await scan(store, 'jobs')).some((j) => j.id === `agr-chase:${ref}:2026-12-14`), false);
  });

  it('CSV returns add visits up into periods, all or nothing, and refuse another provider’s package', async () => {
    await started();
    now = new Date('2026-12-29T10:00:00Z');
    await rejects(submitReturnsCsv(store, who('priya'), 'who,when\nx,y', now), 'invalid', /must name the columns/);
    const good = `reference,visit_date,hours\n${ref},2026-12-14,3\n${ref},2026-12-15,3.5\n${ref},21/12/2026,2`;
    await rejects(submitReturnsCsv(store, who('tom'), good, now), 'forbidden', /not your organisation's package/);
    await rejects(submitReturnsCsv(store, who('priya'), `${good}\n${ref},2026-12-30,2`, now), 'invalid', /period from 2026-12-28: .*has not ended yet/);
    assert.equal((await agreement()).returns.length, 0, 'nothing from a refused file');
    const r = await submitReturnsCsv(store, who('priya'), good, now);
    assert.deepEqual(r.map((x) => [x.period.start, x.period.delivered]), [['2026-12-14', 6.5], ['2026-12-21', 2]]);
    assert.deepEqual((await agreement()).returns.map((x) => x.source), ['csv', 'csv']);
  });

  it('a CSV naming another provider\'s package learns nothing about it: not its start date, and the refusal is audited (review)', async () => {
    await started();
    now = new Date('2026-12-29T10:00:00Z');
    // A day before the start would have been answered with "before PKG-…'s start (2026-12-14)".
    const probe = `reference,date,hours\n${ref},2026-01-01,1`;
    await assert.rejects(submitReturnsCsv(store, who('tom'), probe, now), (e: AppError) => {
      assert.equal(e.kind, 'forbidden', e.message);
      assert.doesNotMatch(`${e.message} ${Object.values(e.fields).join(' ')}`, /2026-12-14/);
      return true;
    });
    assert.ok((await store.audit({ action: 'agreements.refused' })).length >= 1, 'the forged file is audited');
  });

  it('variations: within the limits apply at once; above the threshold wait for one manager decision; the provider is told', async () => {
    await started();
    const small = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 22 @ 25', effectiveFrom: '2027-01-04', reason: 'One more hour for the day centre.' }, now);
    assert.deepEqual([small.variation.status, (await agreement()).versions.at(-1)!.weeklyCost], ['applied', 550]);
    assert.equal((await outbox(`agr-variation-outcome:${ref}:1`)).length, 1);
    const big = await proposeVariation(store, who('sam'), ref, { elements: 'Support: 22 @ 25\nWaking night: 7 @ 22', effectiveFrom: '2027-01-11', reason: 'Night-time seizures need a waking night.' }, now);
    assert.equal(big.variation.status, 'awaiting_approval');
    assert.equal((await agreement()).versions.at(-1)!.weeklyCost, 550, 'not in force before approval');
    await rejects(proposeVariation(store, who('sam'), ref, { elements: 'Support: 30 @ 25', effectiveFrom: '2027-01-11', reason: 'Something else entirely now.' }, now), 'conflict', /already has a variation waiting/);
    await rejects(decideVariation(store, who('sam'), ref, 2, 'approved', '', now), 'forbidden', /role doesn't allow/);
    await rejects(decideVariation(store, who('morgan'), ref, 2, 'rejected', '', now), 'invalid', /say why/);
    await decideVariation(store, who('morgan'), ref, 2, 'approved', '', now);
    const again = await decideVariation(store, who('morgan'), ref, 2, 'approved', '', now);
    assert.equal(again.unchanged, true);
    await rejects(decideVariation(store, who('morgan'), ref, 2, 'rejected', 'changed my mind', now), 'conflict', /already approved by you/);
    const a = await agreement();
    assert.deepEqual([a.versions.at(-1)!.weeklyCost, a.versions.at(-1)!.effectiveFrom, a.versions.at(-1)!.change], [704, '2027-01-11', 'variation']);
    assert.match(a.versions.at(-1)!.summary, /Variation 2: hours 22 → 29 a week; Waking night added/);
  });

  it('small rises cannot be chained past the approval threshold: the rise is also measured from the last approved cost (review)', async () => {
    await started();
    const one = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 21 @ 27', effectiveFrom: '2027-01-04', reason: 'Higher rate for weekend staff.' }, now);
    assert.deepEqual([one.variation.status, one.variation.weeklyAfter], ['applied', 567], '+£42 is within the £50 threshold');
    const two = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 21 @ 29', effectiveFrom: '2027-01-11', reason: 'Higher rate again for nights.' }, now);
    assert.equal(two.variation.status, 'awaiting_approval', '+£42 more is +£84 on the awarded £525');
    assert.match(two.variation.approvalReasons.join(' '), /£84\.00/);
    await decideVariation(store, who('morgan'), ref, 2, 'approved', '', now);
    const three = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 21 @ 30', effectiveFrom: '2027-01-18', reason: 'A rise within the limit after approval.' }, now);
    assert.equal(three.variation.status, 'applied', 'measured from the approved £609: +£21');
    const cut = await proposeVariation(store, who('sam'), ref, { elements: 'Support: 14 @ 30', effectiveFrom: '2027-01-25', reason: 'Fewer hours from the end of January.' }, now);
    assert.equal(cut.variation.status, 'applied', 'a cut never needs approval');
  });

  it('a rise back-dated into days already past goes to a manager: it would re-price periods already returned and paid (review)', async () => {
    await started();
    now = new Date('2026-12-29T10:00:00Z');
    await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '21' }, now);
    const back = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 21 @ 27', effectiveFrom: '2026-12-14', reason: 'Our rate went up at the start.' }, now);
    assert.equal(back.variation.status, 'awaiting_approval');
    assert.match(back.variation.approvalReasons.join(' '), /before today/);
    assert.equal((await agreement()).versions.at(-1)!.weeklyCost, 525, 'the paid period keeps its price until a manager approves');
    await decideVariation(store, who('morgan'), ref, 1, 'rejected', 'Not back-dated, please.', now);
    const cut = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 18 @ 25', effectiveFrom: '2026-12-21', reason: 'Fewer hours were wanted from the 21st.' }, now);
    assert.equal(cut.variation.status, 'awaiting_agreement', "the provider's cut waits for the social worker or a broker (issue 23)");
    const agreed = await answerProviderChange(store, who('sam'), ref, 2, 'agreed', '', now);
    assert.equal(agreed.variation.status, 'applied', 'a back-dated cut needs no approval');
  });

  it('a provider cannot extend a fixed-term package past its end date on its own: a manager decides (review)', async () => {
    await started();
    await proposeVariation(store, who('sam'), ref, { elements: 'Support: 21 @ 25', effectiveFrom: '2027-01-04', endDate: '2027-03-31', reason: 'A twelve-week package, then a review.' }, now);
    const longer = await proposeVariation(store, who('priya'), ref, { elements: 'Support: 21 @ 25', effectiveFrom: '2027-01-04', endDate: '2029-12-31', reason: 'We would like to carry on for longer.' }, now);
    assert.equal(longer.variation.status, 'awaiting_approval');
    assert.match(longer.variation.approvalReasons.join(' '), /end date/);
    assert.equal((await agreement()).versions.at(-1)!.endDate, '2027-03-31');
  });

  it('suspensions: the owner or a broker; no overlaps; a repeat is one suspension', async () => {
    await started();
    const input = { kind: 'hospital stay', from: '2027-01-07', to: '2027-01-09', note: 'Admitted to Fairfield General' };
    await rejects(recordSuspension(store, who('priya'), ref, input, now), 'forbidden', /role doesn't allow/);
    await recordSuspension(store, who('sam'), ref, input, now);
    const again = await recordSuspension(store, who('sam'), ref, input, now);
    assert.equal(again.unchanged, true);
    await rejects(recordSuspension(store, who('sam'), ref, { ...input, from: '2027-01-09', to: '2027-01-12' }, now), 'invalid', /overlaps the hospital stay/);
    assert.equal((await agreement()).suspensions.length, 1);
    const toProvider = (await outbox(`agr-suspended:${ref}:s1`)).filter((i) => 'providerId' in i.target);
    assert.equal(toProvider.length, 1);
  });

  it('hand-back ends the agreement and starts a new draft request, pre-filled and private, owned by the same social worker', async () => {
    await started();
    await rejects(handBack(store, who('priya'), ref, { on: '2027-01-31', reason: 'short' }, now), 'invalid', /reason needs at least 10/);
    const r = await handBack(store, who('priya'), ref, { on: '2027-01-31', reason: 'We can no longer staff the mornings.' }, now);
    const again = await handBack(store, who('priya'), ref, { on: '2027-01-31', reason: 'We can no longer staff the mornings.' }, now);
    assert.deepEqual([again.unchanged, again.nextRef], [true, r.nextRef]);
    const next = (await store.get('requests', r.nextRef))!;
    const old = (await store.get('requests', ref))!;
    assert.deepEqual([next.state, next.owner, next.step, next.person?.caseRef, next.package?.hoursPerWeek, next.calloff], ['draft', old.owner, 'package', 'LAS-400123', 21, undefined]);
    const a = await agreement();
    assert.deepEqual([a.status, a.ending?.kind, a.ending?.nextRef, a.versions.at(-1)!.endDate], ['ended', 'handed back', r.nextRef, '2027-01-31']);
    await rejects(proposeVariation(store, who('sam'), ref, { elements: 'Support: 10 @ 25', effectiveFrom: '2027-01-04', reason: 'Fewer hours from January.' }, now), 'conflict', /ended/);
  });

  it('an off-contract placement becomes a temporary agreement with a review; the brokers are reminded weekly until it is re-brokered', async () => {
    const second = await fx.submitted(store, now, { deadlineDate: '2026-12-05' });
    await publishCallOff(store, who('alex'), second, now);
    now = new Date('2026-12-05T17:00:01Z');
    await closeAtDeadline(store, second, now);
    await recordOffContract(store, who('alex'), second, { providerName: 'Acme Care', weeklyPrice: '610', reason: 'Nobody on the framework could take it.' }, now);
    assert.equal(await store.get('agreements', `AGR-${second}`), undefined, 'a placement waits for approval (issue 23)');
    await decidePlacement(store, who('morgan'), second, 1, 'approved', '', now);
    const a = (await store.get('agreements', `AGR-${second}`))!;
    assert.deepEqual([a.offContract, a.status, a.versions[0].reviewDate], [true, 'active', '2027-01-02']);
    const job = (await scan(store, 'jobs')).find((j) => j.id === `agr-review:${second}`)!;
    assert.equal(job.kind, 'agreement.offcontract');
    now = new Date(job.at);
    await jobs()['agreement.offcontract']({ ...job, ref: second });
    assert.equal((await outbox(`agr-offcontract:${second}`)).length, 1, 'one reminder to the broker');
    assert.equal((await scan(store, 'jobs')).find((j) => j.id === `agr-review:${second}`)!.at, '2027-01-09T09:00:00.000Z', 'and again in a week');
    await rejects(rebroker(store, who('sam'), second, { on: '2027-01-10', reason: 'A framework provider now has capacity.' }, now), 'forbidden', /role doesn't allow/);
    const r = await rebroker(store, who('alex'), second, { on: '2027-01-10', reason: 'A framework provider now has capacity.' }, now);
    assert.match(r.nextRef, /^PKG-\d{4}-\d{4}$/);
    assert.notEqual(r.nextRef, second);
    assert.equal((await scan(store, 'jobs')).some((j) => j.id === `agr-review:${second}`), false, 'no more reminders');
  });

  it('ending: a reason is required; the provider is told; the view refuses another provider and shows no budget to the provider', async () => {
    await started();
    await rejects(endAgreement(store, who('sam'), ref, { on: '2027-02-28', reason: '' }, now), 'invalid', /reason needs at least 10/);
    await proposeVariation(store, who('sam'), ref, { elements: 'Support: 30 @ 25', effectiveFrom: '2027-01-04', reason: 'More support at home from January.' }, now);
    await endAgreement(store, who('sam'), ref, { on: '2027-02-28', reason: 'She has moved to a care home.' }, now);
    assert.equal((await outbox(`agr-ended:${ref}`)).filter((i) => 'providerId' in i.target).length, 1);
    assert.deepEqual((await agreement()).variations.map((x) => [x.status, x.decisionNote]), [['rejected', 'lapsed: the package ended']], 'the waiting variation lapses');
    assert.equal((await outbox(`agr-variation:${ref}:1:`)).filter((i) => i.updates).length, 1, "the manager's card is updated");
    await rejects(decideVariation(store, who('morgan'), ref, 1, 'approved', '', now), 'conflict', /already rejected by the bot/);
    await rejects(agreementView(store, who('tom'), ref, now), 'forbidden', /not your organisation's package/);
    const v = await agreementView(store, who('priya'), ref, now);
    assert.deepEqual([v.audience, 'canManage' in v, 'budgetWeekly' in v.agreement, 'versions' in v.agreement], ['provider', false, false, false], 'the provider’s view holds no budget and no council versions');
  });

  it('an ending keeps asking for every period up to the last day, and nothing after it', async () => {
    await started();
    await endAgreement(store, who('sam'), ref, { on: '2026-12-30', reason: 'She has moved to a care home.' }, now);
    const periodJob = async () => (await scan(store, 'jobs')).find((j) => j.id === `agr-period:${ref}`);
    assert.equal((await periodJob())?.at, '2026-12-21T09:00:00.000Z', 'the first period is still asked for');
    now = new Date('2026-12-21T09:00:00Z');
    await jobs()['agreement.period']({ id: 'test', kind: 'agreement.period', ref, periodStart: '2026-12-14', at: now.toISOString() });
    assert.equal((await periodJob())?.at, '2026-12-28T09:00:00.000Z');
    now = new Date('2026-12-28T09:00:00Z');
    await jobs()['agreement.period']({ id: 'test', kind: 'agreement.period', ref, periodStart: '2026-12-21', at: now.toISOString() });
    assert.equal((await periodJob())?.at, '2027-01-04T09:00:00.000Z', 'the period holding the last day');
    now = new Date('2027-01-04T09:00:00Z');
    await jobs()['agreement.period']({ id: 'test', kind: 'agreement.period', ref, periodStart: '2026-12-28', at: now.toISOString() });
    assert.equal((await periodJob())?.periodStart, '2026-12-28', 'not moved on past the last day (the scheduler then removes it)');
    await jobs()['agreement.period']({ id: 'test', kind: 'agreement.period', ref, periodStart: '2027-01-04', at: now.toISOString() });
    assert.deepEqual((await outbox(`agr-return:${ref}`)).map((i) => (i.message as { periodStart?: string }).periodStart), ['2026-12-14', '2026-12-21', '2026-12-28']);
  });

  it('an agreement keeps the money rules it was created under: a later change of the council’s rules does not re-price paid periods', async () => {
    await started();
    await recordSuspension(store, who('sam'), ref, { kind: 'hospital stay', from: '2026-12-16', to: '2026-12-16', note: '' }, now);
    await setRules(store, who('alex'), { ...DEFAULT_RULES, period: 'four-weekly', retainerPct: 100 });
    now = new Date('2026-12-22T10:00:00Z');
    const r = await submitReturn(store, who('priya'), ref, { periodStart: '2026-12-14', hours: '18' }, now);
    // Weekly, 50%: 6 days × 3 h = 18 h at £25 = £450, plus half of one day's £75 = £37.50.
    assert.deepEqual([r.period.end, r.period.payable], ['2026-12-20', 487.5]);
    await rejects(setRules(store, who('sam'), { ...DEFAULT_RULES }), 'forbidden', /role doesn't allow/);
  });

  it('every change to an agreement is in the audit log with who did it', async () => {
    await started();
    await setTerms(store, who('alex'), ref, { reviewDate: '2027-02-01', costCentre: 'ASC', providerFinanceId: 'CH' }, now);
    const actions = ((await store.audit()).filter((e) => e.collection === 'agreements')).map((e) => [e.action, e.actor]);
    assert.deepEqual(actions, [
      ['award.accept', PEOPLE.priya.aadObjectId],
      ['agreement.start', PEOPLE.priya.aadObjectId],
      ['agreement.terms', PEOPLE.alex.aadObjectId],
    ]);
  });
});
