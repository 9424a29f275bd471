/**
 * Issue 22, item 15: a call-off card Teams made for an instance that stopped before saving the
 * answer (an orphan the store does not know) must not go on offering a Bid. Through the real
 * adapter and a local Bot Connector (which also answers the team-details and Graph channel reads):
 * every copy of the card carries a Universal Actions refresh for the provider's users; opening any
 * copy shows the call-off as it stands and brings an unknown copy up to date for everyone; a post
 * taken over from a stopped instance is found in the channel when the council lets the bot read
 * it, and otherwise is posted again with the status card and the broker's report saying so.
 */
import assert from 'node:assert/strict';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { closeAtDeadline } from '../../src/app/calloffs/deadline.js';
import { renderMessage } from '../../bot/messages.js';
import { submitted } from './fixtures.js';
import { cardText, PEOPLE } from './turns.js';
import { channelOf, connectorWorld, type ConnectorWorld } from './connectorWorld.js';

const alex = { aadObjectId: PEOPLE.alex.aadObjectId };
type Card = { refresh?: { action: { verb: string; data: Record<string, string> }; userIds: string[] } };
const cardOf = (text: string) => (JSON.parse(text) as { attachments: { content: Card }[] }).attachments[0].content;
const report = (w: ConnectorWorld) => w.mock.posts.filter((p) => p.conversationId === `a:personal-${PEOPLE.alex.id}` && p.text.includes('posted to')).map((p) => JSON.parse(p.text).text as string);

