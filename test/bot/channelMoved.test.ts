import assert from 'node:assert/strict';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { registerProviderChannel } from '../../src/app/framework/channels.js';
import { submitted } from './fixtures.js';
import { cardText, PEOPLE } from './turns.js';
import { channelOf, connectorWorld, type ConnectorWorld } from './connectorWorld.js';

const alex = { aadObjectId: PEOPLE.alex.aadObjectId };
const NEW_CHANNEL = '19:brightpath-new-shared@thread.tacv2';

/**
 * A provider moves to a new shared channel while a call-off is open (its old channel was deleted,
 * or the council made a proper shared channel). Its card sits in the old channel: the new channel
 * must not be blamed for that, and the broker must be able to send the card there.
 */
describe('A provider registered in a new channel while its call-off card is in the old one', function () {
  this.timeout(30_000);
  let w: ConnectorWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('does not mark the new channel unreachable when the old card cannot be edited there, and lets the broker send the card to it', async () => {
    // Teams answers 404 to an edit of an activity that is not in the conversation named.
    w = await connectorWorld({
      mock: { script: ({ conversationId, method, activityId }) => (method === 'PUT' && !w!.mock.posts.some((p) => p.activityId === activityId && p.conversationId === conversationId) ? { status: 404, code: 'ActivityNotFound' } : undefined) },
    });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(10_000);
    assert.equal(w.mock.shown(channelOf('brightpath')).length, 1);

    const old = (await w.store.get('providers', 'brightpath'))!.channel!;
    const reference = { ...old.reference, conversation: { id: NEW_CHANNEL, conversationType: 'channel', isGroup: true } };
    await registerProviderChannel(w.store, alex, 'brightpath', { conversationId: NEW_CHANNEL, teamId: old.teamId, serviceUrl: old.serviceUrl, kind: 'shared', reference }, new Date().toISOString());

    // The status card does not claim the provider's (new) channel has the card.
    const status = cardText(await w.click('alex', 'calloff.status', { ref }));
    assert.doesNotMatch(status, /\*\*BrightPath Support\*\*: delivered\./, status);

    // An extension updates every card: BrightPath's edit cannot reach its old card through the new channel.
    const deadline = new Date((await w.store.get('requests', ref))!.calloff!.deadline);
    const later = new Date(deadline.getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
    assert.match(cardText(await w.click('alex', 'calloff.extend', { ref, newDeadlineDate: later, newDeadlineTime: '17:00', extendReason: 'more time for providers' })), /Extended|extended/);
    await w.runtime.outbox.idle(10_000);
    assert.equal((await w.store.get('providers', 'brightpath'))!.channel!.unreachableReason, undefined, 'the new channel is not marked unreachable');
    assert.equal(w.mock.posts.filter((p) => p.text.includes('can no longer be reached')).length, 0, 'nobody is told a working channel is lost');

    // The broker sends the card to the new channel.
    assert.match(cardText(await w.click('alex', 'calloff.resend', { ref, providerId: 'brightpath' })), /going to BrightPath Support again/);
    await w.runtime.outbox.idle(10_000);
    assert.equal(w.mock.shown(NEW_CHANNEL).filter((p) => p.text.includes(ref) && p.text.includes('AdaptiveCard')).length, 1, 'the new channel has the card');
    assert.match(cardText(await w.click('alex', 'calloff.status', { ref, again: 1 })), /\*\*BrightPath Support\*\*: delivered\./);
  });
});
