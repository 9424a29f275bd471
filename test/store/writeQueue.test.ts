import assert from 'node:assert/strict';
import { WriteQueue } from '../../src/store/writeQueue.js';

describe('WriteQueue', () => {
  it('runs jobs one at a time, in the order they were queued', async () => {
    const q = new WriteQueue();
    const log: string[] = [];
    let running = 0;
    const job = (name: string, ms: number) => async () => {
      running++;
      assert.equal(running, 1, 'never two jobs at once');
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([q.run(job('a', 20)), q.run(job('b', 1)), q.run(job('c', 5))]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps going after a job fails, and reports the failure only to its caller', async () => {
    const q = new WriteQueue();
    const failed = q.run(async () => {
      throw new Error('boom');
    });
    const next = q.run(async () => 'next');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'next');
  });

  it('counts pending jobs and drains them', async () => {
    const q = new WriteQueue();
    let done = 0;
    for (let i = 0; i < 3; i++) void q.run(async () => void done++);
    assert.equal(q.size, 3);
    await q.drain();
    assert.equal(done, 3);
    assert.equal(q.size, 0);
  });
});
