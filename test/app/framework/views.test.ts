import assert from 'node:assert/strict';
import { saveEntity } from '../../../src/app/framework/admin.js';
import { recordRemoval, rememberPersonalChat } from '../../../src/app/framework/channels.js';
import { adminHomeView, entityOf, findProviders, frameworkView, pickLists } from '../../../src/app/framework/views.js';
import type { Installation } from '../../../src/domain/framework.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { COMMISSIONER, freshStore } from '../helpers.js';

describe('framework views', () => {
  let store: BrokerageStore;
  let done: () => Promise<void>;
  const who = COMMISSIONER;

  beforeEach(async () => {
    ({ store, done } = await freshStore());
    await saveEntity(store, who, 'lots', { id: 'dementia', name: 'Dementia' });
    await saveEntity(store, who, 'lots', { id: 'autism', name: 'Autism' });
    await saveEntity(store, who, 'zones', { id: 'bury-east', name: 'Bury East' });
    await saveEntity(store, who, 'providers', { id: 'zest', name: 'Zest Care', status: 'admitted', lots: ['autism'], zones: ['bury-east'] });
    await saveEntity(store, who, 'providers', { id: 'able', name: 'Able Care', status: 'admitted', lots: ['autism'], zones: ['bury-east'] });
  });
  afterEach(() => done());

  it('counts each kind and carries the settings for the admin home', async () => {
    const v = await adminHomeView(store);
    assert.deepEqual([v.counts.lots, v.counts.zones, v.counts.providers, v.counts.users], [2, 1, 2, 2]);
    assert.equal(typeof v.settings.councilName, 'string');
  });

  it('gives the pick lists by name and one item to edit', async () => {
    const p = await pickLists(store);
    assert.deepEqual(p.lots.map((l) => l.id), ['autism', 'dementia']);
    assert.deepEqual(p.providers, [{ id: 'able', name: 'Able Care' }, { id: 'zest', name: 'Zest Care' }]);
    assert.equal((await entityOf(store, 'lots', 'autism'))?.name, 'Autism');
    assert.equal(await entityOf(store, 'lots', 'gone'), undefined);
  });

  it('finds providers by name or id, by name, a page at a time', async () => {
    const all = await findProviders(store, () => true, 0, 10);
    assert.deepEqual(all.map((p) => p.id), ['able', 'zest']);
    assert.deepEqual((await findProviders(store, (s) => s.includes('zest'), 0, 10)).map((p) => p.id), ['zest']);
    assert.deepEqual((await findProviders(store, () => true, 1, 10)).map((p) => p.id), ['zest']);
  });

  it('gives the coverage summary with the council name and minimum rate', async () => {
    const v = await frameworkView(store);
    assert.equal(v.summary.providers.length, 2);
    assert.equal(typeof v.minHourlyRate, 'number');
  });

  it('remembers a 1:1 chat once, and again after the bot was removed from it', async () => {
    const chat: Installation = { id: 'a:1', kind: 'personal', serviceUrl: 'https://smba', reference: {}, installedAt: '2026-01-01T00:00:00Z', userId: 'u1' };
    assert.equal(await rememberPersonalChat(store, who, chat), true);
    assert.equal(await rememberPersonalChat(store, who, chat), false);
    await recordRemoval(store, who, { conversationId: 'a:1' }, '2026-01-02T00:00:00Z', 'removed');
    assert.equal(await rememberPersonalChat(store, who, chat), true);
  });
});
