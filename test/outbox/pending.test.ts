import assert from 'node:assert/strict';
import { PendingPosts } from '../../src/outbox/pending.js';
import type { OutboxItem } from '../../src/outbox/item.js';

const item = (id: string, createdAt: string, attempts = 0, dueAt = createdAt): OutboxItem => ({ id, target: { userId: 'u' }, message: { kind: 'notice.text', text: id } as never, status: 'pending', attempts, dueAt, createdAt });
const ids = (p: PendingPosts) => [...p.inOrder()].map((i) => i.id);

describe('the outbox pending posts, in the order they go', () => {
  it('puts retries whose wait is over first, then the oldest, whatever order they came in', () => {
    const p = new PendingPosts();
    p.set('b', item('b', '2026-11-22T10:00:02Z'));
    p.set('a', item('a', '2026-11-22T10:00:01Z'));
    p.set('r', item('r', '2026-11-22T10:00:05Z', 1, '2026-11-22T10:00:09Z'));
    assert.deepEqual(ids(p), ['r', 'a', 'b']);
  });

  it('skips a post settled since, and places one added later, or retried, where it now goes', () => {
    const p = new PendingPosts();
    for (const [id, at] of [['a', '01'], ['b', '02'], ['c', '03']]) p.set(id, item(id, `2026-11-22T10:00:${at}Z`));
    assert.deepEqual(ids(p), ['a', 'b', 'c']);
    p.delete('a');
    assert.deepEqual(ids(p), ['b', 'c']);
    p.set('c', item('c', '2026-11-22T10:00:03Z', 1, '2026-11-22T10:01:00Z'));
    p.set('0', item('0', '2026-11-22T09:59:59Z'));
    assert.deepEqual(ids(p), ['c', '0', 'b']);
    assert.equal(p.size, 3);
  });
});
