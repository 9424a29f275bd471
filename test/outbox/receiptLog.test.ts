import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueue, Outbox, type Delivery } from '../../src/outbox/outbox.js';
import { ReceiptLog } from '../../src/outbox/receiptLog.js';
import { silentLogger } from '../../src/log.js';
import { openBrokerageLowdb, type BrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

describe('ReceiptLog (activity ids kept across a crash)', () => {
  let dir: string;
  let store: BrokerageLowdb;
  let outbox: Outbox | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'receipts-test-'));
    store = await openBrokerageLowdb(dir);
  });
  afterEach(async () => {
    outbox?.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const item = (id: string) => ({ id, target: { providerId: 'p1' }, message: { kind: 'calloff.card' as const, ref: 'PKG-2026-0001' } });

  it('records on restart a post Teams answered before the crash, instead of posting it again', async () => {
    const log = new ReceiptLog(join(dir, 'receipts.log'));
    await store.transact({ actor: 't', action: 't' }, async (tx) => await enqueue(tx, new Date(), item('post:a'), item('post:b')));
    // The last run got an id for post:a and died before saving it; a torn line follows.
    log.record('post:a', 'act-before-crash');
    await appendFile(join(dir, 'receipts.log'), '["post:b","act-to');
    const sent: string[] = [];
    const delivery: Delivery = { deliver: async (i) => (sent.push(i.id), { activityId: `act-${i.id}` }) };
    outbox = new Outbox(store, delivery, silentLogger, { receipts: log });
    outbox.kick();
    await outbox.idle(5_000);
    assert.deepEqual(sent, ['post:b'], 'post:a is not posted again; the torn receipt counts as never received');
    assert.equal((await store.get('outbox', 'post:a'))?.activityId, 'act-before-crash');
    assert.equal((await store.get('outbox', 'post:a'))?.status, 'sent');
    assert.ok(!log.read().some(([id]) => id === 'post:a'), 'the applied receipts are cleared on start');
  });

  it('answers which ids an item was given, from what it wrote and what a stopped run left', async () => {
    const first = new ReceiptLog(join(dir, 'receipts.log'));
    first.record('post:a', 'act-a');
    const log = new ReceiptLog(join(dir, 'receipts.log'));
    log.record('post:b', 'act-b');
    assert.deepEqual(await log.of('post:a'), ['act-a']);
    assert.deepEqual(await log.of('post:b'), ['act-b']);
    log.clear();
    assert.deepEqual(await log.of('post:a'), [], 'cleared once saved in the store');
  });

  it('writes each id the moment the connector answers', async () => {
    const log = new ReceiptLog(join(dir, 'receipts.log'));
    await store.transact({ actor: 't', action: 't' }, async (tx) => await enqueue(tx, new Date(), item('post:c')));
    let seen: [string, string][] = [];
    const delivery: Delivery = { deliver: async () => ({ activityId: 'act-c' }) };
    outbox = new Outbox(store, delivery, silentLogger, { receipts: log });
    const watch = store.watch('outbox', (c) => c.after?.status === 'sent' && (seen = log.read()));
    outbox.kick();
    await outbox.idle(5_000);
    watch();
    assert.deepEqual(seen, [['post:c', 'act-c']], 'on disk before the store recorded it as sent');
  });
});
