import assert from 'node:assert/strict';
import { setProviderStatus } from '../../src/app/framework/admin.js';
import { bidId } from '../../src/domain/calloff.js';
import { goodBid, registerChannels, submitted } from './fixtures.js';
import { cardText, PEOPLE, startTurns, Turns } from './turns.js';

describe('suspending a provider with bids on open call-offs', () => {
  let t: Turns;
  const now = new Date('2026-11-22T10:00:00Z');
  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    await registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
  });
  afterEach(() => t.close());

  it('withdraws its open bids when the commissioner chooses to, keeps the versions, and refuses new ones', async () => {
    const ref = await submitted(t.store, now);
    await t.say('alex', `publish ${ref}`);
    await t.click('priya', 'bid.submit', { ref, ...goodBid() });
    await setProviderStatus(t.store, { aadObjectId: PEOPLE.alex.aadObjectId }, 'caring-hands', 'suspended', 'CQC rating inadequate', { openBids: 'withdraw', at: now.toISOString() });
    await t.drained();

    const bid = await t.store.get('bids', bidId(ref, 'caring-hands'));
    assert.equal(bid?.status, 'withdrawn');
    assert.equal(bid?.versions.length, 1, 'its history is kept');
    assert.match(bid?.withdrawnReason ?? '', /CQC rating inadequate/);
    const note = await t.store.audit({ action: 'providers.open-bids' });
    assert.deepEqual((note[0].after as { withdrawn: number }).withdrawn, 1);
    const again = await t.click('priya', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '504', hourlyRate: '24' }) });
    assert.match(cardText(again.value) + String(again.value), /suspended on the framework/);
  });

  it('keeps them when the commissioner chooses to', async () => {
    const ref = await submitted(t.store, now);
    await t.say('alex', `publish ${ref}`);
    await t.click('tom', 'bid.submit', { ref, ...goodBid() });
    await setProviderStatus(t.store, { aadObjectId: PEOPLE.alex.aadObjectId }, 'brightpath', 'suspended', 'staffing review', { openBids: 'keep', at: now.toISOString() });
    assert.equal((await t.store.get('bids', bidId(ref, 'brightpath')))?.status, 'active');
  });
});
