import { scan } from '../helpers/scan.js';
import assert from 'node:assert/strict';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import type { OutboxItem } from '../../src/outbox/outbox.js';
import { submitted, goodBid } from './fixtures.js';
import { registerProviderChannel } from '../../src/app/framework/channels.js';
import { cardText } from './turns.js';
import { channelOf, connectorWorld, type ConnectorWorld } from './connectorWorld.js';
import { LimiterLedger } from '../../src/outbox/rateLedger.js';
import { PEOPLE } from './turns.js';

const alex = { aadObjectId: PEOPLE.alex.aadObjectId };
const report = (w: ConnectorWorld) => w.mock.posts.filter((p) => p.conversationId === `a:personal-${PEOPLE.alex.id}` && p.text.includes('posted to')).map((p) => JSON.parse(p.text).text as string);
const posts = async (w: ConnectorWorld, ref: string) => (await scan(w.store, 'outbox')).filter((i) => i.id.startsWith(`post:${ref}:`) && !i.updates);

/** What every test checks: nothing is `sent` without the id of a post the connector really made. */
function assertTruthful(w: ConnectorWorld, items: OutboxItem[]) {
  const made = new Set(w.mock.posts.map((p) => p.activityId));
  for (const i of items) {
    if (i.status === 'sent') assert.ok(i.activityId && made.has(i.activityId), `${i.id} is sent with activity ${i.activityId}, which the connector never made`);
    else assert.ok(i.lastError, `${i.id} is ${i.status} without a reason`);
  }
}

