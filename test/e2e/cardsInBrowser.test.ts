/**
 * Every kind of card a user meets, rendered by the real Adaptive Cards SDK in headless Chromium
 * (as Teams and the Agents Playground render them): the SDK reports no problem with any of them,
 * and each draws at a readable size. Set CARD_PNG_DIR to keep the pictures.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { saveStep, startRequest } from '../../src/app/requests/requests.js';
import { closeAtDeadline } from '../../src/app/calloffs/deadline.js';
import { lockScores } from '../../src/app/award/evaluation.js';
import { recordChoice } from '../../src/app/award/decision.js';
import { goodBid, pkg, person, registerChannels, submitted } from '../bot/fixtures.js';
import { cardOf, PEOPLE, startTurns, type Turns } from '../bot/turns.js';
import { CardRenderer } from './browser.js';
import { collectBigCards } from '../bot/fixtures/bigFramework.js';
import { contractsCard, paymentsCard } from '../../bot/views/contractCards.js';
import { acceptedAgreement } from '../bot/agreementWorld.js';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { submitBid } from '../../src/app/calloffs/bids.js';
import { decideShare } from '../../src/app/funding/decide.js';
import { partnerApprovalView, partnerList } from '../../src/app/funding/views.js';
import { partnerListCard, partnerPackageCard, splitCard } from '../../bot/views/fundingCards.js';
import { splitView } from '../../src/app/funding/split.js';
import { seedMarket } from '../reports/marketDataset.js';
import { lowdbProbe } from '../../src/store/open.js';

/** Each card renders with no problem the SDK reports, at a readable size (kept as a PNG under CARD_PNG_DIR). */
async function rendersCleanly(renderer: CardRenderer, cards: [string, object][]): Promise<void> {
  const dir = process.env.CARD_PNG_DIR;
  for (const [name, card] of cards) {
    const out = dir ? join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`) : undefined;
    const { warnings, size, png } = await renderer.render(card, { out });
    assert.deepEqual(warnings, [], `the renderer found problems in the ${name} card`);
    assert.ok(size.height > 60 && size.width >= 400, `the ${name} card drew at ${size.width}×${size.height}`);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
  }
}

describe('e2e: the cards render cleanly in a real Adaptive Cards renderer (headless Chromium)', function () {
  let t: Turns;
  let renderer: CardRenderer;
  const now = new Date('2026-11-22T10:00:00Z');
  let clock = now;
  const cards: [string, object][] = [];

  before(async function () {
    this.timeout(60_000);
    renderer = await CardRenderer.launch();
    t = await startTurns({ now: () => clock });
    await registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
    const value = async (p: Promise<{ value: unknown }>) => (await p).value as object;

    cards.push(['help', cardOf((await t.say('alex', 'help'))[0])]);
    cards.push(['admin home', cardOf((await t.say('alex', 'admin'))[0])]);
    cards.push(['provider form', await value(t.click('alex', 'admin.edit', { kind: 'providers', id: 'caring-hands' }))]);
    cards.push(['user form', await value(t.click('alex', 'admin.edit', { kind: 'users', id: PEOPLE.sam.aadObjectId }))]);
    cards.push(['framework', cardOf((await t.say('alex', 'framework'))[0])]);

    const who = { aadObjectId: PEOPLE.sam.aadObjectId };
    const draft = await startRequest(t.store, who, now);
    cards.push(['person step', await value(t.click('sam', 'request.edit', { ref: draft.id, step: 'person' }))]);
    cards.push(['person step with errors', await value(t.click('sam', 'request.person.save', { ref: draft.id, ...person, postcode: 'nowhere' }))]);
    await saveStep(t.store, who, draft.id, 'person', person, now);
    cards.push(['checklist step', await value(t.click('sam', 'request.edit', { ref: draft.id, step: 'checklist' }))]);
    cards.push(['package step', await value(t.click('sam', 'request.checklist.save', { ref: draft.id, 'c_specialist-skill': 'true' }))]);
    cards.push(['review with text that identifies the person', await value(t.click('sam', 'request.package.save', { ref: draft.id, ...pkg({ outcomes: 'Margaret wants to keep her flat.' }) }))]);
    cards.push(['review', await value(t.click('sam', 'request.package.save', { ref: draft.id, ...pkg() }))]);
    cards.push(['my requests', cardOf((await t.say('sam', 'my requests'))[0])]);

    const ref = await submitted(t.store, now);
    await t.say('alex', `publish ${ref}`);
    await t.drained();
    cards.push(['call-off in a provider channel', t.posted.find((p) => p.item.message.kind === 'calloff.card')!.activity.attachments![0].content as object]);
    cards.push(['bid form', await value(t.click('priya', 'bid.form', { ref }))]);
    cards.push(['bid form with errors', await value(t.click('priya', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '-1', a_q1: '' }) }))]);
    cards.push(['bid received', await value(t.click('priya', 'bid.submit', { ref, ...goodBid() }))]);
    await t.click('priya', 'calloff.ask', { ref, question: 'Is there parking at the property for staff?' });
    cards.push(['sealed status for the council', cardOf((await t.say('alex', `calloff ${ref}`))[0])]);
    cards.push(['answer form', await value(t.click('alex', 'calloff.answer.form', { ref, questionId: 'Q1' }))]);
    // As after a post was taken over from an instance that stopped mid-send, with the channel unreadable.
    await t.store.transact({ actor: 'test', action: 'test.taken-over' }, async (tx) => {
      const post = (await tx.get('outbox', `post:${ref}:brightpath`))!;
      tx.put('outbox', { ...post, takenOver: now.toISOString() });
    });
    cards.push(['sealed status with a card that may show twice', cardOf((await t.say('alex', `calloff ${ref}`))[0])]);
    // Decisions under the scheme of delegation (issue 23): the approval card with who may decide, the lists and forms.
    const later = new Date('2026-12-01T17:00:01Z');
    clock = later;
    await closeAtDeadline(t.store, ref, later);
    await lockScores(t.store, who, ref, (await t.store.get('requests', ref))!.evaluation!.bids[0].label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, later);
    await recordChoice(t.store, who, ref, { bidId: `${ref}:caring-hands`, tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, later);
    cards.push(['approvals waiting on', cardOf((await t.say('sam', 'approvals'))[0])]);
    cards.push(['approval levels form', cardOf((await t.say('alex', 'approval levels'))[0])]);
    cards.push(['approval levels with an error', await value(t.click('alex', 'approvals.levels.save', { level1Name: 'Manager', level1Weekly: '1500', level2Name: 'Director', level2Yearly: '9', remindAfterHours: '16', escalateAfterHours: '24', bankHolidays: 'england-and-wales' }))]);
    cards.push(['approval levels as a social worker sees them', cardOf((await t.say('sam', 'approval levels'))[0])]);
    cards.push(['out of office', cardOf((await t.say('morgan', 'out of office'))[0])]);
    await t.drained();
    for (const p of t.posted) if (p.activity.attachments?.[0]) cards.push([`posted ${p.item.message.kind} to ${p.to}`, p.activity.attachments[0].content as object]);
    // At a county's scale the payments and contracts cards name the largest lines and sum the rest.
    const county = Array.from({ length: 200 }, (_, i) => ({ providerId: `prov-${i}`, providerName: `Provider ${i} Home Care Ltd`, rows: 4, plannedHours: 84, deliveredHours: 80, payableHours: 80, retainer: 0, payable: 2000 + i, missingReturns: i % 2 }));
    const url = (n: number) => `https://bot.example.org/files/${'x'.repeat(22)}.${n.toString(36)}.${'s'.repeat(43)}`;
    const month = { from: '2026-10-01', to: '2026-10-31', label: 'October 2026' };
    cards.push(['payments for 200 providers', paymentsCard(month, { providers: county, total: { ...county[0], providerId: '', providerName: 'All providers', payable: 420_000 }, providerUrls: county.map((_, i) => url(i)), allRowsUrl: url(900), totalsUrl: url(901), indexUrl: url(902), funders: [{ funder: 'council', funderName: 'Bury Council', rows: 800, plannedCost: 400_000, retainer: 0, payable: 420_000 }, { funder: '', funderName: 'All funders', rows: 800, plannedCost: 400_000, retainer: 0, payable: 420_000 }], fundersUrl: url(903), funderTotalsUrl: url(904) })]);
    const spend = (n: number, what: string) => Array.from({ length: n }, (_, i) => ({ key: `${what} ${i}`, committed: 9000 + i, delivered: 8800 + i }));
    cards.push(['contracts report for 200 providers', contractsCard(month, { byProvider: spend(200, 'Provider'), byLot: spend(40, 'Lot'), byZone: spend(30, 'Zone'), byFunder: [{ key: 'Bury Council', committed: 420_000, delivered: 410_000 }], needingReview: [], framework: { spend: 420_000, min: 0, max: 0, days: 31, status: 'no limits set' }, offContract: [] })]);

    // The operations view with something to show: a failed post, its unreachable channel, a late job.
    const probe = lowdbProbe(t.store);
    await probe.announce({ id: 'app-host-0:41:9f2c1a7e', build: '0.1.0 (6381f2aff33f)', startedAt: new Date(now.getTime() - 5_400_000).toISOString(), seenAt: '' }, () => {});
    t.deps.ops = { probe, kind: 'lowdb', where: '/home/site/data', instanceId: 'app-host-0:41:9f2c1a7e' };
    await t.store.transact({ actor: 'test', action: 'test.ops' }, async (tx) => {
      const post = (await tx.get('outbox', `post:${ref}:brightpath`))!;
      tx.put('outbox', { ...post, status: 'failed', attempts: 1, lastError: '403 BotNotInConversationRoster: the bot is not part of the conversation roster', unreachable: true });
      const p = (await tx.get('providers', 'brightpath'))!;
      tx.put('providers', { ...p, channel: { ...p.channel!, unreachableReason: '403 BotNotInConversationRoster: the bot is not part of the conversation roster' } });
      tx.put('jobs', { id: `remind:2h:${ref}`, kind: 'calloff.remind', ref, at: new Date(now.getTime() - 600_000).toISOString(), reminder: '2h' });
    });
    t.runtime.scheduler.stop();
    cards.push(['operations view', cardOf((await t.say('alex', 'ops'))[0])]);
  });

  after(async function () {
    this.timeout(20_000);
    await renderer?.close();
    await t?.close();
  });

  it('reports no problem with any card and draws each at a readable size', async function () {
    this.timeout(60_000);
    assert.ok(cards.length >= 20, `only ${cards.length} cards collected`);
    await rendersCleanly(renderer, cards);
  });
});

