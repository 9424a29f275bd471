import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueue, Outbox, type Delivery } from '../../src/outbox/outbox.js';
import { ReceiptLog } from '../../src/outbox/receiptLog.js';
import { silentLogger } from '../../src/log.js';
import { openBrokerageLowdb, type BrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

/**
 * Teams answered the post, then saving it as sent failed (PostgreSQL: a conflict lost too often,
 * or a dropped connection). That is not a failed post: the two-instance test saw such posts in the
 * broker's report as "Not delivered … could not serialize access" while every channel showed them.
 */
describe('Outbox: saving a delivered post fails', () => {
  let dir: string;
  let store: BrokerageLowdb;
  let outbox: Outbox | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-saving-'));
    store = await openBrokerageLowdb(dir);
  });
  afterEach(async () => {
    outbox?.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the post pending, then records it from its receipt: sent, posted once', async () => {
    const posted: string[] = [];
    const delivery: Delivery = {
      async deliver(item) {
        posted.push(item.id);
        return { activityId: `act-${item.id}` };
      },
    };
    let failures = 1;
    // The store, except that the first save after a delivery ('outbox.change') loses a conflict.
    const flaky = new Proxy(store, {
      get(target, prop) {
        if (prop === 'transact') {
          return (options: { action: string }, fn: never) => {
            if (options.action === 'outbox.change' && failures > 0) {
              failures--;
              return Promise.reject(Object.assign(new Error('could not serialize access due to read/write dependencies among transactions'), { code: '40001' }));
            }
            return target.transact(options as never, fn);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const id = 'post:PKG-2026-0001:p1';
    await store.transact({ actor: 'test', action: 'test' }, async (t) => await enqueue(t, new Date(), { id, target: { providerId: 'p1' }, message: { kind: 'calloff.card', ref: 'PKG-2026-0001' } }));
    outbox = new Outbox(flaky, delivery, silentLogger, { receipts: new ReceiptLog(join(dir, 'receipts.log')) });
    outbox.kick();
    await outbox.idle(10_000);
    assert.equal(failures, 0, 'the save did fail once');
    assert.deepEqual(posted, [id], 'posted once');
    const saved = await store.get('outbox', id);
    assert.equal(saved?.status, 'sent');
    assert.equal(saved?.activityId, `act-${id}`);
  });
});
