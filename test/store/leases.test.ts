import assert from 'node:assert/strict';
import { Leases } from '../../src/store/leases.js';

describe('Leases (claims on shared work, in memory)', () => {
  it('gives work to one holder until its lease runs out or it lets go', () => {
    const l = new Leases();
    assert.equal(l.claim('outbox', 'post:1', 'a', 1000, 0), true);
    assert.equal(l.claim('outbox', 'post:1', 'b', 1000, 500), false, 'held by a');
    assert.equal(l.claim('jobs', 'post:1', 'b', 1000, 500), true, 'another kind is other work');
    assert.equal(l.claim('outbox', 'post:1', 'a', 1000, 900), true, 'a renews');
    assert.equal(l.claim('outbox', 'post:1', 'b', 1000, 1800), false, 'renewed until 1900');
    assert.equal(l.claim('outbox', 'post:1', 'b', 1000, 1900), 'taken over', 'a stopped renewing: b takes it over');
    l.release('outbox', 'post:1', 'a');
    assert.equal(l.claim('outbox', 'post:1', 'c', 1000, 2000), false, 'a cannot release what b holds');
    l.release('outbox', 'post:1', 'b');
    assert.equal(l.claim('outbox', 'post:1', 'c', 1000, 2000), true);
  });
});