describe('e2e: the service-agreement cards render cleanly (issue 22: the provider’s own history, variation answers, CSV errors, contracts report)', function () {
  let t: Turns;
  let renderer: CardRenderer;
  let now = new Date('2026-11-22T10:00:00Z');
  const cards: [string, object][] = [];

  before(async function () {
    this.timeout(60_000);
    renderer = await CardRenderer.launch();
    t = await startTurns({ now: () => now });
    const ref = await acceptedAgreement(t, (d) => (now = d));
    const value = async (p: Promise<{ value: unknown }>) => (await p).value as object;
    await t.click('priya', 'agreement.start', { ref, startDate: '2026-12-14' });
    await t.click('sam', 'agreement.terms', { ref, reviewDate: '2027-01-11', costCentre: 'ASC-AUT-07', providerFinanceId: 'MHP-2231' });
    await t.click('sam', 'agreement.suspend', { ref, kind: 'hospital stay', from: '2026-12-16', to: '2026-12-17', note: 'Fairfield General, ward 4' });
    now = new Date('2026-12-22T10:00:00Z');
    cards.push(['agreement return answer (provider)', await value(t.click('priya', 'agreement.return', { ref, periodStart: '2026-12-14', hours: '10' }))]);
    cards.push(['agreement variation answer (provider)', await value(t.click('priya', 'agreement.vary', { ref, elements: 'Support: 21 @ 25\nWaking night: 7 @ 22', effectiveFrom: '2026-12-14', reason: 'Night-time seizures need a waking night.' }))]);
    cards.push(['agreement CSV with bad lines (provider)', await value(t.click('priya', 'agreement.csv', { ref, csv: `reference,date,hours\n${ref},2026-02-30,3\nPKG-2026-0099,2026-12-15,3\n${ref},2026-12-15,25` }))]);
    cards.push(['agreement in the channel (provider)', cardOf((await t.say('priya', `agreement ${ref}`, { conversationType: 'channel', id: 'channel-caring-hands' }))[0])]);
    cards.push(['agreement (council)', cardOf((await t.say('sam', `agreement ${ref}`))[0])]);
    cards.push(['handback refused (provider)', await value(t.click('priya', 'agreement.handback', { ref, on: '2026-11-14', reason: 'We can no longer staff the mornings.' }))]);
    await t.click('morgan', 'agreement.variation.reject', { ref, n: 1, decisionNote: 'Not from a week already returned.' });
    cards.push(['a cut waiting for the council (provider)', await value(t.click('priya', 'agreement.vary', { ref, elements: 'Support: 14 @ 25', effectiveFrom: '2027-01-04', reason: 'We cannot staff the evenings any more.' }))]);
    await t.drained();
    const consent = t.posted.find((p) => p.item.message.kind === 'agreement.variation.consent');
    if (consent) cards.push(["a provider's cut put to the social worker", consent.activity.attachments![0].content as object]);
    await t.click('sam', 'agreement.end', { ref, on: '2026-12-27', reason: 'She has moved to a care home.' });
    cards.push(['contracts report with an ended agreement', cardOf((await t.say('alex', 'contracts report 2026-12-14 to 2026-12-27'))[0])]);
    await t.drained();
    const approval = t.posted.find((p) => p.item.message.kind === 'agreement.variation');
    if (approval) cards.push(['variation approval (manager)', approval.activity.attachments![0].content as object]);
  });

  after(async function () {
    this.timeout(20_000);
    await renderer?.close();
    await t?.close();
  });

  it('reports no problem with any of them and draws each at a readable size', async function () {
    this.timeout(60_000);
    assert.equal(cards.length, 10);
    await rendersCleanly(renderer, cards);
  });
});

