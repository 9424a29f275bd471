import { reading } from '../../src/store/reading.js';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueue, Outbox, type Delivery, type OutboxItem } from '../../src/outbox/outbox.js';
import type { RateLimits } from '../../src/outbox/ratePolicy.js';
import { silentLogger } from '../../src/log.js';
import { openBrokerageLowdb, type BrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

const FAST: RateLimits = { perConversation: [{ limit: 3, perMs: 300 }], perBot: [{ limit: 50, perMs: 1000 }], marginMs: 0, botGapMs: 0 };
const tx = { actor: 'test', action: 'test' };

/** A Bot Connector stand-in: records when each post arrived; can throttle a conversation once with 429 + Retry-After. */
function fakeConnector(options: { throttleOnce?: string; retryAfterSeconds?: number; failFirst?: number } = {}) {
  const calls: { id: string; to: string; at: number; replace?: string }[] = [];
  const throttledAt: number[] = [];
  let throttled = false;
  let fails = options.failFirst ?? 0;
  const delivery: Delivery = {
    async deliver(item, replace) {
      const to = 'providerId' in item.target ? item.target.providerId : 'userId' in item.target ? item.target.userId : 'reference';
      if (to === options.throttleOnce && !throttled) {
        throttled = true;
        throttledAt.push(Date.now());
        const headers = new Map([['retry-after', String(options.retryAfterSeconds ?? 1)]]);
        throw Object.assign(new Error('Too Many Requests'), { statusCode: 429, response: { status: 429, headers: { get: (k: string) => headers.get(k) } } });
      }
      if (fails > 0) {
        fails--;
        throw Object.assign(new Error('Bad Gateway'), { statusCode: 502 });
      }
      calls.push({ id: item.id, to, at: Date.now(), replace });
      return { activityId: replace ?? `act-${item.id}` };
    },
  };
  return { delivery, calls, throttledAt };
}

describe('Outbox', () => {
  let dir: string;
  let store: BrokerageLowdb;
  let outbox: Outbox | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-test-'));
    store = await openBrokerageLowdb(dir);
  });
  afterEach(async () => {
    outbox?.stop();
    outbox = undefined;
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const queue = (...items: Parameters<typeof enqueue>[2][]) => store.transact(tx, async (t) => await enqueue(t, new Date(), ...items));
  const post = (i: number, to = 'p1', extra: Partial<OutboxItem> = {}) => ({ id: `post:PKG-2026-0001:${to}:${i}`, target: { providerId: to }, message: { kind: 'calloff.card' as const, ref: 'PKG-2026-0001' }, ...extra });

  it('honours Retry-After: the throttled conversation waits, the others go on, and the post is delivered once', async () => {
    const c = fakeConnector({ throttleOnce: 'p1', retryAfterSeconds: 1 });
    outbox = new Outbox(store, c.delivery, silentLogger, { limits: FAST, random: () => 0, concurrency: 1 });
    await queue(post(1, 'p1'), post(2, 'p1'), post(1, 'p2'), post(1, 'p3'));
    outbox.kick();
    await outbox.idle(10_000);
    const toP1 = c.calls.filter((x) => x.to === 'p1');
    assert.equal(toP1.length, 2);
    assert.ok(toP1.every((x) => x.at - c.throttledAt[0] >= 990), 'nothing went to p1 before Retry-After had passed');
    assert.ok(c.calls.filter((x) => x.to !== 'p1').every((x) => x.at - c.throttledAt[0] < 900), 'other conversations were not held up');
    assert.equal(new Set(c.calls.map((x) => x.id)).size, c.calls.length, 'no duplicates');
    const saved = await store.get('outbox', post(1, 'p1').id);
    assert.equal(saved?.status, 'sent');
    assert.equal(saved?.attempts, 2, 'throttled once, then sent');
  });

  it('starts on a post only after the transaction that queued it has answered: a bid is replied to before its card refresh runs', async () => {
    const c = fakeConnector();
    outbox = new Outbox(store, c.delivery, silentLogger, { limits: FAST, concurrency: 1 });
    await outbox.idle();
    const drain = sinon.spy(outbox, 'drain');
    await queue(post(1));
    assert.equal(drain.callCount, 0, 'the outbox did not start inside the commit the caller was waiting on');
    await outbox.idle(10_000);
    assert.ok(drain.called, 'then it started on its own');
    assert.deepEqual(c.calls.map((x) => x.id), [post(1).id]);
  });

  it('paces itself to the per-conversation limit instead of being throttled', async () => {
    const c = fakeConnector();
    outbox = new Outbox(store, c.delivery, silentLogger, { limits: FAST, concurrency: 8 });
    await queue(...Array.from({ length: 9 }, (_, i) => post(i)));
    outbox.kick();
    await outbox.idle(10_000);
    const times = c.calls.map((x) => x.at).sort((a, b) => a - b);
    assert.equal(times.length, 9);
    for (const t of times) assert.ok(times.filter((x) => x > t - 290 && x <= t).length <= 3, 'at most 3 in any 300 ms');
    assert.ok(times.at(-1)! - times[0] >= 590, 'three windows');
  });

  it('retries passing failures (502) and sends an update only after the post it edits', async () => {
    const c = fakeConnector({ failFirst: 1 });
    outbox = new Outbox(store, c.delivery, silentLogger, { limits: FAST, random: () => 0, policy: { baseMs: 20, maxMs: 100, keepTryingMs: { default: 5_000 } } });
    await queue(post(1), { ...post(1), id: `${post(1).id}:refresh:a`, updates: post(1).id });
    outbox.kick();
    await outbox.idle(10_000);
    assert.deepEqual(c.calls.map((x) => [x.id, x.replace]), [
      [post(1).id, undefined],
      [`${post(1).id}:refresh:a`, `act-${post(1).id}`],
    ]);
  });

  it('edits every copy of a post: an update reaches each activity id the post was given', async () => {
    const c = fakeConnector();
    outbox = new Outbox(store, c.delivery, silentLogger, { limits: FAST });
    const now = new Date().toISOString();
    await store.transact(tx, async (t) => t.put('outbox', { ...post(1), status: 'sent', attempts: 1, dueAt: now, createdAt: now, activityId: 'act-1', copies: ['act-1b'] } as OutboxItem));
    await queue({ ...post(1), id: `${post(1).id}:refresh:closed`, updates: post(1).id });
    outbox.kick();
    await outbox.idle(10_000);
    assert.deepEqual(c.calls.map((x) => x.replace).sort(), ['act-1', 'act-1b']);
    assert.equal((await store.get('outbox', `${post(1).id}:refresh:closed`))?.status, 'sent');
  });

  it('finds unsent posts after a restart through the store\'s pending read, without reading old ones', async () => {
    const pending = () => reading(store, (t) => t.pendingPosts());
    await queue(post(1), post(2));
    assert.deepEqual((await pending()).map((p) => p.id).sort(), [post(1).id, post(2).id]);
    // "restart": a new outbox on the same store delivers them
    const c = fakeConnector();
    outbox = new Outbox(store, c.delivery, silentLogger, { limits: FAST });
    outbox.kick();
    await outbox.idle(10_000);
    assert.equal(c.calls.length, 2);
    assert.deepEqual(await pending(), []);
  });

  it('delivers what is pending when it starts, not what was sent', async () => {
    await store.transact(tx, async (t) => {
      t.put('outbox', { ...post(7), status: 'pending', attempts: 0, dueAt: new Date().toISOString(), createdAt: new Date().toISOString() } as OutboxItem);
      t.put('outbox', { ...post(8), status: 'sent', attempts: 1, dueAt: new Date().toISOString(), createdAt: new Date().toISOString() } as OutboxItem);
    });
    const c = fakeConnector();
    outbox = new Outbox(store, c.delivery, silentLogger, { limits: FAST });
    outbox.kick();
    await outbox.idle(10_000);
    assert.deepEqual(c.calls.map((x) => x.id), [post(7).id]);
  });

  it('records a post that answers after the timeout, and deletes the copy its retry made', async () => {
    const removed: string[] = [];
    let n = 0;
    let retried!: () => void;
    const retry = new Promise<void>((r) => (retried = r));
    const delivery: Delivery = {
      async deliver() {
        const mine = ++n;
        if (mine === 1) await retry; // answers after its 100 ms, once the retry has been sent
        else retried();
        return { activityId: `act-${mine}` };
      },
      async remove(_item, activityId) {
        removed.push(activityId);
      },
    };
    outbox = new Outbox(store, delivery, silentLogger, { limits: FAST, timeoutMs: 100, random: () => 0, policy: { baseMs: 20, maxMs: 100, keepTryingMs: { default: 5_000 } } });
    await queue(post(1));
    outbox.kick();
    await outbox.idle(10_000);
    // The copy is deleted at Teams first, then dropped from the saved post: wait for both.
    const deadline = Date.now() + 5_000;
    let saved = await store.get('outbox', post(1).id);
    while ((!removed.length || saved?.copies?.length) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      saved = await store.get('outbox', post(1).id);
    }
    assert.equal(n, 2, 'the retry posted a second copy');
    assert.equal(saved?.status, 'sent');
    assert.deepEqual(removed, [saved?.activityId === 'act-1' ? 'act-2' : 'act-1'], 'the extra copy was deleted');
    assert.deepEqual(saved?.copies ?? [], []);
  });

  it('reports a batch once, when its last post settles, with every post of it', async () => {
    const c = fakeConnector();
    const reports: { id: string; items: OutboxItem[] }[] = [];
    outbox = new Outbox(store, c.delivery, silentLogger, { limits: FAST, onBatchSettled: async (b, items) => void reports.push({ id: b.id, items }) });
    const batch = { id: 'publish:PKG-2026-0001' };
    await queue(...Array.from({ length: 5 }, (_, i) => post(i, `p${i}`, { batch })));
    outbox.kick();
    await outbox.idle(10_000);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].items.length, 5);
    assert.ok(reports[0].items.every((i) => i.status === 'sent'));
  });
});
