import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueue, Outbox, type Delivery, type DrainOptions, type OutboxItem } from '../../src/outbox/outbox.js';
import type { RateLimits } from '../../src/outbox/ratePolicy.js';
import { LimiterLedger } from '../../src/outbox/rateLedger.js';
import type { PostReceipts } from '../../src/outbox/receiptLog.js';
import { silentLogger } from '../../src/log.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../src/store/collections.js';

/** Roomy limits: these tests are about who sends, not about pace (except the last one). */
const ROOMY: RateLimits = { perConversation: [{ limit: 100, perMs: 1000 }], perBot: [{ limit: 1000, perMs: 1000 }], marginMs: 0, botGapMs: 0 };
const tx = { actor: 'test', action: 'test' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const never = <T>() => new Promise<T>(() => undefined);

/** One Bot Connector that every instance posts to: what arrived, when, from whom. */
function connector() {
  const calls: { id: string; to: string; at: number; by: string }[] = [];
  /** Sends that never came back, and when they were made. */
  const hung = new Map<string, number>();
  const delivery = (by: string, options: { answer?: (n: number) => boolean } = {}): Delivery => {
    let n = 0;
    return {
      async deliver(item) {
        // A dead instance: the request never comes back, and never reaches Teams.
        if (options.answer && !options.answer(++n)) {
          hung.set(item.id, Date.now());
          return never();
        }
        // Stamped when sent (the ledger counts a send when it grants it), then a round trip, so that instances overlap.
        calls.push({ id: item.id, to: 'providerId' in item.target ? item.target.providerId : '?', at: Date.now(), by });
        await sleep(2);
        return { activityId: `act-${item.id}` };
      },
    };
  };
  return { calls, delivery, hung };
}

/** Receipts every instance reads (what post_receipts is in PostgreSQL). */
class SharedReceipts implements PostReceipts {
  readonly ids = new Map<string, string[]>();
  record(itemId: string, activityId: string): void {
    this.ids.set(itemId, [...(this.ids.get(itemId) ?? []), activityId]);
  }
  async of(itemId: string): Promise<string[]> {
    return this.ids.get(itemId) ?? [];
  }
  async leftOver(): Promise<[string, string][]> {
    return [];
  }
  clear(): void {}
}

/** The store with some methods replaced (an adapter is a class: spreading it would drop its methods). */
function overriding(store: BrokerageStore, replaced: Partial<BrokerageStore>): BrokerageStore {
  return new Proxy(store, {
    get: (target, key) => {
      if (key in replaced) return replaced[key as keyof BrokerageStore];
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('Outbox instances sharing one store', () => {
  let dir: string;
  let store: BrokerageStore;
  let outboxes: Outbox[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-instances-'));
    store = await openBrokerageLowdb(dir);
    outboxes = [];
  });
  afterEach(async () => {
    for (const o of outboxes) o.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const batch = { id: 'publish:PKG-2026-0001', notify: 'broker' };
  const post = (i: number, to = `p${i}`) => ({ id: `post:PKG-2026-0001:${to}:${i}`, target: { providerId: to }, message: { kind: 'calloff.card' as const, ref: 'PKG-2026-0001' }, batch });
  const queue = (n: number, to?: string) => store.transact(tx, (t) => enqueue(t, new Date(), ...Array.from({ length: n }, (_, i) => post(i, to))));
  const start = (instanceId: string, delivery: Delivery, options: DrainOptions = {}, on: BrokerageStore = store) => {
    const o = new Outbox(on, delivery, silentLogger, { limits: ROOMY, instanceId, ...options });
    outboxes.push(o);
    o.kick();
    return o;
  };
  const reports: { id: string; items: OutboxItem[] }[] = [];
  const onBatchSettled = async (b: { id: string }, items: OutboxItem[]) => void reports.push({ id: b.id, items });
  beforeEach(() => (reports.length = 0));
  const once = (calls: { id: string }[], n: number) => {
    const ids = calls.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, `no post went twice: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
    assert.equal(ids.length, n, 'every post went');
  };

  it('sends each post once, the work split between them, and reports the batch once', async () => {
    const c = connector();
    await queue(60);
    const a = start('a', c.delivery('a'), { onBatchSettled });
    const b = start('b', c.delivery('b'), { onBatchSettled });
    await Promise.all([a.idle(10_000), b.idle(10_000)]);
    await sleep(50); // a second report, if any, would come now
    once(c.calls, 60);
    const byA = c.calls.filter((x) => x.by === 'a').length;
    assert.ok(byA > 0 && byA < 60, `both sent some (a: ${byA}, b: ${60 - byA})`);
    assert.equal(reports.length, 1, 'the batch is reported once');
    assert.equal(reports[0].items.length, 60);
    assert.ok(reports[0].items.every((i) => i.status === 'sent'));
  });

  it('takes over the posts of an instance that stopped mid-batch, once their claims run out', async () => {
    const c = connector();
    await queue(20);
    // a answers three posts, then dies with four sends in flight: it never releases their claims.
    const a = start('a', c.delivery('a', { answer: (n) => n <= 3 }), { concurrency: 4, leaseMs: 400, onBatchSettled });
    while (c.hung.size < 4) await sleep(5);
    a.stop();
    const b = start('b', c.delivery('b'), { leaseMs: 400, onBatchSettled });
    await b.idle(10_000);
    once(c.calls, 20);
    assert.deepEqual(c.calls.filter((x) => x.by === 'a').length, 3);
    for (const [id, at] of c.hung) {
      const sent = c.calls.find((x) => x.id === id)!;
      // Claimed just before the send that hung: b waited (about) the lease out.
      assert.ok(sent.by === 'b' && sent.at - at >= 350, `${id}, held by a, went ${sent.at - at} ms after a took it`);
    }
    assert.equal(reports.length, 1, 'the batch is reported once, by the instance that finished it');
  });

  it('records a post whose instance stopped after Teams answered it, instead of posting it again', async () => {
    const c = connector();
    const receipts = new SharedReceipts();
    await queue(1);
    // a posts, writes the receipt, and dies before saving the post as sent.
    const dying = overriding(store, { transact: ((o: never, fn: never) => (receipts.ids.size ? never() : store.transact(o, fn))) as BrokerageStore['transact'] });
    start('a', c.delivery('a'), { leaseMs: 300, receipts }, dying);
    while (!receipts.ids.size) await sleep(5);
    outboxes[0].stop();
    const b = start('b', c.delivery('b'), { leaseMs: 300, receipts, onBatchSettled });
    await b.idle(10_000);
    once(c.calls, 1);
    const saved = await store.get('outbox', post(0).id);
    assert.equal(saved?.status, 'sent');
    assert.equal(saved?.activityId, `act-${post(0).id}`);
    assert.equal(reports.length, 1);
  });

  it('sends posts whose change notices it never heard, on its next re-read of the store', async () => {
    const c = connector();
    const deaf = overriding(store, { watch: () => () => undefined });
    const b = start('b', c.delivery('b'), { resyncMs: 100 }, deaf);
    await b.idle(5_000);
    await queue(3); // b hears nothing of these: only its re-read can find them
    const deadline = Date.now() + 5_000;
    while (c.calls.length < 3 && Date.now() < deadline) await sleep(20);
    once(c.calls, 3);
  });

  it('keeps Teams’ per-conversation limit for both together when they share a ledger', async function () {
    this.timeout(20_000);
    const limits: RateLimits = { perConversation: [{ limit: 7, perMs: 1000 }], perBot: [{ limit: 50, perMs: 1000 }], marginMs: 30, botGapMs: 0 };
    const ledger = new LimiterLedger(limits);
    const c = connector();
    await queue(24, 'busy');
    const a = start('a', c.delivery('a'), { limits, ledger });
    const b = start('b', c.delivery('b'), { limits, ledger });
    await Promise.all([a.idle(15_000), b.idle(15_000)]);
    once(c.calls, 24);
    const times = c.calls.map((x) => x.at).sort((x, y) => x - y);
    for (const t of times) assert.ok(times.filter((x) => x > t - 1000 && x <= t).length <= 7, 'at most 7 in any second, from both');
    assert.ok(c.calls.some((x) => x.by === 'a') && c.calls.some((x) => x.by === 'b'), 'both sent');
  });
});