describe('e2e: at a council-sized framework (250 providers, 40 lots, 30 zones) every card still renders cleanly', function () {
  let t: Turns;
  let renderer: CardRenderer;
  let cards: [string, object][] = [];
  const now = new Date('2026-11-22T10:00:00Z');

  before(async function () {
    this.timeout(60_000);
    renderer = await CardRenderer.launch();
    t = await startTurns({ now: () => now });
    cards = await collectBigCards(t, now);
  });
  after(async function () {
    this.timeout(20_000);
    await renderer?.close();
    await t?.close();
  });

  it('the SDK reports no problem with any of them (paged lists, searches, the type-ahead picker)', async function () {
    this.timeout(120_000);
    const dir = process.env.CARD_PNG_DIR;
    for (const [name, card] of cards) {
      const out = dir ? join(dir, `big-${name.replace(/[^a-z0-9]+/gi, '-')}.png`) : undefined;
      const { warnings, size } = await renderer.render(card, { out });
      assert.deepEqual(warnings, [], `the renderer found problems in the ${name} card`);
      assert.ok(size.height > 60, `the ${name} card drew at ${size.width}×${size.height}`);
    }
  });
});

describe('e2e: the market view’s cards render cleanly too (issue 25)', function () {
  let t: Turns;
  let renderer: CardRenderer;
  const cards: [string, object][] = [];
  let clock = new Date('2026-11-30T12:00:00Z');

  before(async function () {
    this.timeout(60_000);
    renderer = await CardRenderer.launch();
    t = await startTurns({ now: () => clock });
    await registerChannels(t.store, clock, 'caring-hands', 'brightpath');
    await seedMarket(t.store);
    const value = async (p: Promise<{ value: unknown }>) => (await p).value as object;
    const inChannel = { conversationType: 'channel', id: 'channel-caring-hands' } as const;
    const NOV = { from: '2026-11-01', to: '2026-11-30' };

    cards.push(['market report', cardOf((await t.say('alex', 'market report 2026-11-01 to 2026-11-30'))[0])]);
    cards.push(['market report after opening a window', await value(t.click('alex', 'market.gap.open', { lot: 'autism', zone: 'radcliffe', ...NOV }))]);
    cards.push(['market rules', cardOf((await t.say('alex', 'market rules'))[0])]);
    cards.push(['market rules with an error', await value(t.click('alex', 'market.rules.save', { noBidPct: 'most', thinPct: '50', offContract: '1', handBacks: '2', daysToStart: '28', minProviders: '2', persistMonths: '3', capacityWeeks: '8', smallNumber: '5' }))]);
    cards.push(['cost of care', cardOf((await t.say('alex', 'cost of care'))[0])]);
    cards.push(['cost of care form with errors', await value(t.click('alex', 'market.cost.save', { lot: 'autism', payPerHour: '12.71', surplusPct: 'lots', zoneUplifts: 'ramsbottom: 5\nthe moon' }))]);
    cards.push(['capacity in a provider channel', cardOf((await t.say('priya', 'capacity', inChannel))[0])]);
    cards.push(['capacity with errors', await value(t.click('priya', 'capacity.save', { 'can_bury-east': 'no', 'hours_bury-east': '10', hours_whitefield: 'lots' }))]);
    cards.push(['capacity saved', await value(t.click('priya', 'capacity.save', { 'can_bury-east': 'yes', 'hours_bury-east': '40' }))]);

    const ref = await submitted(t.store, clock);
    await t.say('alex', `publish ${ref}`);
    await t.click('priya', 'bid.submit', { ref, ...goodBid({}, new Date('2026-11-30T12:00:00Z')) });
    await t.click('tom', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '714', hourlyRate: '34' }, new Date('2026-11-30T12:00:00Z')) });
    cards.push(['sealed status with capacity', cardOf((await t.say('alex', `calloff ${ref}`))[0])]);
    clock = new Date('2026-12-09T17:00:01Z');
    await t.runtime.scheduler.runDue();
    const who = { aadObjectId: PEOPLE.sam.aadObjectId };
    for (const b of (await t.store.get('requests', ref))!.evaluation!.bids) await lockScores(t.store, who, ref, b.label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, clock);
    await recordChoice(t.store, who, ref, { bidId: `${ref}:caring-hands`, tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, clock);
    clock = new Date('2027-01-25T12:00:01Z');
    await t.runtime.scheduler.runDue();
    t.runtime.changed();
    await t.drained();
    for (const kind of ['evaluation.ranking', 'award.approval', 'market.invitation', 'capacity.chase']) {
      const p = t.posted.find((x) => x.item.message.kind === kind);
      assert.ok(p?.activity.attachments?.[0], `a ${kind} card was posted`);
      cards.push([`posted ${kind}`, p.activity.attachments[0].content as object]);
    }
  });

  after(async function () {
    this.timeout(20_000);
    await renderer?.close();
    await t?.close();
  });

  it('the SDK reports no problem with any of them, and each draws at a readable size', async function () {
    this.timeout(60_000);
    await rendersCleanly(renderer, cards.map(([name, card]) => [`market ${name}`, card]));
  });
});

