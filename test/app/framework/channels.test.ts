import assert from 'node:assert/strict';
import { saveEntity } from '../../../src/app/framework/admin.js';
import { recordInstallation, recordRemoval, registerProviderChannel } from '../../../src/app/framework/channels.js';
import type { Installation } from '../../../src/domain/framework.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { BROKER, COMMISSIONER, freshStore } from '../helpers.js';

const AT = '2026-03-01T09:00:00.000Z';
const channel = (conversationId: string, teamId: string | null = 'team-1') => ({ conversationId, teamId: teamId ?? undefined, serviceUrl: 'https://smba.trafficmanager.net/uk/', reference: { conversation: { id: conversationId } } });
const installation = (id: string, teamId?: string): Installation => ({ id, kind: teamId ? 'channel' : 'personal', teamId, serviceUrl: 'https://smba', reference: {}, installedAt: AT });

describe('provider channels and installations', () => {
  let store: BrokerageStore;
  let done: () => Promise<void>;
  const who = COMMISSIONER;

  beforeEach(async () => {
    ({ store, done } = await freshStore());
    await saveEntity(store, who, 'providers', { id: 'p1', name: 'P One', status: 'admitted' });
    await saveEntity(store, who, 'providers', { id: 'p2', name: 'P Two', status: 'admitted' });
  });
  afterEach(() => done());

  describe('registerProviderChannel', () => {
    it('records the channel with who registered it and when', async () => {
      const p = await registerProviderChannel(store, who, 'p1', channel('19:one'), AT);
      assert.deepEqual([p.channel?.conversationId, p.channel?.registeredBy, p.channel?.registeredAt], ['19:one', who.aadObjectId, AT]);
      assert.equal((await store.get('providers', 'p1'))!.channel?.teamId, 'team-1');
    });

    it('refuses a chat, which has no team', async () => {
      await assert.rejects(registerProviderChannel(store, who, 'p1', channel('19:chat', null), AT), (e: { kind: string; fields: Record<string, string> }) => {
        assert.equal(e.kind, 'invalid');
        assert.match(e.fields.providerId, /team channel/);
        return true;
      });
    });

    it('refuses a channel already registered to another provider', async () => {
      await registerProviderChannel(store, who, 'p1', channel('19:one'), AT);
      await assert.rejects(registerProviderChannel(store, who, 'p2', channel('19:one'), AT), (e: { fields: Record<string, string> }) => /already P One's channel/.test(e.fields.providerId));
      assert.equal((await store.get('providers', 'p2'))!.channel, undefined);
    });

    it('lets the same provider register its channel again', async () => {
      await registerProviderChannel(store, who, 'p1', channel('19:one'), AT);
      await registerProviderChannel(store, who, 'p1', channel('19:one'), '2026-03-02T00:00:00.000Z');
      assert.equal((await store.get('providers', 'p1'))!.channel?.registeredAt, '2026-03-02T00:00:00.000Z');
    });

    it('refuses brokers and unknown providers', async () => {
      await assert.rejects(registerProviderChannel(store, BROKER, 'p1', channel('19:one'), AT), { kind: 'forbidden' });
      await assert.rejects(registerProviderChannel(store, who, 'nobody', channel('19:one'), AT), { kind: 'not_found' });
    });
  });

  describe('recordInstallation', () => {
    it('is true only the first time, and again after a removal', async () => {
      assert.equal(await recordInstallation(store, { aadObjectId: '' }, installation('19:one', 'team-1')), true);
      assert.equal(await recordInstallation(store, { aadObjectId: '' }, installation('19:one', 'team-1')), false);
      await recordRemoval(store, { aadObjectId: '' }, { teamId: 'team-1' }, AT, 'the bot was removed');
      assert.equal((await store.get('installations', '19:one'))!.removedAt, AT);
      assert.equal(await recordInstallation(store, { aadObjectId: '' }, installation('19:one', 'team-1')), true);
      const [first] = (await store.audit()).filter((e) => e.collection === 'installations');
      assert.equal(first.actor, 'system');
    });
  });

  describe('recordRemoval', () => {
    beforeEach(async () => {
      await registerProviderChannel(store, who, 'p1', channel('19:one', 'team-1'), AT);
      await registerProviderChannel(store, who, 'p2', channel('19:two', 'team-2'), AT);
    });

    it('marks the channels of providers in the removed team unreachable, and no others', async () => {
      const affected = await recordRemoval(store, { aadObjectId: '' }, { teamId: 'team-1' }, AT, 'the bot was removed');
      assert.deepEqual(affected.map((p) => p.id), ['p1']);
      assert.equal((await store.get('providers', 'p1'))!.channel?.unreachableReason, 'the bot was removed');
      assert.equal((await store.get('providers', 'p2'))!.channel?.unreachableReason, undefined);
    });

    it('matches a deleted channel by its conversation id', async () => {
      await recordRemoval(store, { aadObjectId: '' }, { conversationId: '19:two' }, AT, 'the channel was deleted');
      assert.equal((await store.get('providers', 'p2'))!.channel?.unreachableReason, 'the channel was deleted');
      assert.equal((await store.get('providers', 'p1'))!.channel?.unreachableReason, undefined);
    });

    it('lets another provider take over an unreachable channel', async () => {
      await recordRemoval(store, { aadObjectId: '' }, { teamId: 'team-1' }, AT, 'removed');
      const p2 = await registerProviderChannel(store, who, 'p2', channel('19:one', 'team-1'), AT);
      assert.equal(p2.channel?.conversationId, '19:one');
    });
  });
});