/** A copy of the post as an instance that stopped would have left it: Teams made it, the store never heard. */
async function orphan(w: ConnectorWorld, postId: string): Promise<string> {
  const item = (await w.store.get('outbox', postId))!;
  const activity = await renderMessage(w.deps, item);
  assert.notEqual(activity, 'skip');
  const res = await fetch(`${w.mock.url}v3/conversations/${encodeURIComponent(channelOf('caring-hands'))}/activities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...(activity as object), type: 'message' }) });
  return ((await res.json()) as { id: string }).id;
}

describe('Orphaned call-off cards (a copy Teams made that the store does not know)', function () {
  this.timeout(60_000);
  let w: ConnectorWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("puts a refresh for the provider's users on the channel's card; a refresh shows the call-off as it stands", async () => {
    w = await connectorWorld();
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle();
    const [posted] = w.mock.shown(channelOf('caring-hands'));
    const card = cardOf(posted.text);
    assert.deepEqual(card.refresh, { action: { type: 'Action.Execute', verb: 'calloff.refresh', data: { ref, postId: `post:${ref}:caring-hands` } }, userIds: [`8:orgid:${PEOPLE.priya.aadObjectId}`] });
    assert.deepEqual(cardOf(w.mock.shown(channelOf('brightpath'))[0].text).refresh?.userIds, [`8:orgid:${PEOPLE.tom.aadObjectId}`]);

    const seen = await w.click('priya', 'calloff.refresh', card.refresh!.action.data, { conversationId: channelOf('caring-hands'), replyToId: posted.activityId, trigger: 'automatic' });
    assert.match(cardText(seen), /Open for bids until/);
    assert.deepEqual((seen as Card).refresh?.action.data, card.refresh!.action.data, 'the redrawn card keeps its refresh');
    await w.runtime.outbox.idle();
    assert.equal(w.mock.updates.length, 0, 'the known post is not edited by a refresh');
  });

  it('redraws an unknown copy for whoever opens it, brings it up to date for everyone once, and the close edits it too', async () => {
    let clock = new Date();
    w = await connectorWorld({ now: () => clock });
    const ref = await submitted(w.store, clock);
    const call = await w.store.get('requests', ref);
    await publishCallOff(w.store, alex, ref, clock);
    w.runtime.changed();
    await w.runtime.outbox.idle();
    const postId = `post:${ref}:caring-hands`;
    const copy = await orphan(w, postId);
    const channel = channelOf('caring-hands');
    const where = { conversationId: channel, replyToId: copy, trigger: 'automatic' as const };
    assert.equal(w.mock.shown(channel).length, 2);

    // The deadline passes: the close edits the post the store knows; the orphan still offers a Bid.
    clock = new Date(Date.parse(call!.package!.deadline) + 1000);
    await closeAtDeadline(w.store, ref, clock);
    w.runtime.changed();
    await w.runtime.outbox.idle();
    const shown = () => Object.fromEntries(w!.mock.shown(channel).map((p) => [p.activityId, /Closed for bids/.test(p.text) ? 'closed' : /Open for bids/.test(p.text) ? 'open' : '?']));
    assert.deepEqual(shown(), { [(await w.store.get('outbox', postId))!.activityId!]: 'closed', [copy]: 'open' });

    // Priya opens the channel: Teams asks the bot to redraw the orphan for her, and she sees it closed.
    const seen = await w.click('priya', 'calloff.refresh', { ref, postId }, where);
    assert.match(cardText(seen), /Closed for bids at/);
    assert.doesNotMatch(JSON.stringify(seen), /"verb":"bid\.form"/, 'no Bid button');
    await w.runtime.outbox.idle();
    assert.deepEqual((await w.store.get('outbox', postId))!.copies, [copy]);
    assert.deepEqual(Object.values(shown()), ['closed', 'closed'], 'everyone now sees both copies closed');
    const edits = w.mock.updates.length;

    // Opened again (another user, another refresh): known now, nothing more is edited.
    assert.match(cardText(await w.click('alex', 'calloff.refresh', { ref, postId }, { ...where, trigger: 'manual' })), /Closed for bids at/);
    await w.runtime.outbox.idle();
    assert.equal(w.mock.updates.length, edits);
  });

  it('redraws the card for anyone in its channel (a role is not needed to see what the channel shows), and only there', async () => {
    // Teams answers 404 to an edit of a message it does not have.
    w = await connectorWorld({ mock: { script: ({ method, activityId }) => (method === 'PUT' && activityId === 'no-such-message' ? { status: 404, code: 'NotFound' } : undefined) } });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle();
    const postId = `post:${ref}:caring-hands`;
    const activityId = (await w.store.get('outbox', postId))!.activityId!;
    const inChannel = { conversationId: channelOf('caring-hands'), replyToId: activityId, trigger: 'automatic' as const };
    assert.match(cardText(await w.click('jo', 'calloff.refresh', { ref, postId }, inChannel)), /Open for bids until/, 'a member with no role sees the card the channel shows');
    assert.match(cardText(await w.click('alex', 'calloff.refresh', { ref, postId }, inChannel)), /Open for bids until/);
    assert.equal(await w.click('tom', 'calloff.refresh', { ref, postId }, { ...inChannel, conversationId: channelOf('brightpath') }), `This call-off card (${ref}) was not posted in this conversation.`);
    assert.equal(await w.click('alex', 'calloff.refresh', { ref, postId }), `This call-off card (${ref}) was not posted in this conversation.`, 'not from a 1:1 chat either');
    assert.equal(await w.click('priya', 'calloff.refresh', { ref, postId: `post:${ref}:caring-hands:refresh:closed` }, inChannel), 'This card is out of date.');
    await w.runtime.outbox.idle();
    assert.equal(w.mock.updates.length, 0, 'nothing edited: every ask was on the known post');

    // An id Teams never made (a forged or garbled invoke) is recorded as a copy, found missing when
    // edited (404), and dropped: the channel is not marked unreachable, the post itself is edited.
    assert.match(cardText(await w.click('priya', 'calloff.refresh', { ref, postId }, { ...inChannel, replyToId: 'no-such-message' })), /Open for bids until/);
    await w.runtime.outbox.idle();
    assert.deepEqual((await w.store.get('outbox', postId))!.copies, []);
    assert.equal((await w.store.get('providers', 'caring-hands'))!.channel!.unreachableReason, undefined);
    assert.deepEqual(w.mock.updates.map((u) => u.activityId), [activityId]);
  });

  /** Publishes with Caring Hands' post held by an instance that stops before saving Teams' answer, which it got: the copy is in the channel. */
  async function takeover(w: ConnectorWorld): Promise<{ ref: string; postId: string; copy: string }> {
    const ref = await submitted(w.store, new Date());
    const postId = `post:${ref}:caring-hands`;
    assert.equal(await w.store.claim('outbox', postId, 'instance-that-stops', 1000), true);
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    const copy = await orphan(w, postId);
    await w.runtime.outbox.idle();
    return { ref, postId, copy };
  }

  it('taken over with the channel readable: the copy already there becomes the post, and nothing is posted twice', async () => {
    w = await connectorWorld({ leaseMs: 1500, readChannels: true });
    const { ref, postId, copy } = await takeover(w);
    const post = (await w.store.get('outbox', postId))!;
    assert.equal(post.status, 'sent');
    assert.equal(post.activityId, copy);
    assert.equal(post.takenOver, undefined);
    assert.equal(w.mock.posts.filter((p) => p.conversationId === channelOf('caring-hands')).length, 1, 'one card in the channel');
    assert.deepEqual(w.mock.graphReads, [{ groupId: 'group-team-1', channelId: channelOf('caring-hands') }], 'the channel was read once, for the post taken over');
    assert.deepEqual(report(w), [`Call-off ${ref}: posted to 3 of 3 provider channels.`]);
  });

  it('taken over with the channel unreadable (permission not granted): posted again, and the status card and report say it may show twice', async () => {
    w = await connectorWorld({ leaseMs: 1500, readChannels: true, mock: { graph: { status: 403 } } });
    const { ref, postId, copy } = await takeover(w);
    const post = (await w.store.get('outbox', postId))!;
    assert.equal(post.status, 'sent');
    assert.notEqual(post.activityId, copy);
    assert.ok(post.takenOver, 'marked: taken over without a look in the channel');
    assert.equal(w.mock.posts.filter((p) => p.conversationId === channelOf('caring-hands')).length, 2, 'posted again');
    assert.deepEqual(report(w), [`Call-off ${ref}: posted to 3 of 3 provider channels. 1 of them may show the card twice (an instance stopped while posting; the status card names them).`]);
    const status = cardText(await w.click('alex', 'calloff.status', { ref }));
    assert.match(status, /Caring Hands Ltd\*\*: delivered \(an instance stopped while posting it and another posted it again, so the channel may show it twice; a provider user who opens either copy sees it as it stands now\)\./);
    assert.match(status, /BrightPath Support\*\*: delivered\./);
  });
});