describe('e2e: the joint-funding cards render cleanly (issue 24: partners, the split, the ICB approver’s card, the council card waiting for the ICB)', function () {
  let t: Turns;
  let renderer: CardRenderer;
  const now = new Date('2026-11-22T10:00:00Z');
  let clock = now;
  const cards: [string, object][] = [];
  const ICB = 'b2c3d4e5-0000-4000-8000-0000000000b1';
  const asha = { aadObjectId: 'b2c3d4e5-0001-4000-8000-0000000000b1', tenantId: ICB, councilTenant: false };

  before(async function () {
    this.timeout(60_000);
    renderer = await CardRenderer.launch();
    t = await startTurns({ now: () => clock });
    await registerChannels(t.store, now, 'caring-hands', 'brightpath');
    const value = async (p: Promise<{ value: unknown }>) => (await p).value as object;
    cards.push(['funding partners, none yet', cardOf((await t.say('alex', 'funding partners'))[0])]);
    cards.push(['add a funding partner, bad tenant', await value(t.click('alex', 'funding.partner.save', { name: 'NHS Example ICB', id: 'nhs-example-icb', kind: 'icb', tenantId: 'nhs.example', weeklyLimit: '200' }))]);
    await t.click('alex', 'funding.partner.save', { name: 'NHS Example ICB', id: 'nhs-example-icb', kind: 'icb', tenantId: ICB, weeklyLimit: '200' });
    cards.push(["add a partner's person", await value(t.click('alex', 'funding.person.form', {}))]);
    cards.push(['funding partners', await value(t.click('alex', 'funding.person.save', { partnerId: 'nhs-example-icb', id: asha.aadObjectId, name: 'Dr Asha Rao', role: 'funding_approver', level: 'senior-funding-approver' }))]);
    const ref = await submitted(t.store, now);
    cards.push(['funding split, council pays all', cardOf((await t.say('sam', `funding ${ref}`))[0])]);
    cards.push(['funding split, bad share', await value(t.click('sam', 'funding.split.save', { ref, partnerId: 'nhs-example-icb', shareKind: 'percent', percent: '100', basis: 'chc', lawfulBasis: 'false', reason: 'CHC eligibility confirmed at the joint panel' }))]);
    cards.push(['funding split saved', await value(t.click('sam', 'funding.split.save', { ref, partnerId: 'nhs-example-icb', shareKind: 'percent', percent: '40', basis: 'chc', lawfulBasis: 'false', reason: 'CHC eligibility confirmed at the joint panel' }))]);
    await publishCallOff(t.store, { aadObjectId: PEOPLE.alex.aadObjectId }, ref, now);
    await submitBid(t.store, { aadObjectId: PEOPLE.priya.aadObjectId }, ref, goodBid({}, now), now);
    clock = new Date('2026-12-01T17:00:01Z');
    await closeAtDeadline(t.store, ref, clock);
    const r = (await t.store.get('requests', ref))!;
    await lockScores(t.store, { aadObjectId: PEOPLE.sam.aadObjectId }, ref, r.evaluation!.bids[0].label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, clock);
    await recordChoice(t.store, { aadObjectId: PEOPLE.sam.aadObjectId }, ref, { bidId: `${ref}:caring-hands`, tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, clock);
    await t.drained();
    const council = t.posted.find((p) => p.item.message.kind === 'award.approval');
    if (council) cards.push(['award approval with joint funding (manager)', council.activity.attachments![0].content as object]);
    cards.push(['award approved for the council, waiting for the ICB', await value(t.click('morgan', 'award.approve', { ref, n: 1 }))]);
    const id = `award:${ref}:1:nhs-example-icb`;
    cards.push(["the ICB approver's card (anonymised)", partnerPackageCard((await partnerApprovalView(t.store, id, clock))!)]);
    cards.push(["the ICB approver's card, refusal without a reason", partnerPackageCard((await partnerApprovalView(t.store, id, clock))!, { errors: { refuseReason: 'say why your organisation does not agree to fund it (at least 5 characters); the council is told' } })]);
    cards.push(["the ICB's packages", partnerListCard(await partnerList(t.store, asha, clock))]);
    await decideShare(t.store, asha, id, 'approved', '', clock);
    cards.push(["the ICB approver's card, approved", partnerPackageCard((await partnerApprovalView(t.store, id, clock))!, { notice: 'Approved for NHS Example ICB. Every funder has approved: the award is made and the provider is asked to accept.' })]);
    // A partner's refusal of a change of split, with a link planted in its reason, as the social worker's form shows it: plain text.
    const view = await splitView(t.store, { aadObjectId: PEOPLE.sam.aadObjectId }, ref, clock);
    const refused = { shares: [], reason: 'Equal shares', by: PEOPLE.sam.aadObjectId, byName: 'Sam Patel', at: clock.toISOString(), from: '2026-12-17', n: 1, status: 'refused' as const, refusal: { by: asha.aadObjectId, byName: 'Dr Asha Rao', partnerName: 'NHS Example ICB', reason: 'Please [re-verify your NHS account](https://evil.example/login) first', at: clock.toISOString() } };
    cards.push(["funding split, the ICB's refusal with a planted link (plain text)", splitCard({ ...view, agreement: { funding: [refused], status: 'active', versions: [{ elements: [] }] } as never, locked: 'A change of funding is waiting for the partners it changes.' })]);
  });

  after(async function () {
    this.timeout(20_000);
    await renderer?.close();
    await t?.close();
  });

  it('reports no problem with any of them and draws each at a readable size', async function () {
    this.timeout(60_000);
    assert.equal(cards.length, 14);
    await rendersCleanly(renderer, cards);
  });
});
