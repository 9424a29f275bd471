import assert from 'node:assert/strict';
import { eligibleProviders } from '../../src/domain/eligibility.js';
import type { Provider } from '../../src/domain/framework.js';

const p = (id: string, over: Partial<Provider>): Provider => ({ id, name: id, status: 'admitted', lots: ['autism', 'learning-disability'], zones: ['bury-east'], tiers: [], ...over });

describe('which providers may receive a call-off', () => {
  const providers = [
    p('a', { tiers: [{ lot: 'autism', zone: 'bury-east', tier: 'lead' }] }),
    p('b', { lots: ['dementia'] }),
    p('c', { zones: ['prestwich'] }),
    p('d', { status: 'suspended' }),
    p('e', { status: 'applied' }),
    p('f', { tiers: [{ lot: 'learning-disability', zone: 'bury-east', tier: 'supplementary' }] }),
  ];

  it('admitted, covering the zone and admitted to at least one of the lots', () => {
    assert.deepEqual(eligibleProviders(providers, { lots: ['autism'], zone: 'bury-east' }).map((x) => x.id), ['a', 'f']);
    assert.deepEqual(eligibleProviders(providers, { lots: ['dementia', 'autism'], zone: 'bury-east' }).map((x) => x.id), ['a', 'b', 'f']);
    assert.deepEqual(eligibleProviders(providers, { lots: ['autism'], zone: 'prestwich' }).map((x) => x.id), ['c']);
  });

  it('a sequential round takes only the providers ranked in that tier for a lot of the package in that zone', () => {
    assert.deepEqual(eligibleProviders(providers, { lots: ['autism'], zone: 'bury-east', tier: 'lead' }).map((x) => x.id), ['a']);
    assert.deepEqual(eligibleProviders(providers, { lots: ['autism'], zone: 'bury-east', tier: 'supplementary' }).map((x) => x.id), []);
    assert.deepEqual(eligibleProviders(providers, { lots: ['autism', 'learning-disability'], zone: 'bury-east', tier: 'supplementary' }).map((x) => x.id), ['f']);
  });
});
