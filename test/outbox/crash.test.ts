import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockConnector } from '../../bench/mockConnector.js';
import { post, startBot, stopBot, type BotProcess } from '../../bench/bot.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import { channelOf, seedChannels } from '../bot/connectorWorld.js';
import { submitted } from '../bot/fixtures.js';
import { PEOPLE } from '../bot/turns.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

/** "publish PKG-…" typed by Alex in his 1:1 chat, as Teams posts it to the bot. */
const publish = (serviceUrl: string, ref: string) => ({
  type: 'message',
  id: `crash-${Date.now()}`,
  channelId: 'msteams',
  serviceUrl,
  from: { id: PEOPLE.alex.id, aadObjectId: PEOPLE.alex.aadObjectId, name: PEOPLE.alex.name },
  conversation: { id: `a:personal-${PEOPLE.alex.id}`, conversationType: 'personal' },
  recipient: { id: '28:bot', name: 'Brokerage Bot' },
  text: `publish ${ref}`,
});

describe('a bot killed (SIGKILL) mid-publish and restarted', function () {
  this.timeout(150_000);
  let dir: string;
  let mock: MockConnector;
  let bot: BotProcess | undefined;
  afterEach(async () => {
    if (bot && bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await mock.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A local connector, and a data folder with `count` eligible channels and a submitted request whose bids close `closeInMs` from now. */
  async function council(count: number, closeInMs: number) {
    mock = new MockConnector();
    const url = await mock.start();
    dir = await mkdtemp(join(tmpdir(), 'bb-crash-'));
    const store = await openBrokerageLowdb(dir);
    const providers = await seedChannels(store, url, count);
    const ref = await submitted(store, new Date());
    const deadline = new Date(Date.now() + closeInMs).toISOString();
    await store.transact({ actor: 'test', action: 'test.deadline' }, async (tx) => {
      const r = (await tx.get('requests', ref))!;
      tx.put('requests', { ...r, package: { ...r.package!, deadline } });
    });
    await store.close();
    return { url, providers, ref, deadline };
  }

  it('leaves every eligible channel one open card, and after the close every copy says closed', async () => {
    // Bids close 45 s from now, so the call-off closes by itself after the restart (with room for a slow, loaded machine).
    const { url, providers, ref, deadline } = await council(8, 45_000);

    // Three channels answer; the other posts are still in flight (never answered) when the bot dies.
    let answered = 0;
    mock.configure({ script: ({ conversationId, method }) => (conversationId.startsWith('19:') && method === 'POST' && ++answered > 3 ? { hold: true } : undefined) });
    bot = await startBot(dir);
    const receipts = join(dir, 'outbox-receipts.log');
    // Receipts for the call-off cards (the bot also posts the 'submitted' notices on start).
    const lines = () => (existsSync(receipts) ? readFileSync(receipts, 'utf8').split('\n').filter((l) => l.includes(`"post:${ref}:`)).length : 0);
    void post(bot.url, publish(url, ref)).catch(() => undefined);
    // Killed the moment the third answer is in hand: most likely before its 'sent' is saved.
    await until('three posts are answered', () => lines() >= 3);
    bot.child.kill('SIGKILL');
    await bot.exited;
    const before = mock.posts.filter((p) => p.conversationId.startsWith('19:'));
    const receiptsBefore = existsSync(receipts) ? readFileSync(receipts, 'utf8') : '';
    assert.equal(before.length, 3, 'three cards were posted before the crash');

    mock.configure({});
    bot = await startBot(dir);
    const cards = (id: string) => mock.shown(channelOf(id)).filter((p) => p.text.includes(ref));
    await until('every channel has its card', () => providers.every((p) => cards(p).length >= 1));
    await until('the broker is told', () => mock.posts.some((p) => p.text.includes(`Call-off ${ref}: posted to`)));
    for (const p of providers) {
      assert.equal(cards(p).length, 1, `${p} shows one card; posted before the crash: ${before.map((b) => `${b.conversationId} ${b.activityId}`).join(', ')}; receipts: ${receiptsBefore}`);
      // Open until the deadline; past it (a very slow machine) the close below is what counts.
      if (Date.now() < Date.parse(deadline) - 2_000) assert.match(cards(p)[0].text, /Open for bids/);
    }
    assert.match(mock.posts.find((p) => p.text.includes(`Call-off ${ref}: posted to`))!.text, /posted to 8 of 8/);

    await until('the call-off closes and every card is updated', () => providers.every((p) => cards(p).every((c) => /Closed for bids/.test(c.text))), 90_000);
    for (const p of providers) assert.equal(mock.posts.filter((x) => x.conversationId === channelOf(p) && x.text.includes(ref)).length, 1, `${p}: no second copy was ever posted`);
    await stopBot(bot);
  });

  it('leaves a card Teams made but never answered before the kill showing the truth: opened by a provider user after the close, it says closed, for everyone', async () => {
    const { url, ref } = await council(3, 25_000);

    // Teams makes Caring Hands' card but its answer comes only after the bot is dead: no receipt.
    const channel = channelOf('caring-hands');
    let first = true;
    mock.configure({ script: ({ conversationId, method }) => (conversationId === channel && method === 'POST' && first ? ((first = false), { delayMs: 120_000 }) : undefined) });
    bot = await startBot(dir);
    void post(bot.url, publish(url, ref)).catch(() => undefined);
    await until('Teams has made the card', () => mock.posts.some((p) => p.conversationId === channel));
    bot.child.kill('SIGKILL');
    await bot.exited;
    const orphan = mock.posts.find((p) => p.conversationId === channel)!.activityId;

    bot = await startBot(dir);
    const copies = () => mock.shown(channel).map((p) => (/Closed for bids/.test(p.text) ? 'closed' : /Open for bids/.test(p.text) ? 'open' : 'other'));
    // One instance cannot tell after a restart that the post was made: it is posted again.
    await until('the card is posted again', () => copies().length === 2);
    await until('the call-off closes: the card the bot knows says so', () => copies().includes('closed'), 60_000);
    await sleep(1000);
    assert.deepEqual(copies().sort(), ['closed', 'open'], 'the orphan still offers a Bid to anyone who has not opened it');

    // Priya opens the channel: Teams asks the bot to redraw the orphan for her (Universal Actions refresh).
    const answer = await post(bot.url, {
      type: 'invoke', name: 'adaptiveCard/action', id: `crash-${Date.now()}`, channelId: 'msteams', serviceUrl: url, replyToId: orphan,
      from: { id: PEOPLE.priya.id, aadObjectId: PEOPLE.priya.aadObjectId, name: PEOPLE.priya.name }, recipient: { id: '28:bot', name: 'Brokerage Bot' },
      conversation: { id: `${channel};messageid=${orphan}`, conversationType: 'channel', isGroup: true },
      value: { action: { type: 'Action.Execute', verb: 'calloff.refresh', data: { ref, postId: `post:${ref}:caring-hands` } }, trigger: 'automatic' },
    });
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.body, /Closed for bids at/);
    await until('everyone sees both copies closed', () => copies().every((c) => c === 'closed'));
    await stopBot(bot);
  });
});
