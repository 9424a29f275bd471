import assert from 'node:assert/strict';
import { NOTIFICATION_KINDS, PROVIDER_KINDS } from '../../src/app/notifications.js';
import { FAMILY_OF, loadNotification } from '../../src/app/notifications/render.js';
import { PROVIDER_KINDS as BOT_PROVIDER_KINDS } from '../../bot/views/providerMessages.js';
import type { OutboxItem } from '../../src/outbox/outbox.js';
import type { BrokerageStore } from '../../src/store/collections.js';

describe('the notification union', () => {
  it('lists every kind once, and each kind is drawn from exactly one view family', () => {
    assert.equal(new Set(NOTIFICATION_KINDS).size, NOTIFICATION_KINDS.length, 'no kind listed twice');
    assert.deepEqual(Object.keys(FAMILY_OF).sort(), [...NOTIFICATION_KINDS].sort());
    assert.equal(NOTIFICATION_KINDS.length, 47);
  });

  it('sends to providers exactly the provider kinds, and the bot draws the same list', () => {
    assert.deepEqual(
      NOTIFICATION_KINDS.filter((k) => FAMILY_OF[k] === 'provider'),
      [...PROVIDER_KINDS],
    );
    assert.equal(BOT_PROVIDER_KINDS, PROVIDER_KINDS);
  });

  it('loads a kind from an older release as unknown (the bot logs and skips it), and plain text without reading the store', async () => {
    const store = { get: async () => assert.fail('no read'), find: async () => assert.fail('no read') } as unknown as BrokerageStore;
    const item = (message: unknown) => ({ id: 'x', target: { userId: 'u1' }, message }) as OutboxItem;
    assert.deepEqual(await loadNotification(store, item({ kind: 'retired.kind' }), new Date()), { family: 'unknown', kind: 'retired.kind' });
    assert.deepEqual(await loadNotification(store, item({ kind: 'notice.text', text: 'hello' }), new Date()), { family: 'text', message: { kind: 'notice.text', text: 'hello' } });
  });
});
