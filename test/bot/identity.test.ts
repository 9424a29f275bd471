import assert from 'node:assert/strict';
import sinon from 'sinon';
import { TeamsInfo, type Activity, type TeamsChannelAccount } from 'botbuilder';
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
  afterEach(async () => {
    sinon.restore();
    await t.close();
  });

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

  it('recognises a provider user whose activity carries the host’s tenant, by Teams’ member lookup', async () => {
    const lookup = sinon.stub(TeamsInfo, 'getMember').resolves({ id: PEOPLE.tom.id, tenantId: PROVIDER_TENANT } as TeamsChannelAccount);
    await invoke(sharedChannelInvoke('host', PEOPLE.tom, 'bid.submit', { ref, ...fx.goodBid() }, `#${++n}`));
    assert.equal(await bids(), 1);
    assert.equal(lookup.callCount, 1);
  });

  it('refuses, and audits, the same user when the member lookup says another tenant or fails', async () => {
    sinon.stub(TeamsInfo, 'getMember').onFirstCall().resolves({ id: PEOPLE.tom.id, tenantId: 'another-tenant' } as TeamsChannelAccount).onSecondCall().rejects(new Error('403'));
    for (let i = 0; i < 2; i++) {
      const reply = await invoke(sharedChannelInvoke('host', PEOPLE.tom, 'bid.submit', { ref, ...fx.goodBid({ priceNote: `try ${i}` }) }, `#${++n}`));
      assert.match(String(reply), /don't have a role/);
    }
    assert.equal(await bids(), 0);
    const lines = await t.store.audit({ action: 'refused' });
    assert.equal(lines.length, 2);
    assert.match(JSON.stringify(lines), /not recognised from this tenant/);
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
