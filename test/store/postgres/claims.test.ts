import assert from 'node:assert/strict';
import { openStores } from './helpers.js';

describe('PostgresStore claims', function () {
  this.timeout(30_000);
  const stores = openStores();
  afterEach(() => stores.closeAll());

  it('refuses a claim another instance holds, until its lease runs out', async () => {
    const [a, b] = await stores.instances(2);
    assert.equal(await a.claim('outbox', 'post:1', 'instance-a', 300), true);
    assert.equal(await b.claim('outbox', 'post:1', 'instance-b', 300), false);
    assert.equal(await a.claim('outbox', 'post:1', 'instance-a', 300), true, 'the holder renews its own lease');
    assert.equal(await b.claim('jobs', 'post:1', 'instance-b', 300), true, 'kinds are separate');
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(await b.claim('outbox', 'post:1', 'instance-b', 60_000), 'taken over', 'taken once the lease ran out');
    assert.equal(await a.claim('outbox', 'post:1', 'instance-a', 300), false);
  });

  it('gives exactly one of many racing instances the claim', async () => {
    const [a, b] = await stores.instances(2);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim('jobs', 'job-1', `holder-${i}`, 60_000)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('a claim made while the holder gives the lease back is a plain claim, not a takeover', async () => {
    // Instance 0 holds the post and gives it back (its attempt ended without sending: the rate
    // ledger said wait) just as instance 1 claims it: 1's statement starts while the release is
    // uncommitted, so its snapshot still shows 0's live lease. Nothing was left behind by an
    // instance that stopped, so the post must not be called taken over ("may show twice").
    const [a, b] = await stores.instances(2);
    assert.equal(await a.claim('outbox', 'post:1', 'instance-0', 60_000), true);
    const releasing = await a.pool.connect();
    try {
      await releasing.query('BEGIN');
      await releasing.query(`DELETE FROM claims WHERE kind = 'outbox' AND id = 'post:1' AND holder = 'instance-0'`);
      const claimed = b.claim('outbox', 'post:1', 'instance-1', 60_000);
      // The claim waits on the row being deleted; the release then commits.
      await new Promise((r) => setTimeout(r, 300));
      await releasing.query('COMMIT');
      assert.equal(await claimed, true);
    } finally {
      releasing.release();
    }
  });

  it('release frees the claim only for its holder', async () => {
    const [a, b] = await stores.instances(2);
    await a.claim('outbox', 'post:1', 'instance-a', 60_000);
    await b.release('outbox', 'post:1', 'instance-b');
    assert.equal(await b.claim('outbox', 'post:1', 'instance-b', 60_000), false);
    await a.release('outbox', 'post:1', 'instance-a');
    assert.equal(await b.claim('outbox', 'post:1', 'instance-b', 60_000), true);
  });
});
