import assert from 'node:assert/strict';
import { AppError } from '../../../src/app/errors.js';
import { getSettings, removeEntity, saveEntity, saveSettings, setProviderStatus } from '../../../src/app/framework/admin.js';
import { registerProviderChannel } from '../../../src/app/framework/channels.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { BROKER, COMMISSIONER, freshStore } from '../helpers.js';

const isInvalid = (fields: Record<string, RegExp>) => (e: AppError) => {
  assert.equal(e.kind, 'invalid');
  for (const [field, re] of Object.entries(fields)) assert.match(e.fields[field] ?? '', re, `field ${field}: ${JSON.stringify(e.fields)}`);
  return true;
};

describe('framework administration', () => {
  let store: BrokerageStore;
  let done: () => Promise<void>;
  const who = COMMISSIONER;

  beforeEach(async () => {
    ({ store, done } = await freshStore());
    await saveEntity(store, who, 'lots', { id: 'autism', name: 'Autism' });
    await saveEntity(store, who, 'zones', { id: 'bury-east', name: 'Bury East' });
  });
  afterEach(() => done());

  const neighboursOf = async (id: string) => (await store.get('zones', id))!.neighbours;

  describe('saveEntity', () => {
    it('adds a new item and edits it later', async () => {
      const saved = await saveEntity(store, who, 'lots', { id: 'dementia', name: '  Dementia ' });
      assert.deepEqual(saved, { id: 'dementia', name: 'Dementia' });
      await saveEntity(store, who, 'lots', { id: 'dementia', name: 'Dementia care' }, { editing: 'dementia' });
      assert.equal((await store.get('lots', 'dementia'))!.name, 'Dementia care');
    });

    it('refuses a new item whose id is taken', async () => {
      await assert.rejects(saveEntity(store, who, 'lots', { id: 'autism', name: 'Autism again' }), isInvalid({ id: /lot with id "autism" already exists/ }));
      assert.equal((await store.get('lots', 'autism'))!.name, 'Autism');
    });

    it('refuses to change the id of an item being edited', async () => {
      await assert.rejects(saveEntity(store, who, 'lots', { id: 'autistic', name: 'Autism' }, { editing: 'autism' }), isInvalid({ id: /cannot be changed/ }));
    });

    it('gives schema problems as field errors', async () => {
      await assert.rejects(saveEntity(store, who, 'lots', { id: 'Bad Id', name: 'x' }), isInvalid({ id: /lower-case/, name: /at least 2/ }));
    });

    it('refuses references to lots and zones that do not exist, per field', async () => {
      await assert.rejects(
        saveEntity(store, who, 'providers', { id: 'caring-hands', name: 'Caring Hands', status: 'admitted', lots: ['autism', 'dementia', 'deaf'], zones: ['nowhere'] }),
        isInvalid({ lots: /unknown lots: dementia, deaf/, zones: /unknown zone: nowhere/ }),
      );
      await assert.rejects(saveEntity(store, who, 'zones', { id: 'radcliffe', name: 'Radcliffe', neighbours: ['prestwich'] }), isInvalid({ neighbours: /unknown zone: prestwich/ }));
      await assert.rejects(saveEntity(store, who, 'criteria', { id: 'deaf', question: 'Uses British Sign Language?', lots: ['deaf-services'] }), isInvalid({ lots: /unknown lot/ }));
      await assert.rejects(
        saveEntity(store, who, 'users', { id: 'e0000000-0000-4000-8000-000000000003', name: 'Priya', roles: ['provider'], providerId: 'nobody' }),
        isInvalid({ providerId: /unknown provider: nobody/ }),
      );
    });

    it('refuses a zone that neighbours itself', async () => {
      await assert.rejects(saveEntity(store, who, 'zones', { id: 'bury-east', name: 'Bury East', neighbours: ['bury-east'] }, { editing: 'bury-east' }), isInvalid({ neighbours: /itself/ }));
    });

    it('refuses tiers outside the provider’s lots and zones', async () => {
      await assert.rejects(
        saveEntity(store, who, 'providers', { id: 'p1', name: 'P One', status: 'admitted', lots: ['autism'], zones: ['bury-east'], tiers: [{ lot: 'autism', zone: 'radcliffe', tier: 'lead' }] }),
        isInvalid({ tiers: /autism\/radcliffe/ }),
      );
    });

    it('keeps zone neighbours mutual when a neighbour is added and removed', async () => {
      await saveEntity(store, who, 'zones', { id: 'radcliffe', name: 'Radcliffe', neighbours: ['bury-east'] });
      assert.deepEqual(await neighboursOf('bury-east'), ['radcliffe']);
      await saveEntity(store, who, 'zones', { id: 'whitefield', name: 'Whitefield', neighbours: ['bury-east', 'radcliffe'] });
      assert.deepEqual(await neighboursOf('bury-east'), ['radcliffe', 'whitefield']);
      await saveEntity(store, who, 'zones', { id: 'radcliffe', name: 'Radcliffe', neighbours: [] }, { editing: 'radcliffe' });
      assert.deepEqual(await neighboursOf('bury-east'), ['whitefield']);
      assert.deepEqual(await neighboursOf('whitefield'), ['bury-east']);
    });

    it('keeps a provider’s registered channel when the form saves it again', async () => {
      await saveEntity(store, who, 'providers', { id: 'p1', name: 'P One', status: 'admitted', lots: ['autism'], zones: ['bury-east'] });
      await registerProviderChannel(store, who, 'p1', { conversationId: '19:abc@thread.tacv2', teamId: 'team-1', serviceUrl: 'https://smba', reference: {} }, '2026-01-01T00:00:00Z');
      await saveEntity(
        store,
        who,
        'providers',
        { id: 'p1', name: 'P One Ltd', status: 'admitted', lots: ['autism'], zones: ['bury-east'], channel: { conversationId: 'forged', serviceUrl: 'x', reference: {}, registeredBy: 'me', registeredAt: 'now' } },
        { editing: 'p1' },
      );
      const p = (await store.get('providers', 'p1'))!;
      assert.equal(p.name, 'P One Ltd');
      assert.equal(p.channel?.conversationId, '19:abc@thread.tacv2');
    });

    it('ignores a channel sent with a new provider', async () => {
      await saveEntity(store, who, 'providers', { id: 'p2', name: 'P Two', status: 'applied', channel: { conversationId: 'forged', serviceUrl: 'x', reference: {}, registeredBy: 'me', registeredAt: 'now' } });
      assert.equal((await store.get('providers', 'p2'))!.channel, undefined);
    });

    it('refuses a suspended provider without a reason', async () => {
      await assert.rejects(saveEntity(store, who, 'providers', { id: 'p1', name: 'P One', status: 'suspended' }), isInvalid({ statusReason: /say why the provider is suspended/ }));
      await saveEntity(store, who, 'providers', { id: 'p1', name: 'P One', status: 'suspended', statusReason: 'CQC inadequate' });
    });

    it('is for commissioners only', async () => {
      await assert.rejects(saveEntity(store, BROKER, 'lots', { id: 'dementia', name: 'Dementia' }), { kind: 'forbidden' });
      assert.equal(await store.get('lots', 'dementia'), undefined);
    });

    it('records who saved what in the audit log', async () => {
      await saveEntity(store, who, 'lots', { id: 'dementia', name: 'Dementia' });
      const [entry] = (await store.audit()).filter((e) => e.collection === 'lots' && e.id === 'dementia');
      assert.equal(entry.actor, who.aadObjectId);
      assert.equal(entry.action, 'lots.save');
    });
  });

  describe('removeEntity', () => {
    beforeEach(async () => {
      await saveEntity(store, who, 'providers', { id: 'p1', name: 'P One', status: 'admitted', lots: ['autism'], zones: ['bury-east'] });
    });

    it('refuses to remove a lot, zone or provider that is in use, saying what uses it', async () => {
      await assert.rejects(removeEntity(store, who, 'lots', 'autism'), (e: AppError) => e.kind === 'conflict' && /providers are admitted to it \(P One\)/.test(e.message));
      await assert.rejects(removeEntity(store, who, 'zones', 'bury-east'), { kind: 'conflict' });
      await saveEntity(store, who, 'users', { id: 'e0000000-0000-4000-8000-000000000003', name: 'Priya', roles: ['provider'], providerId: 'p1' });
      await assert.rejects(removeEntity(store, who, 'providers', 'p1'), (e: AppError) => e.kind === 'conflict' && /set its status to "left"/.test(e.message));
      await saveEntity(store, who, 'lots', { id: 'dementia', name: 'Dementia' });
      await saveEntity(store, who, 'criteria', { id: 'memory', question: 'Has dementia with distress?', lots: ['dementia'] });
      await assert.rejects(removeEntity(store, who, 'lots', 'dementia'), /checklist items point to it \(memory\)/);
    });

    it('removes an unused zone and takes it off its neighbours’ lists', async () => {
      await saveEntity(store, who, 'zones', { id: 'radcliffe', name: 'Radcliffe', neighbours: ['bury-east'] });
      await removeEntity(store, who, 'zones', 'radcliffe');
      assert.equal(await store.get('zones', 'radcliffe'), undefined);
      assert.deepEqual(await neighboursOf('bury-east'), []);
    });

    it('says when there is nothing to remove', async () => {
      await assert.rejects(removeEntity(store, who, 'lots', 'nothing'), { kind: 'not_found' });
    });
  });

  describe('setProviderStatus', () => {
    beforeEach(async () => {
      await saveEntity(store, who, 'providers', { id: 'p1', name: 'P One', status: 'applied' });
    });

    it('admits without a reason and suspends only with one', async () => {
      assert.equal((await setProviderStatus(store, who, 'p1', 'admitted')).status, 'admitted');
      await assert.rejects(setProviderStatus(store, who, 'p1', 'suspended', '  '), isInvalid({ reason: /suspended/ }));
      const p = await setProviderStatus(store, who, 'p1', 'suspended', ' late visits ');
      assert.deepEqual([p.status, p.statusReason], ['suspended', 'late visits']);
    });

    it('treats a repeat as a no-op with no second audit entry', async () => {
      await setProviderStatus(store, who, 'p1', 'admitted');
      const before = (await store.audit()).length;
      const again = await setProviderStatus(store, who, 'p1', 'admitted');
      assert.equal(again.status, 'admitted');
      assert.equal((await store.audit()).length, before);
    });

    it('says when the provider does not exist', async () => {
      await assert.rejects(setProviderStatus(store, who, 'nobody', 'admitted'), { kind: 'not_found' });
    });
  });

  describe('settings', () => {
    it('defaults until saved, then keeps what the commissioner saved', async () => {
      assert.equal((await getSettings(store)).minHourlyRate, 21.5);
      await saveSettings(store, who, { councilName: 'Bury Council', minHourlyRate: '24.00' });
      assert.deepEqual(await getSettings(store), { id: 'settings', councilName: 'Bury Council', minHourlyRate: 24, publishOnSubmit: false, sequentialRoundHours: 24, postcodeExample: '', caseRefExample: '' });
      await assert.rejects(saveSettings(store, who, { minHourlyRate: -1 }), isInvalid({ minHourlyRate: /more than 0/ }));
    });
  });
});