describe('Proactive posts through the real adapter and a local Bot Connector', function () {
  this.timeout(60_000);
  let w: ConnectorWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('waits out 5 s of 429s (Retry-After 1), then delivers every call-off card once and reports 8 of 8', async () => {
    // The 5 s of throttling start at the first channel post, however long set-up took.
    let until: number | undefined;
    const throttle = (conversationId: string) => conversationId.startsWith('19:') && Date.now() < (until ??= Date.now() + 5_000);
    w = await connectorWorld({ providers: 8, mock: { script: ({ conversationId }) => (throttle(conversationId) ? { status: 429, retryAfter: 1 } : undefined) } });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(45_000);
    const items = await posts(w, ref);
    assert.equal(items.length, 8);
    assert.ok(items.every((i) => i.status === 'sent'), items.map((i) => `${i.id} ${i.status} ${i.lastError}`).join('\n'));
    assertTruthful(w, items);
    for (const p of w.providers) assert.equal(w.mock.shown(channelOf(p)).length, 1, `${p} has one card`);
    assert.ok(w.mock.counts.scripted >= 8, 'the connector did throttle');
    for (const p of w.providers) {
      const tries = w.mock.log.filter((r) => r.conversationId === channelOf(p));
      for (let i = 1; i < tries.length; i++) if (tries[i - 1].status === 429) assert.ok(tries[i].at - tries[i - 1].at >= 950, `${p}: tried again ${tries[i].at - tries[i - 1].at} ms after a Retry-After of 1 s`);
    }
    assert.ok(items.some((i) => i.attempts > 3), 'throttled posts were tried again after the first few seconds: ' + items.map((i) => i.attempts).join());
    assert.deepEqual(report(w).map((t) => /posted to (\d+) of (\d+)/.exec(t)?.slice(1).join('/')), ['8/8']);
  });

  it('keeps a call-off card trying until its deadline, then records it failed with the 429, never sent', async () => {
    const ref0 = { deadline: '' };
    let t0 = 0;
    // Once the call-off exists, the business clock stands 5 s before its deadline (set-up time not
    // counted) and runs on; the connector throttles every channel post.
    const now = () => (ref0.deadline ? new Date(Date.parse(ref0.deadline) - 5_000 + (Date.now() - t0)) : new Date());
    w = await connectorWorld({ providers: 8, now, mock: { script: ({ conversationId }) => (conversationId.startsWith('19:') ? { status: 429, retryAfter: 1 } : undefined) } });
    const ref = await submitted(w.store, new Date());
    ref0.deadline = (await w.store.get('requests', ref))!.package!.deadline;
    t0 = Date.now();
    await publishCallOff(w.store, alex, ref, now());
    w.runtime.changed();
    await w.runtime.outbox.idle(45_000);
    const items = await posts(w, ref);
    assert.equal(items.length, 8);
    assert.ok(items.every((i) => i.status === 'failed' && /^429/.test(i.lastError ?? '')), items.map((i) => `${i.status} ${i.lastError}`).join('\n'));
    assert.ok(items.every((i) => i.attempts >= 2), 'each was retried before giving up: ' + items.map((i) => i.attempts).join());
    assertTruthful(w, items);
    const [text] = report(w);
    assert.match(text, /posted to 0 of 8/);
    assert.match(text, /Not delivered: Caring Hands Ltd \(429/);
  });

  it('marks 403 and 404 channels unreachable by provider name, retries a 502, and counts only real posts; a re-registered channel gets the card again from the status card', async () => {
    let gateway = 2;
    let removed = true;
    w = await connectorWorld({
      providers: 8,
      mock: {
        script: ({ conversationId }) => {
          if (conversationId === channelOf('brightpath') && removed) return { status: 403, code: 'BotNotInConversationRoster' };
          if (conversationId === channelOf('signing-hands')) return { status: 404, code: 'ConversationNotFound' };
          if (conversationId === channelOf('extra-3') && gateway > 0) return gateway-- ? { status: 502 } : undefined;
          return undefined;
        },
      },
    });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(45_000);
    const items = await posts(w, ref);
    const byProvider = new Map(items.map((i) => [(i.target as { providerId: string }).providerId, i]));
    assert.equal(byProvider.get('extra-3')?.status, 'sent');
    for (const [id, status] of [['brightpath', '403'], ['signing-hands', '404']]) {
      const i = byProvider.get(id)!;
      assert.equal(i.status, 'failed');
      assert.equal(i.unreachable, true);
      assert.equal(i.attempts, 1, 'not retried: it cannot get better');
      assert.match((await w.store.get('providers', id))!.channel!.unreachableReason!, new RegExp(`^${status}`));
    }
    assertTruthful(w, items);
    const [text] = report(w);
    assert.match(text, /posted to 6 of 8/);
    assert.match(text, /BrightPath Support \(channel unreachable: 403 BotNotInConversationRoster/);
    assert.match(text, /Signing Hands[^(]*\(channel unreachable: 404/);

    // The broker's status card is a delivery report: each provider, delivered or why not.
    const status = cardText(await w.click('alex', 'calloff.status', { ref }));
    assert.match(status, /6 of 8 channels/);
    assert.match(status, /\*\*Caring Hands Ltd\*\*: delivered/);
    assert.match(status, /\*\*BrightPath Support\*\*: not delivered \(channel unreachable: 403 BotNotInConversationRoster.*Register the channel again/);
    assert.doesNotMatch(status, /Send the call-off again/, 'nothing can be resent to an unreachable channel');
    assert.match(cardText(await w.click('alex', 'calloff.resend', { ref, providerId: 'brightpath' })), /still unreachable/);

    // The bot is added back and the channel registered again: the broker sends the card from the status card.
    removed = false;
    const channel = (await w.store.get('providers', 'brightpath'))!.channel!;
    await registerProviderChannel(w.store, alex, 'brightpath', { conversationId: channel.conversationId, teamId: channel.teamId, serviceUrl: channel.serviceUrl, reference: channel.reference }, new Date().toISOString());
    assert.match(JSON.stringify(await w.click('alex', 'calloff.status', { ref })), /"verb":"calloff.resend","data":\{"ref":"[^"]+","providerId":"brightpath"\}/);
    assert.match(cardText(await w.click('alex', 'calloff.resend', { ref, providerId: 'brightpath' })), /going to BrightPath Support again/);
    await w.runtime.outbox.idle(10_000);
    const shown = w.mock.shown(channelOf('brightpath'));
    assert.equal(shown.length, 1);
    assert.match(report(w).at(-1)!, /posted to 1 of 1/);
    assert.match(cardText(await w.click('alex', 'calloff.status', { ref })), /7 of 8 channels/);
    // Later updates edit the new post.
    await w.click('tom', 'bid.submit', { ref, ...goodBid({}, new Date()) });
    await w.runtime.outbox.idle(10_000);
    assert.ok(w.mock.updates.some((u) => u.activityId === shown[0].activityId), 'the card was updated in place');
  });

  it('tells the broker by provider name when a channel refuses a later post, and stops posting there', async () => {
    let removed = false;
    w = await connectorWorld({ mock: { script: ({ conversationId }) => (removed && conversationId === channelOf('caring-hands') ? { status: 403, code: 'BotNotInConversationRoster' } : undefined) } });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(10_000);
    removed = true; // the bot is taken out of Caring Hands' channel
    await w.click('priya', 'bid.submit', { ref, ...goodBid({}, new Date()) });
    await w.runtime.outbox.idle(10_000);
    const update = (await scan(w.store, 'outbox')).find((i) => i.updates && (i.target as { providerId?: string }).providerId === 'caring-hands')!;
    assert.equal(update.status, 'failed');
    assert.equal(update.unreachable, true);
    assert.match((await w.store.get('providers', 'caring-hands'))!.channel!.unreachableReason!, /^403/);
    const told = w.mock.posts.filter((p) => p.conversationId === `a:personal-${PEOPLE.alex.id}` && p.text.includes('can no longer be reached'));
    assert.equal(told.length, 1, 'the publisher is told once');
    assert.match(JSON.parse(told[0].text).text, /Caring Hands Ltd's channel can no longer be reached \(403 BotNotInConversationRoster.*call-off PKG-/);
  });

  it('records a post that answers after the timeout, and deletes the copy its retry made', async () => {
    let slow = true;
    w = await connectorWorld({
      // Only the scripted post outlasts the timeout (2 s; its answer comes at 6 s), however slow the machine.
      timeoutMs: 2_000,
      mock: {
        script: ({ conversationId, method }) => {
          // The copy's deletion answers late too: its record must still be settled before the outbox is idle.
          if (method === 'DELETE') return { delayMs: 200 };
          if (conversationId !== channelOf('caring-hands') || method !== 'POST' || !slow) return undefined;
          slow = false;
          return { delayMs: 6_000 };
        },
      },
    });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(45_000);
    const deadline = Date.now() + 15_000;
    while (!w.mock.deleted.some((d) => d.conversationId === channelOf('caring-hands')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await w.runtime.outbox.idle(5_000); // the late answer's record is settled once the copy is deleted
    const item = (await posts(w, ref)).find((i) => (i.target as { providerId: string }).providerId === 'caring-hands')!;
    assert.equal(w.mock.posts.filter((p) => p.conversationId === channelOf('caring-hands')).length, 2, 'the retry posted a second copy');
    const shown = w.mock.shown(channelOf('caring-hands'));
    assert.equal(shown.length, 1, 'the extra copy was deleted');
    assert.equal(item.status, 'sent');
    assert.equal(item.activityId, shown[0].activityId);
    assert.deepEqual(item.copies ?? [], []);
  });

  it('holds a channel for a second instance of the bot once Teams gave the first a Retry-After there (a shared ledger)', async () => {
    let throttled = false;
    const ledger = new LimiterLedger();
    // The first post to Caring Hands' channel, from either instance, is answered 429, Retry-After 2 s.
    w = await connectorWorld({
      ledger,
      mock: { script: ({ conversationId, method }) => (conversationId === channelOf('caring-hands') && method === 'POST' && !throttled ? ((throttled = true), { status: 429, retryAfter: 2 }) : undefined) },
    });
    const other = await connectorWorld({ ledger, connector: w.mock });
    try {
      const first = await submitted(w.store, new Date());
      await publishCallOff(w.store, alex, first, new Date());
      w.runtime.changed();
      // The first instance has handled its 429 once the post's failure is saved (the pause is shared before that).
      const handled = async () => (await posts(w!, first)).some((i) => (i.target as { providerId: string }).providerId === 'caring-hands' && i.lastError);
      for (const end = Date.now() + 10_000; !(await handled()) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      const at429 = w.mock.log.find((r) => r.status === 429)!.at;
      // The second instance publishes its own call-off to the same channel: only the ledger can tell it to wait.
      const second = await submitted(other.store, new Date());
      await publishCallOff(other.store, alex, second, new Date());
      other.runtime.changed();
      await Promise.all([w.runtime.outbox.idle(20_000), other.runtime.outbox.idle(20_000)]);
      const after = w.mock.log.filter((r) => r.conversationId === channelOf('caring-hands') && r.method === 'POST' && r.status === 200);
      assert.equal(after.length, 2, 'both call-off cards reached the channel');
      assert.ok(after.every((r) => r.at - at429 >= 1_900), `nothing went to the channel before its Retry-After: ${after.map((r) => `+${r.at - at429} ms`).join(', ')}`);
    } finally {
      await other.close();
    }
  });

  it('holds a channel for at most an hour, whatever Retry-After Teams gave', async () => {
    const paused: number[] = [];
    const shared = new LimiterLedger();
    const ledger = { take: (key: string) => shared.take(key), pause: async (_key: string, ms: number) => void paused.push(ms) };
    w = await connectorWorld({ ledger, mock: { script: ({ conversationId }) => (conversationId === channelOf('caring-hands') ? { status: 429, retryAfter: 30 * 24 * 3600 } : undefined) } }); // thirty days
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    for (const end = Date.now() + 10_000; !paused.length && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(paused, [3_600_000]);
  });
});
