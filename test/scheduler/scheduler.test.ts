import { scan } from '../helpers/scan.js';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { schedule, Scheduler, type Job } from '../../src/scheduler/scheduler.js';
import { silentLogger } from '../../src/log.js';
import { openBrokerageLowdb, type BrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

const tx = { actor: 'test', action: 'test' };
const T0 = Date.parse('2026-11-22T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
/** Lets real I/O (the store's writes) and promise chains settle while the fake clock stands still. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('Scheduler (fake timers)', () => {
  let dir: string;
  let store: BrokerageLowdb;
  let clock: sinon.SinonFakeTimers;
  let scheduler: Scheduler | undefined;
  let ran: string[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scheduler-test-'));
    store = await openBrokerageLowdb(dir);
    clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    ran = [];
  });
  afterEach(async () => {
    scheduler?.stop();
    scheduler = undefined;
    clock.restore();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (handlers: Record<string, (job: Job) => Promise<void>> = { note: async (j) => void ran.push(j.id) }) => {
    scheduler = new Scheduler(store, handlers, silentLogger, () => new Date());
    scheduler.start();
    return scheduler;
  };
  const add = (...jobs: Job[]) => store.transact(tx, async (t) => jobs.forEach((j) => schedule(t, j)));
  /** Waits (in real time: the store's writes are real I/O) until `cond` holds. */
  const until = async (cond: () => boolean | Promise<boolean>) => {
    const deadline = performance.now() + 5000;
    while (!(await cond())) {
      if (performance.now() > deadline) throw new Error('condition not met in 5 s');
      await settle();
    }
    await settle();
  };

  it('runs each job when it falls due, in order, and removes it', async () => {
    await add({ id: 'close:PKG-2026-0001', kind: 'note', at: at(30), ref: 'PKG-2026-0001' }, { id: 'remind:PKG-2026-0001', kind: 'note', at: at(10), ref: 'PKG-2026-0001' });
    start();
    await settle();
    await clock.tickAsync(9 * 60_000);
    await settle();
    assert.deepEqual(ran, []);
    await clock.tickAsync(60_000);
    await until(() => ran.length === 1);
    assert.deepEqual(ran, ['remind:PKG-2026-0001']);
    await until(async () => !(await store.get('jobs', 'remind:PKG-2026-0001')) && clock.countTimers() > 0); // re-armed for the next job
    await clock.tickAsync(20 * 60_000);
    await until(async () => !(await store.get('jobs', 'close:PKG-2026-0001')));
    assert.deepEqual(ran, ['remind:PKG-2026-0001', 'close:PKG-2026-0001']);
    assert.deepEqual(await scan(store, 'jobs'), []);
  });

  it('hears jobs scheduled after it started, from the store’s change feed, without scanning the store', async () => {
    const s = start();
    await settle();
    const reads = sinon.spy(store, 'transact');
    await add({ id: 'close:PKG-2026-0002', kind: 'note', at: at(5), ref: 'PKG-2026-0002' });
    s.kick();
    await settle();
    assert.deepEqual(s.pending().map((j) => j.id), ['close:PKG-2026-0002']);
    await clock.tickAsync(5 * 60_000);
    await until(() => ran.length === 1);
    assert.deepEqual(ran, ['close:PKG-2026-0002']);
    assert.ok(reads.getCalls().every((c) => c.args[0].action !== 'jobs.resync'), 'planning used the in-memory jobs');
  });

  it('re-arms persisted jobs after a restart and runs one that fell due while it was down', async () => {
    await add({ id: 'close:PKG-2026-0003', kind: 'note', at: at(1), ref: 'PKG-2026-0003' });
    await clock.tickAsync(2 * 60_000); // the bot was down when it fell due
    start();
    await until(() => ran.length === 1);
    assert.deepEqual(ran, ['close:PKG-2026-0003']);
  });

  it('keeps a job its handler moved (an extended deadline), and retries a failed one a minute later', async () => {
    let fail = true;
    start({
      move: async (j) => {
        ran.push(j.id);
        if (ran.length === 1) await add({ ...j, at: at(60) });
      },
      flaky: async (j) => {
        ran.push(j.id);
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
      },
    });
    await add({ id: 'close:PKG-2026-0004', kind: 'move', at: at(1), ref: 'PKG-2026-0004' }, { id: 'close:PKG-2026-0005', kind: 'flaky', at: at(1), ref: 'PKG-2026-0005' });
    scheduler!.kick();
    await clock.tickAsync(60_000);
    await until(() => ran.length === 2);
    await until(async () => (await store.get('jobs', 'close:PKG-2026-0005'))?.at === at(2));
    assert.equal((await store.get('jobs', 'close:PKG-2026-0004'))?.at, at(60), 'moved, not removed');
    await until(() => clock.countTimers() > 0); // re-armed for the retry
    await clock.tickAsync(60_000);
    await until(() => ran.length === 3);
    await until(async () => !(await store.get('jobs', 'close:PKG-2026-0005')));
    assert.deepEqual(ran, ['close:PKG-2026-0004', 'close:PKG-2026-0005', 'close:PKG-2026-0005']);
  });

  it('a runDue called while a run is going returns when that run has finished, not at once', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let started = false;
    const s = start({
      note: async (j) => {
        started = true;
        await gate;
        ran.push(j.id);
      },
    });
    await add({ id: 'close:PKG-2026-0006', kind: 'note', at: at(-1), ref: 'PKG-2026-0006' });
    await until(() => started);
    let returned = false;
    const second = s.runDue().then(() => (returned = true));
    await settle();
    assert.equal(returned, false, 'the caller would read the store before the job had run');
    open();
    await second;
    assert.deepEqual(ran, ['close:PKG-2026-0006']);
  });
});
