import assert from 'node:assert/strict';
import { saveEntity } from '../../../src/app/framework/admin.js';
import { recordRemoval, registerProviderChannel } from '../../../src/app/framework/channels.js';
import { frameworkSummary } from '../../../src/app/framework/summary.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { COMMISSIONER, freshStore } from '../helpers.js';

describe('frameworkSummary', () => {
  let store: BrokerageStore;
  let done: () => Promise<void>;
  const who = COMMISSIONER;
  const ch = (id: string, teamId: string) => ({ conversationId: id, teamId, serviceUrl: 'https://smba', reference: {} });

  beforeEach(async () => {
    ({ store, done } = await freshStore());
    await saveEntity(store, who, 'lots', { id: 'autism', name: 'Autism' });
    await saveEntity(store, who, 'lots', { id: 'dementia', name: 'Dementia' });
    await saveEntity(store, who, 'zones', { id: 'bury-east', name: 'Bury East' });
    await saveEntity(store, who, 'zones', { id: 'radcliffe', name: 'Radcliffe', neighbours: ['bury-east'] });
    await saveEntity(store, who, 'providers', { id: 'able', name: 'Able Care', status: 'admitted', lots: ['autism'], zones: ['bury-east', 'radcliffe'], tiers: [{ lot: 'autism', zone: 'bury-east', tier: 'lead' }] });
    await saveEntity(store, who, 'providers', { id: 'best', name: 'Best Care', status: 'admitted', lots: ['dementia'], zones: ['radcliffe'] });
    // a suspended provider covers dementia in Bury East, but does not fill the gap
    await saveEntity(store, who, 'providers', { id: 'cosy', name: 'Cosy Care', status: 'suspended', statusReason: 'CQC', lots: ['dementia'], zones: ['bury-east'] });
    await registerProviderChannel(store, who, 'able', ch('19:a', 'team-a'), '2026-01-01T00:00:00Z');
    await registerProviderChannel(store, who, 'best', ch('19:b', 'team-b'), '2026-01-01T00:00:00Z');
  });
  afterEach(() => done());

  it('lists coverage per lot and zone with tiers, sorted by name', async () => {
    const s = await frameworkSummary(store);
    assert.deepEqual(s.lots.map((l) => l.id), ['autism', 'dementia']);
    assert.deepEqual(s.providers.map((p) => p.id), ['able', 'best', 'cosy']);
    assert.equal(s.coverage.length, 4);
    const autismBuryEast = s.coverage.find((c) => c.lot.id === 'autism' && c.zone.id === 'bury-east')!;
    assert.deepEqual(autismBuryEast.providers, [{ id: 'able', name: 'Able Care', tier: 'lead' }]);
  });

  it('finds the lot × zone pairs no admitted provider covers', async () => {
    const s = await frameworkSummary(store);
    assert.deepEqual(s.gaps.map((g) => `${g.lot.id}/${g.zone.id}`), ['dementia/bury-east']);
  });

  it('finds admitted providers the bot cannot post to', async () => {
    assert.deepEqual((await frameworkSummary(store)).unreachable, []);
    await recordRemoval(store, { aadObjectId: '' }, { teamId: 'team-b' }, '2026-02-01T00:00:00Z', 'the bot was removed');
    await saveEntity(store, who, 'providers', { id: 'dawn', name: 'Dawn Care', status: 'admitted' });
    const s = await frameworkSummary(store);
    assert.deepEqual(
      s.unreachable.map((u) => [u.provider.id, u.why]),
      [
        ['best', 'the bot was removed'],
        ['dawn', 'no channel registered: in a shared channel with the provider, add the bot to the channel and type `@Brokerage Bot register provider dawn`'],
      ],
    );
  });
});
