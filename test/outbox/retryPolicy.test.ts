import assert from 'node:assert/strict';
import { DEFAULT_POLICY, describeFailure, giveUpAt, isUnreachable, nextDelay, TIMEOUT } from '../../src/outbox/retryPolicy.js';

describe('retryPolicy (when a failed post goes again, and when it stops)', () => {
  const policy = { baseMs: 200, maxMs: 10_000, keepTryingMs: { default: 60_000 } };

  it('reads the status, Teams’ error code and Retry-After from what the connector threw', () => {
    const thrown = Object.assign(new Error('throttled'), { statusCode: 429, response: { status: 429, headers: { get: (k: string) => (k === 'retry-after' ? '2' : undefined) }, parsedBody: { error: { code: 'TooManyRequests' } } } });
    assert.deepEqual(describeFailure(thrown), { status: 429, retryAfterMs: 2000, code: 'TooManyRequests', message: 'throttled' });
    assert.equal(describeFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).status, 503, 'a dropped connection is a passing fault');
    assert.equal(describeFailure(Object.assign(new Error('slow'), { code: TIMEOUT })).status, TIMEOUT);
  });

  it('retries 429, 412, 5xx and timeouts no sooner than Retry-After, with jittered backoff, until the give-up time', () => {
    assert.equal(nextDelay({ status: 429, retryAfterMs: 5000, message: '' }, 1, 0, 60_000, policy, () => 0), 5000);
    assert.equal(nextDelay({ status: 502, message: '' }, 3, 0, 60_000, policy, () => 0), 400, 'half of 200·2² at the least jitter');
    assert.equal(nextDelay({ status: 502, message: '' }, 3, 0, 60_000, policy, () => 1), 800);
    assert.equal(nextDelay({ status: 504, message: '' }, 40, 0, 60_000, policy, () => 1), 10_000, 'capped');
    for (const status of [412, 503, TIMEOUT] as const) assert.ok(nextDelay({ status, message: '' }, 1, 0, 60_000, policy));
    assert.equal(nextDelay({ status: 429, retryAfterMs: 5000, message: '' }, 1, 56_000, 60_000, policy), undefined, 'past the give-up time: stop');
    assert.equal(nextDelay({ status: 400, message: '' }, 1, 0, 60_000, policy), undefined, 'a bad request will not get better');
  });

  it('treats 403, 404 and "bot not in conversation" as an unreachable channel, not a retry', () => {
    assert.ok(isUnreachable({ status: 403, message: '' }));
    assert.ok(isUnreachable({ status: 404, message: '' }));
    assert.ok(isUnreachable({ status: 400, code: 'BotNotInConversationRoster', message: '' }));
    assert.ok(!isUnreachable({ status: 429, message: '' }));
    assert.equal(nextDelay({ status: 403, message: '' }, 1, 0, 60_000, policy), undefined);
  });

  it('gives up at the item’s own time (a call-off card: its deadline), else its kind’s budget', () => {
    const createdAt = new Date().toISOString();
    const deadline = new Date(Date.parse(createdAt) + 5 * 24 * 3600_000).toISOString();
    assert.equal(giveUpAt({ createdAt, giveUpAt: deadline, message: { kind: 'calloff.card' } }), Date.parse(deadline));
    assert.equal(giveUpAt({ createdAt, message: { kind: 'award.offer' } }), Date.parse(createdAt) + DEFAULT_POLICY.keepTryingMs.default);
    assert.equal(giveUpAt({ createdAt, message: { kind: 'x' } }, { ...policy, keepTryingMs: { default: 1, x: 5 } }), Date.parse(createdAt) + 5);
  });
});
