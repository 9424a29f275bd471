import assert from 'node:assert/strict';
import sinon from 'sinon';
import { submitBid, withdrawBid } from '../../../src/app/calloffs/bids.js';
import { postId } from '../../../src/app/calloffs/messages.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import * as fx from '../../bot/fixtures.js';
import { PEOPLE, startTurns, type Turns } from '../../bot/turns.js';

describe('submitting a bid', () => {
  let t: Turns;
  let ref: string;
  const now = fx.TEST_CLOCK;
  const tom = { aadObjectId: PEOPLE.tom.aadObjectId };

  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
    ref = await fx.submitted(t.store, now);
    await t.say('alex', `publish ${ref}`);
  });
  afterEach(() => t.close());

  /** The collections read by `get` in the transactions named `action` (not the outbox's own, running beside them) while `fn` runs. */
  async function readsDuring(store: BrokerageStore, action: string, fn: () => Promise<unknown>): Promise<string[]> {
    const reads: string[] = [];
    const transact = store.transact.bind(store);
    const stub = sinon.stub(store, 'transact').callsFake((options, body) =>
      transact(options, (tx) => {
        const get = tx.get.bind(tx);
        tx.get = ((collection: string, id: string) => (options.action === action && reads.push(collection), get(collection as never, id))) as typeof tx.get;
        return body(tx);
      }),
    );
    try {
      await fn();
    } finally {
      stub.restore();
    }
    return reads;
  }

  it('queues its card refresh under the new version’s name without reading the outbox first (a round trip on PostgreSQL)', async () => {
    const reads = await readsDuring(t.store, 'bids.submit', () => submitBid(t.store, tom, ref, fx.goodBid(), now));
    assert.ok(!reads.includes('outbox'), `read ${reads.join(', ')}`);
    await submitBid(t.store, tom, ref, fx.goodBid({ weeklyPrice: '499', hourlyRate: '23.76' }), now);
    const post = postId(ref, 'brightpath');
    for (const v of [1, 2]) assert.equal((await t.store.get('outbox', `${post}:refresh:bid-v${v}`))?.updates, post, `version ${v}'s refresh is queued`);
  });

  it('after a withdrawal, bidding again is a new version with a refresh of its own, delivered to the card', async () => {
    await submitBid(t.store, tom, ref, fx.goodBid(), now);
    await withdrawBid(t.store, tom, ref, now);
    await submitBid(t.store, tom, ref, fx.goodBid(), now);
    await t.drained();
    const post = postId(ref, 'brightpath');
    assert.deepEqual((await t.store.get('bids', `${ref}:brightpath`))?.versions.map((v) => v.version), [1, 2]);
    const refreshes = t.posted.filter((p) => p.item.updates === post).map((p) => p.item.id.slice(post.length));
    assert.deepEqual(refreshes, [':refresh:bid-v1', ':refresh:withdrawn-1', ':refresh:bid-v2']);
  });
});
