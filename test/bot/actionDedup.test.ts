import assert from 'node:assert/strict';
import { ActionDedup, stableKey } from '../../bot/actionDedup.js';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { bidId } from '../../src/domain/calloff.js';
import { cardText, PEOPLE, startTurns, type Turns } from './turns.js';
import * as fx from './fixtures.js';
import { COUNCIL_TENANT, PROVIDER_TENANT, sharedChannelInvoke } from './fixtures/sharedChannelActivities.js';

describe('a repeated click has its effect once', () => {
  it('runs the same action once while it is in flight and gives both callers the same answer', async () => {
    const dedup = new ActionDedup<string>();
    let runs = 0;
    let release!: () => void;
    const job = () => new Promise<string>((ok) => (release = () => ok(`run ${++runs}`)));
    const first = dedup.run('k', job);
    const retried = dedup.run('k', job); // Teams retrying an invoke that has not answered yet
    release();
    assert.deepEqual(await Promise.all([first, retried]), ['run 1', 'run 1']);
  });

  it('forgets after the window, and forgets failures at once so they can be retried', async () => {
    let now = 0;
    const dedup = new ActionDedup<string>(1000, () => now);
    let runs = 0;
    const job = async () => `run ${++runs}`;
    assert.equal(await dedup.run('k', job), 'run 1');
    now = 999;
    assert.equal(await dedup.run('k', job), 'run 1');
    now = 2500;
    assert.equal(await dedup.run('k', job), 'run 2');
    await assert.rejects(dedup.run('fails', async () => Promise.reject(new Error('boom'))));
    assert.equal(await dedup.run('fails', job), 'run 3');
  });

  it('replays the first answer 5 s later only while nothing it is about has changed', async () => {
    let now = 0;
    const revisions = new Map<string, number>();
    const dedup = new ActionDedup<string>(15_000, () => now, (s) => revisions.get(s) ?? 0);
    let runs = 0;
    const job = async () => {
      revisions.set('PKG-1', (revisions.get('PKG-1') ?? 0) + 1); // its own change does not count as "since"
      return `run ${++runs}`;
    };
    assert.equal(await dedup.run('k', job, 'PKG-1'), 'run 1');
    now = 5_000;
    assert.equal(await dedup.run('k', job, 'PKG-1'), 'run 1', 'a Teams retry: replayed');
    revisions.set('PKG-2', 7);
    assert.equal(await dedup.run('k', job, 'PKG-1'), 'run 1', 'another call-off changed: still replayed');
    revisions.set('PKG-1', (revisions.get('PKG-1') ?? 0) + 1);
    assert.equal(await dedup.run('k', job, 'PKG-1'), 'run 2', 'its call-off changed: acts on the present');
  });

  it('treats the same data in another key order as the same action', () => {
    assert.equal(stableKey({ a: 1, b: { c: [1, 2], d: 'x' } }), stableKey({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    assert.notEqual(stableKey({ a: 1 }), stableKey({ a: '1' }));
  });
});

describe('repeated clicks in the bot answer with the present', () => {
  let t: Turns;
  const now = new Date('2026-11-22T10:00:00Z');
  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
  });
  afterEach(() => t.close());

  it('a social worker fixes the needs summary, saves, and Submit then submits (not the old refusal)', async () => {
    const bad = 'Margaret lives alone with a learning disability and epilepsy; needs rescue medication.';
    const ref = await fx.submitted(t.store, now, { needsSummary: bad }, {}, { submit: false });
    const refused = await t.click('sam', 'request.submit', { ref });
    assert.match(cardText(refused.value), /needs summary contains part of the person's name/);
    const saved = await t.click('sam', 'request.package.save', { ref, ...fx.pkg() });
    assert.doesNotMatch(cardText(saved.value), /Margaret lives alone/);
    const submitted = await t.click('sam', 'request.submit', { ref });
    assert.doesNotMatch(cardText(submitted.value), /contains part of the person's name|Margaret lives alone/);
    assert.match(cardText(submitted.value), new RegExp(`Submitted ${ref}`));
    assert.equal((await t.store.get('requests', ref))?.state, 'submitted');
  });

  it('a provider bids, withdraws and bids again with the same values: the bid is recorded and the council counts it', async () => {
    const ref = await fx.submitted(t.store, now);
    await publishCallOff(t.store, { aadObjectId: PEOPLE.alex.aadObjectId }, ref, now);
    const first = await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
    assert.match(cardText(first.value), /Bid received \(version 1\)/);
    await t.click('priya', 'bid.withdraw', { ref });
    const again = await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
    assert.match(cardText(again.value), /Bid received \(version 2\)/);
    const bid = await t.store.get('bids', bidId(ref, 'caring-hands'));
    assert.equal(bid?.status, 'active');
    assert.equal(bid?.versions.length, 2);
    const status = await t.click('alex', 'calloff.status', { ref });
    assert.match(cardText(status.value), /1 \(sealed until the deadline\)/);
  });

  it('a Teams retry of the same bid has its effect once, replayed or, after another change, decided by state', async () => {
    const ref = await fx.submitted(t.store, now);
    await publishCallOff(t.store, { aadObjectId: PEOPLE.alex.aadObjectId }, ref, now);
    const first = await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
    const retry = await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
    assert.deepEqual(retry, first, 'nothing changed: the same answer');
    await t.click('tom', 'bid.submit', { ref, ...fx.goodBid({ weeklyPrice: '546', hourlyRate: '26' }) });
    const late = await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
    assert.match(cardText(late.value), /already received; nothing changed/);
    assert.equal((await t.store.get('bids', bidId(ref, 'caring-hands')))?.versions.length, 1);
  });
});

describe('a repeated click is replayed only to the same person in the same tenant', () => {
  let t: Turns;
  const now = new Date('2026-11-22T10:00:00Z');
  const OTHER_TENANT = '0c4a1b2d-3e5f-4a6b-8c7d-9e0f1a2b3c4d';
  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    t.deps.config = { anonymous: false, councilTenants: [COUNCIL_TENANT] };
    await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
  });
  afterEach(() => t.close());
  const answerOf = (replies: Awaited<ReturnType<Turns['send']>>) => (replies.find((r) => r.type === 'invokeResponse')!.value as { body: { value: unknown } }).body.value;
  const refused = async () => (await t.store.audit({ action: 'refused' })).map((e): Record<string, unknown> => ({ actor: e.actor, ...(e.after as Record<string, unknown>) }));

  it("within 15 s, the commissioner's identical Save from another tenant is refused and audited, not given the first answer", async () => {
    const save = (tenantId: string) =>
      t.send('alex', {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'card-admin',
        conversation: { id: 'personal-alex', conversationType: 'personal', tenantId } as never,
        channelData: { tenant: { id: tenantId } },
        value: { action: { type: 'Action.Execute', verb: 'admin.save', data: { kind: 'lots', id: 'positive-behaviour', name: 'Positive behaviour support' } }, trigger: 'manual' },
      });
    assert.match(cardText(answerOf(await save(COUNCIL_TENANT))), /Saved lot "positive-behaviour"/);
    const elsewhere = answerOf(await save(OTHER_TENANT));
    assert.equal(elsewhere, "You don't have a role in Brokerage Bot, so this card's actions are not open to you.");
    assert.deepEqual(await refused(), [{ actor: PEOPLE.alex.aadObjectId, what: 'action admin.save', reason: 'not recognised from this tenant', tenantId: OTHER_TENANT }]);
    assert.match(cardText(answerOf(await save(COUNCIL_TENANT))), /Saved lot "positive-behaviour"/, 'the commissioner\'s own retry is still replayed');
  });

  it("a provider user's bid, clicked again from another tenant, is refused, not answered with the bid received", async () => {
    await t.store.transact({ actor: 'test', action: 'test.tenant' }, async (tx) => tx.put('users', { ...(await tx.get('users', PEOPLE.tom.aadObjectId))!, tenantId: PROVIDER_TENANT }));
    const ref = await fx.submitted(t.store, now);
    await publishCallOff(t.store, { aadObjectId: PEOPLE.alex.aadObjectId }, ref, now);
    const own = sharedChannelInvoke('own', PEOPLE.tom, 'bid.submit', { ref, ...fx.goodBid() });
    assert.match(cardText(answerOf(await t.send('tom', own))), /Bid received \(version 1\)/);
    const forged = { ...own, conversation: { ...own.conversation!, tenantId: OTHER_TENANT }, channelData: { ...(own.channelData as object), tenant: { id: OTHER_TENANT } } };
    assert.match(String(answerOf(await t.send('tom', forged))), /don't have a role/);
    assert.deepEqual((await refused()).map((l) => [l.actor, l.what, l.tenantId]), [[PEOPLE.tom.aadObjectId, 'action bid.submit', OTHER_TENANT]]);
  });
});
