import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { Activity } from 'botbuilder';
import type { Scripted } from '../../bench/mockConnector.js';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { connectorWorld, type ConnectorWorld } from './connectorWorld.js';
import { whoFrom } from '../../bot/identity.js';
import { RefusalAudit } from '../../src/app/refusals.js';
import * as fx from './fixtures.js';
import { COUNCIL_TENANT, PROVIDER_TENANT, sharedChannelInvoke } from './fixtures/sharedChannelActivities.js';
import { cardText, PEOPLE, startTurns, type Turns } from './turns.js';

describe('tenants fail closed', () => {
  let t: Turns;
  let ref: string;
  const now = new Date('2026-11-22T10:00:00Z');
  let n = 0;

  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    t.deps.config = { anonymous: false, councilTenants: [COUNCIL_TENANT] };
    t.deps.refusals = new RefusalAudit(t.store, undefined, { perActor: 1000, total: 1000, windowMs: 60_000 });
    await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
    await t.store.transact({ actor: 'test', action: 'test.tenant' }, async (tx) => tx.put('users', { ...(await tx.get('users', PEOPLE.tom.aadObjectId))!, tenantId: PROVIDER_TENANT }));
    ref = await fx.submitted(t.store, now);
    await t.say('alex', `publish ${ref}`, { tenantId: COUNCIL_TENANT });
  });
  afterEach(() => t.close());

  const invoke = async (activity: Partial<Activity>) => {
    const replies = await t.send('tom', activity);
    return (replies.find((r) => r.type === 'invokeResponse')!.value as { body: { value: unknown } }).body.value;
  };
  const bids = async () => (await t.store.get('bids', `${ref}:brightpath`))?.versions.length ?? 0;
  const refusals = async () => (await t.store.audit({ action: 'refused' })).length;

  it('reads the tenant from the conversation, else the channel data; in a shared channel that is the host’s', () => {
    const host = sharedChannelInvoke('host', PEOPLE.tom, 'x', {}) as Activity;
    assert.equal(whoFrom(host).tenantId, COUNCIL_TENANT);
    const { tenantId: _t, ...conversation } = host.conversation;
    assert.equal(whoFrom({ ...host, conversation } as Activity).tenantId, COUNCIL_TENANT, 'from channelData.tenant');
    assert.equal(whoFrom(sharedChannelInvoke('none', PEOPLE.tom, 'x', {}) as Activity, { councilTenants: [COUNCIL_TENANT] }).councilTenant, false);
  });

  it('recognises a provider user whose activity carries their own tenant', async () => {
    await invoke(sharedChannelInvoke('own', PEOPLE.tom, 'bid.submit', { ref, ...fx.goodBid() }, `#${++n}`));
    assert.equal(await bids(), 1);
  });

  it('reads the clicker’s user record once a click: the tenant check and the role check share it', async () => {
    const get = sinon.spy(t.deps.store, 'get');
    try {
      await invoke(sharedChannelInvoke('own', PEOPLE.tom, 'bid.submit', { ref, ...fx.goodBid() }, `#${++n}`));
      assert.equal(await bids(), 1);
      assert.deepEqual(get.getCalls().filter((c) => c.args[0] === 'users').map((c) => c.args[1]), [PEOPLE.tom.aadObjectId.toLowerCase()]);
    } finally {
      get.restore();
    }
  });

  it('reads a message sender’s user record once too: the tenant check, the role check and the refusal’s reason share it', async () => {
    const get = sinon.spy(t.deps.store, 'get');
    try {
      const [reply] = await t.say('jo', `publish ${ref}`, { tenantId: COUNCIL_TENANT });
      assert.match(String(reply.text), /role/);
      assert.equal(await refusals(), 1);
      assert.deepEqual(get.getCalls().filter((c) => c.args[0] === 'users').map((c) => c.args[1]), [PEOPLE.jo.aadObjectId]);
    } finally {
      get.restore();
    }
  });

  it('refuses a tenant-bound user whose activity carries no tenant at all: no new bid version', async () => {
    await invoke(sharedChannelInvoke('own', PEOPLE.tom, 'bid.submit', { ref, ...fx.goodBid() }, `#${++n}`));
    const reply = await invoke(sharedChannelInvoke('none', PEOPLE.tom, 'bid.submit', { ref, ...fx.goodBid({ weeklyPrice: '499', hourlyRate: '23.76' }) }, `#${++n}`));
    assert.match(String(reply), /don't have a role/);
    assert.equal(await bids(), 1);
    assert.equal(await refusals(), 1);
  });

  it('council roles hold only in the council’s tenant', async () => {
    const [home] = await t.say('sam', 'my requests', { tenantId: COUNCIL_TENANT });
    assert.match(cardText(home.attachments?.[0]?.content) + String(home.text), new RegExp(ref));
    for (const conversation of [{ tenantId: PROVIDER_TENANT }, {}]) {
      const [elsewhere] = await t.say('sam', 'my requests', conversation);
      assert.doesNotMatch(cardText(elsewhere.attachments?.[0]?.content) + String(elsewhere.text), new RegExp(ref));
    }
    assert.equal(await refusals(), 2, 'each refused command audited');
  });
});

