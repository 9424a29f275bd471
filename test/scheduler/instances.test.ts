import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schedule, Scheduler, type Job, type JobHandler } from '../../src/scheduler/scheduler.js';
import { silentLogger } from '../../src/log.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../src/store/collections.js';

const tx = { actor: 'test', action: 'test' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Scheduler instances sharing one store', () => {
  let dir: string;
  let store: BrokerageStore;
  let schedulers: Scheduler[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scheduler-instances-'));
    store = await openBrokerageLowdb(dir);
    schedulers = [];
  });
  afterEach(async () => {
    for (const s of schedulers) s.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (instanceId: string, handler: JobHandler, leaseMs = 60_000) => {
    const s = new Scheduler(store, { note: handler }, silentLogger, () => new Date(), 60_000, { instanceId, leaseMs });
    schedulers.push(s);
    s.start();
    return s;
  };
  const due = (n: number): Job[] => Array.from({ length: n }, (_, i) => ({ id: `close:PKG-2026-${String(i).padStart(4, '0')}`, kind: 'note', at: new Date(Date.now() - 1000).toISOString(), ref: `PKG-2026-${i}` }));
  const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 5000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
      await sleep(5);
    }
  };
  const left = async () => (await store.transact(tx, (t) => t.jobs())).length;

  it('runs each due job once, whichever instance gets it', async () => {
    const ran: [string, string][] = [];
    const handler = (by: string) => async (j: Job) => {
      ran.push([j.id, by]);
      await sleep(3); // a handler's own transaction, so that instances overlap
    };
    await store.transact(tx, (t) => due(30).forEach((j) => schedule(t, j)));
    start('a', handler('a'));
    start('b', handler('b'));
    await until('every job is done', async () => (await left()) === 0);
    await sleep(50);
    const ids = ran.map(([id]) => id);
    assert.equal(ids.length, 30, `each ran once: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
    assert.equal(new Set(ids).size, 30);
  });

  it('gives a job back for good: a renewal still on its way when the job ends does not put the claim back', async () => {
    // The job runs a little over a third of the lease, so one renewal is sent; the store answers
    // it slowly, after the job has ended and its claim was given back.
    const claim = store.claim.bind(store);
    const release = store.release.bind(store);
    const answered: Promise<unknown>[] = [];
    store.claim = async (kind, id, holder, leaseMs) => {
      if (kind === 'jobs' && holder === 'a' && answered.push(sleep(150)) > 1) await answered.at(-1);
      return claim(kind, id, holder, leaseMs);
    };
    store.release = async (...args) => {
      answered.push(release(...args));
    };
    await store.transact(tx, (t) => due(1).forEach((j) => schedule(t, j)));
    start('a', async () => void (await sleep(120)), 300);
    await until('the job is done and its claim given back', () => answered.length >= 3);
    await Promise.all(answered);
    assert.ok(answered.length >= 3, 'a renewal was sent while the job ran');
    assert.equal(await claim('jobs', due(1)[0].id, 'b', 300), true, 'nothing holds the job once it has ended');
  });

  it('takes over a job whose instance stopped while running it, once its claim runs out', async () => {
    const ran: string[] = [];
    await store.transact(tx, (t) => due(1).forEach((j) => schedule(t, j)));
    // a starts the job and dies in it: its claim is never released nor renewed.
    start('a', async () => {
      ran.push('a');
      await new Promise(() => undefined);
    }, 300);
    await until('a runs it', () => ran.length === 1);
    schedulers[0].stop();
    const stoppedAt = Date.now();
    start('b', async () => void ran.push('b'), 300);
    await until('the job is done', async () => (await left()) === 0);
    assert.deepEqual(ran, ['a', 'b']);
    assert.ok(Date.now() - stoppedAt >= 200, 'b waited for the claim to run out');
  });
});
