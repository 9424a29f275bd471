import assert from 'node:assert/strict';
import { ActionDedup, stableKey } from '../../bot/actionDedup.js';

describe('a repeated click has its effect once', () => {
  it('runs the same action once while it is in flight and gives both callers the same answer', async () => {
    const dedup = new ActionDedup<string>();
    let runs = 0;
    let release!: () => void;
    const job = () => new Promise<string>((ok) => (release = () => ok(`run ${++runs}`)));
    const first = dedup.run('k', job);
    const retried = dedup.run('k', job); // Teams retrying an invoke that has not answered yet
    release();
    assert.deepEqual(await Promise.all([first, retried]), ['run 1', 'run 1']);
  });

  it('forgets after the window, and forgets failures at once so they can be retried', async () => {
    let now = 0;
    const dedup = new ActionDedup<string>(1000, () => now);
    let runs = 0;
    const job = async () => `run ${++runs}`;
    assert.equal(await dedup.run('k', job), 'run 1');
    now = 999;
    assert.equal(await dedup.run('k', job), 'run 1');
    now = 2500;
    assert.equal(await dedup.run('k', job), 'run 2');
    await assert.rejects(dedup.run('fails', async () => Promise.reject(new Error('boom'))));
    assert.equal(await dedup.run('fails', job), 'run 3');
  });

  it('treats the same data in another key order as the same action', () => {
    assert.equal(stableKey({ a: 1, b: { c: [1, 2], d: 'x' } }), stableKey({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    assert.notEqual(stableKey({ a: 1 }), stableKey({ a: '1' }));
  });
});
