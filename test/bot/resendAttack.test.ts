import assert from 'node:assert/strict';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { registerProviderChannel } from '../../src/app/framework/channels.js';
import { submitted } from './fixtures.js';
import { cardText, PEOPLE } from './turns.js';
import { channelOf, connectorWorld, type ConnectorWorld } from './connectorWorld.js';

const alex = { aadObjectId: PEOPLE.alex.aadObjectId };

/** `calloff.resend` clicked by the wrong people, for the wrong provider, and more than once. */
describe('Sending a call-off card again: forged and repeated clicks', function () {
  this.timeout(30_000);
  let w: ConnectorWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('refuses providers, other roles and strangers, refuses a provider never offered, and posts once however often the broker clicks', async () => {
    let removed = true;
    w = await connectorWorld({ mock: { script: ({ conversationId }) => (removed && conversationId === channelOf('brightpath') ? { status: 403, code: 'BotNotInConversationRoster' } : undefined) } });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(10_000);
    removed = false;
    const channel = (await w.store.get('providers', 'brightpath'))!.channel!;
    await registerProviderChannel(w.store, alex, 'brightpath', { conversationId: channel.conversationId, teamId: channel.teamId, serviceUrl: channel.serviceUrl, reference: channel.reference }, new Date().toISOString());
    const cards = () => w!.mock.posts.filter((p) => p.conversationId === channelOf('brightpath')).length;

    // A provider user (its own channel's card), a social worker, a manager, a stranger: none may send.
    for (const who of ['tom', 'priya', 'sam', 'morgan', 'jo'] as const) {
      const answer = cardText(await w.click(who, 'calloff.resend', { ref, providerId: 'brightpath' }));
      assert.doesNotMatch(answer, /going to|again to/i, `${who} was refused: ${answer}`);
    }
    // A forged role inside the card's data changes nothing.
    assert.doesNotMatch(cardText(await w.click('tom', 'calloff.resend', { ref, providerId: 'brightpath', role: 'broker', roles: ['broker'] })), /going to/);
    await w.runtime.outbox.idle(5_000);
    assert.equal(cards(), 0, 'nothing was posted for them');

    // A provider the call-off was never offered to (not eligible), one that does not exist, and odd ids.
    for (const providerId of ['oak-tree', 'nobody', '', '../brightpath', 'BRIGHTPATH ']) {
      const answer = cardText(await w.click('alex', 'calloff.resend', { ref, providerId }));
      assert.doesNotMatch(answer, /going to/, `${JSON.stringify(providerId)}: ${answer}`);
    }
    await w.runtime.outbox.idle(5_000);
    assert.equal(w.mock.posts.filter((p) => p.conversationId === channelOf('oak-tree')).length, 0);

    // The broker double-clicks, clicks from two copies of the status card at once, and again later.
    const first = await Promise.all([
      w.click('alex', 'calloff.resend', { ref, providerId: 'brightpath' }),
      w.click('alex', 'calloff.resend', { ref, providerId: 'brightpath' }),
      w.click('alex', 'calloff.resend', { providerId: 'brightpath', ref }),
    ]);
    assert.ok(first.some((a) => /going to BrightPath Support again/.test(cardText(a))), first.map(cardText).join('\n'));
    await w.runtime.outbox.idle(10_000);
    // Within 15 s the same click is replayed (a Teams retry); from another copy of the card it runs, and is refused.
    assert.match(cardText(await w.click('alex', 'calloff.resend', { ref, providerId: 'brightpath', from: 'another copy' })), /already has the call-off card/);
    await w.runtime.outbox.idle(5_000);
    assert.equal(cards(), 1, 'the card was posted once');
  });
});