/**
 * An external provider user in the council's shared channel: the activity carries the council's
 * tenant, so the bot asks Teams' members API for the user's own. Here that API is the local Bot
 * Connector (bench/mockConnector.ts), reached through the real TeamsAdapter and connector client.
 */
describe("Teams' member lookup, at the HTTP edge", function () {
  this.timeout(20_000);
  let w: ConnectorWorld;
  let ref: string;
  let answer: (r: { conversationId: string; memberId: string }) => { account: Record<string, unknown> } | Scripted | undefined;
  const now = new Date();

  beforeEach(async () => {
    answer = () => ({ account: { name: PEOPLE.tom.name, aadObjectId: PEOPLE.tom.aadObjectId, tenantId: PROVIDER_TENANT } });
    w = await connectorWorld({ mock: { member: (r) => answer(r) } });
    w.deps.config = { anonymous: false, councilTenants: [COUNCIL_TENANT] };
    await w.store.transact({ actor: 'test', action: 'test.tenant' }, async (tx) => tx.put('users', { ...(await tx.get('users', PEOPLE.tom.aadObjectId))!, tenantId: PROVIDER_TENANT }));
    ref = await fx.submitted(w.store, now);
    await publishCallOff(w.store, { aadObjectId: PEOPLE.alex.aadObjectId }, ref, now);
  });
  afterEach(() => w.close());

  /** Tom clicks Submit bid in the shared channel (the same channel every time); resolves with the answer and how long it took. */
  const bid = async (note: string) => {
    const started = Date.now();
    const response = await w.send({ ...sharedChannelInvoke('host', PEOPLE.tom, 'bid.submit', { ref, ...fx.goodBid({ priceNote: note }, now) }), serviceUrl: w.mock.url });
    const value = (response?.body as { value: unknown }).value;
    return { answer: typeof value === 'string' ? value : cardText(value), ms: Date.now() - started };
  };
  const versions = async () => (await w.store.get('bids', `${ref}:brightpath`))?.versions.length ?? 0;
  const refused = async () => (await w.store.audit({ action: 'refused' })).map((e) => (e.after as { reason: string }).reason);

  it('recognises the user by the tenant Teams reports, and asks once in ten minutes', async () => {
    assert.match((await bid('first')).answer, /Bid received \(version 1\)/);
    assert.match((await bid('second')).answer, /Bid received \(version 2\)/);
    assert.equal(w.mock.memberLookups.length, 1, 'the answer is kept');
    assert.equal(w.mock.memberLookups[0].conversationId, '19:team-general@thread.tacv2', "asked of the team's roster");
  });

  it('refuses, and audits, the user when Teams has no such member (asked again next time) or reports another tenant (kept)', async () => {
    answer = () => undefined; // 404 MemberNotFound: not in the team yet
    assert.match((await bid('a')).answer, /don't have a role/);
    answer = () => ({ account: { tenantId: 'another-tenant' } });
    assert.match((await bid('b')).answer, /don't have a role/);
    assert.match((await bid('c')).answer, /don't have a role/);
    assert.equal(await versions(), 0);
    assert.deepEqual(await refused(), ['not recognised from this tenant', 'not recognised from this tenant', 'not recognised from this tenant']);
    assert.deepEqual(w.mock.memberLookups.map((l) => l.status), [404, 200]);
  });

  it("an NHS partner's person in the council's shared channel holds partner roles from the tenant Teams reports, never a council role (issue 24)", async () => {
    const ICB = 'b2c3d4e5-0000-4000-8000-0000000000b1';
    const asha = { id: '29:asha', name: 'Dr Asha Rao', aadObjectId: 'b2c3d4e5-0001-4000-8000-0000000000b1' };
    const old = { id: '29:old', name: 'Old Record', aadObjectId: 'b2c3d4e5-0009-4000-8000-0000000000b1' };
    await w.store.transact({ actor: 'test', action: 'test.partner' }, async (tx) => {
      tx.put('fundingPartners', { id: 'nhs-example-icb', name: 'NHS Example ICB', kind: 'icb', tenantId: ICB, packages: [], addedBy: 'test', at: '' });
      tx.put('users', { id: asha.aadObjectId, name: asha.name, tenantId: ICB, roles: ['funding_approver'], partnerId: 'nhs-example-icb' });
      // A council role bound to the ICB's tenant, as issue 23's schemes allowed: it must not hold here.
      tx.put('users', { id: old.aadObjectId, name: old.name, tenantId: ICB, roles: ['manager'] });
    });
    answer = () => ({ account: { tenantId: ICB } });
    const click = async (who: typeof asha, verb: string, data: Record<string, unknown>) => {
      const response = await w.send({ ...sharedChannelInvoke('host', who, verb, data), serviceUrl: w.mock.url });
      const value = (response?.body as { value: unknown }).value;
      return typeof value === 'string' ? value : cardText(value);
    };
    // Recognised as the ICB's approver (the use case answers), on a package the ICB does not fund.
    assert.equal(await click(asha, 'funding.show', { ref }), `${ref} is not a package NHS Example ICB funds, so you cannot see it.`);
    assert.match(await click(old, 'approvals.list', {}), /don't have a role/);
    assert.deepEqual((await refused()).slice(-2), [`${ref} is not a package NHS Example ICB funds, so you cannot see it.`, 'not recognised from this tenant']);
  });

  it('tries a passing 500 again at once, briefly, and recognises the user in the same click', async () => {
    let calls = 0;
    answer = () => (++calls <= 2 ? { status: 500 } : { account: { tenantId: PROVIDER_TENANT } });
    const first = await bid('first');
    assert.match(first.answer, /Bid received \(version 1\)/);
    assert.deepEqual(w.mock.memberLookups.map((l) => l.status), [500, 500, 200]);
    assert.ok(first.ms < 4500, `answered in ${first.ms} ms, inside the invoke's 5 s`);
  });

  it('fails closed while the members API is down, within Teams\' five seconds, and lets the user in as soon as it is back', async () => {
    answer = () => ({ status: 500 });
    const during = await bid('during');
    assert.match(during.answer, /Teams could not confirm which organisation you are signed in from/);
    assert.ok(during.ms < 4500, `answered in ${during.ms} ms, inside the invoke's 5 s`);
    assert.equal(await versions(), 0);
    assert.deepEqual(await refused(), ['member lookup failed']);
    assert.deepEqual(w.mock.memberLookups.map((l) => l.status), [500, 500, 500], "three tries, not the connector client's own four");

    answer = () => ({ account: { tenantId: PROVIDER_TENANT } }); // the connector is back: a failure was not kept
    assert.match((await bid('after')).answer, /Bid received \(version 1\)/);
    assert.equal(await versions(), 1);
  });

  it('gives up on a members API that does not answer at all, within the 5 s, and says so', async () => {
    answer = () => ({ hold: true });
    const silent = await bid('silent');
    assert.match(silent.answer, /Teams could not confirm which organisation you are signed in from/);
    assert.ok(silent.ms < 4500, `answered in ${silent.ms} ms, inside the invoke's 5 s`);
    assert.deepEqual(await refused(), ['member lookup failed']);
  });
});
