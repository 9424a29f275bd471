import assert from 'node:assert/strict';
import { RateLimiter, TEAMS_LIMITS, type RateLimits } from '../../src/outbox/ratePolicy.js';

const limits: RateLimits = { perConversation: [{ limit: 3, perMs: 1000 }], perBot: [{ limit: 5, perMs: 1000 }], marginMs: 0, botGapMs: 0 };

/** Sends as fast as the limiter allows and returns when each went. */
function schedule(limiter: RateLimiter, keys: string[]): number[] {
  let now = 0;
  return keys.map((key) => {
    now += limiter.waitMs(key, now);
    limiter.take(key, now);
    return now;
  });
}

describe('RateLimiter (the outbox pace)', () => {
  it('lets at most `limit` sends into any window of one conversation', () => {
    const times = schedule(new RateLimiter(limits), Array(7).fill('c1'));
    assert.deepEqual(times, [0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it('counts every conversation against the bot-wide window', () => {
    const times = schedule(new RateLimiter(limits), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual(times, [0, 0, 0, 0, 0, 1000, 1000]);
  });

  it('honours a pause (Retry-After) for that conversation only', () => {
    const l = new RateLimiter(limits);
    l.pause('a', 1500);
    assert.equal(l.waitMs('a', 0), 1500);
    assert.equal(l.waitMs('b', 0), 0);
    assert.equal(l.waitMs('a', 1500), 0);
  });

  it('widens windows by the margin and spaces bot requests by the gap', () => {
    const l = new RateLimiter({ ...limits, marginMs: 100, botGapMs: 25 });
    assert.deepEqual(schedule(l, ['a', 'a', 'a', 'a']), [0, 25, 50, 1100]);
  });

  it('keeps Teams’ published limits: 200 channel posts take about 4 s, never more than 50 in a second', () => {
    const l = new RateLimiter(TEAMS_LIMITS);
    const times = schedule(
      l,
      Array.from({ length: 200 }, (_, i) => `channel-${i}`),
    );
    const last = times.at(-1)!;
    assert.ok(last >= 4000 && last <= 4400, `last post at ${last} ms`);
    for (const t of times) assert.ok(times.filter((x) => x > t - 1000 && x <= t).length <= 48);
    // and one conversation gets no more than 7 a second or 60 in 30 s
    const one = schedule(new RateLimiter(TEAMS_LIMITS), Array(70).fill('busy'));
    for (const t of one) {
      assert.ok(one.filter((x) => x > t - 1000 && x <= t).length <= 7);
      assert.ok(one.filter((x) => x > t - 30_000 && x <= t).length <= 60);
    }
  });

  it('holds every Teams window for one conversation: 7 a second, 8 in 2 s, 60 in 30 s, 1,800 an hour', () => {
    const times = schedule(new RateLimiter({ ...TEAMS_LIMITS, marginMs: 0, botGapMs: 0 }), Array(1_900).fill('busy'));
    const most = (span: number) => Math.max(...times.map((t, i) => i - times.findIndex((x) => x > t - span) + 1));
    assert.equal(most(1_000), 7);
    assert.equal(most(2_000), 8);
    assert.equal(most(30_000), 60);
    assert.equal(most(3_600_000), 1_800);
    assert.ok(times[1_800] >= 3_600_000, 'the 1,801st post waits for the hour');
  });
});
