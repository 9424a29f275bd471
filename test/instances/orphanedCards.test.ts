/**
 * Issue 22, item 15, with real processes: bot A (on PostgreSQL) publishes a call-off; Teams (the
 * local Bot Connector) makes A's card for Caring Hands but its answer is slow, and A is SIGKILLed
 * before it arrives, so no receipt is saved. Bot B, a second process on the same database, takes
 * the post over once A's claim runs out (3 s here, 60 s in production).
 *
 *  - Without the channel permission B posts the card again: the channel holds two cards, the
 *    broker's report and the status card say it may show twice, and at the deadline B closes the
 *    card it knows. When Priya (Caring Hands) opens the channel, Teams asks B to redraw the orphan:
 *    she sees it closed, and B brings it up to date for everyone.
 *  - With READ_CHANNEL_MESSAGES on (ChannelMessage.Read.Group granted), B reads the channel
 *    (Graph, answered by the local connector), finds A's card and records it as the post: one
 *    card in the channel, closed at the deadline.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MockConnector } from '../../bench/mockConnector.js';
import { post, startBot, stopBot, type BotProcess } from '../../bench/bot.js';
import { PostgresStore } from '../../src/store/postgres/postgresStore.js';
import { channelOf, ELIGIBLE, seedChannels } from '../bot/connectorWorld.js';
import { submitted } from '../bot/fixtures.js';
import { PEOPLE } from '../bot/turns.js';
import { freshDatabase } from '../support/postgres.js';

const LINK_SECRET = 'orphaned-cards-test-link-secret-0123456789abcdef';
const LEASE_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

let seq = 0;
const fromPerson = (who: (typeof PEOPLE)[keyof typeof PEOPLE]) => ({ id: who.id, aadObjectId: who.aadObjectId, name: who.name });
/** Alex types in his 1:1 chat, as Teams posts it to the bot. */
const typed = (serviceUrl: string, text: string) => ({
  type: 'message', id: `orphan-${++seq}`, channelId: 'msteams', serviceUrl, text,
  from: fromPerson(PEOPLE.alex), recipient: { id: '28:bot', name: 'Brokerage Bot' },
  conversation: { id: `a:personal-${PEOPLE.alex.id}`, conversationType: 'personal' },
});
/** Teams' automatic refresh when Priya sees a copy of the card in Caring Hands' channel. */
const opened = (serviceUrl: string, activityId: string, data: Record<string, string>) => ({
  type: 'invoke', name: 'adaptiveCard/action', id: `orphan-${++seq}`, channelId: 'msteams', serviceUrl, replyToId: activityId,
  from: fromPerson(PEOPLE.priya), recipient: { id: '28:bot', name: 'Brokerage Bot' },
  conversation: { id: `${channelOf('caring-hands')};messageid=${activityId}`, conversationType: 'channel', isGroup: true },
  value: { action: { type: 'Action.Execute', verb: 'calloff.refresh', data }, trigger: 'automatic' },
});
const textOf = (p: { text: string }) => {
  const a = JSON.parse(p.text) as { text?: string; attachments?: { content: unknown }[] };
  return a.text ?? JSON.stringify(a.attachments?.[0]?.content ?? '');
};
const state = (text: string) => (/Closed for bids/.test(text) ? 'closed' : /Open for bids/.test(text) ? 'open' : 'other');

describe('a call-off card orphaned by an instance killed before saving Teams\' answer (two processes, PostgreSQL)', function () {
  this.timeout(150_000);
  let work: string;
  let mock: MockConnector;
  const bots: BotProcess[] = [];
  const logs: string[] = [];

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'brokerage-orphans-'));
    mock = new MockConnector();
    await mock.start();
    logs.length = 0;
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(`      bot logs (last 30):\n${logs.slice(-30).map((l) => `        ${l.slice(0, 300)}`).join('\n')}`);
    for (const b of bots.splice(0)) if (b.child.exitCode === null && b.child.signalCode === null) await stopBot(b).catch(() => undefined);
    await mock.stop();
    await rm(work, { recursive: true, force: true });
  });

  /** A council on a fresh database with three eligible channels and a request whose bids close `closeInMs` from now. */
  async function council(closeInMs: number): Promise<{ url: string; ref: string; deadline: number }> {
    const url = await freshDatabase();
    const store = await PostgresStore.open(url, { instanceId: 'test-seed', poolSize: 2 });
    try {
      await seedChannels(store, mock.url);
      const ref = await submitted(store, new Date());
      const deadline = Date.now() + closeInMs;
      await store.transact({ actor: 'test', action: 'test.deadline' }, async (tx) => {
        const r = (await tx.get('requests', ref))!;
        tx.put('requests', { ...r, package: { ...r.package!, deadline: new Date(deadline).toISOString() } });
      });
      return { url, ref, deadline };
    } finally {
      await store.close();
    }
  }

  const start = async (name: string, url: string, env: Record<string, string> = {}) => {
    const bot = await startBot(join(work, name), { DATABASE_URL: url, LINK_SECRET, LOG_LEVEL: 'info', MICROSOFT_APP_ID: '', BOT_LEASE_MS: String(LEASE_MS), ...env }, (line) => logs.push(`${name} ${line}`));
    bots.push(bot);
    return bot;
  };

  /** The posts an instance holds a lease on, read straight from the database. */
  async function postsHeld(url: string): Promise<string[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ id: string }>(`SELECT id FROM claims WHERE kind = 'outbox' ORDER BY id`)).rows.map((r) => r.id);
    } finally {
      await client.end();
    }
  }

  /**
   * A publishes; Teams makes Caring Hands' card but answers it only after A is killed. A is killed
   * once the other two channels' posts are settled (their leases given back), so that Caring Hands'
   * is the one post it leaves behind however slowly a busy machine runs it. Returns the orphan's id.
   */
  async function publishAndKill(url: string, ref: string): Promise<string> {
    const channel = channelOf('caring-hands');
    let first = true;
    mock.configure({ script: ({ conversationId, method }) => (conversationId === channel && method === 'POST' && first ? ((first = false), { delayMs: 120_000 }) : undefined) });
    const a = await start('a', url);
    void post(a.url, typed(mock.url, `publish ${ref}`)).catch(() => undefined);
    await until("Teams has made A's card in every channel and A holds only Caring Hands' post", async () =>
      ELIGIBLE.every((p) => mock.posts.some((m) => m.conversationId === channelOf(p))) && (await postsHeld(url)).join() === `post:${ref}:caring-hands`);
    a.child.kill('SIGKILL');
    await a.exited;
    return mock.posts.find((p) => p.conversationId === channel)!.activityId;
  }

  const reports = (ref: string) => mock.posts.filter((p) => p.conversationId === `a:personal-${PEOPLE.alex.id}` && p.text.includes(`Call-off ${ref}: posted to`)).map(textOf);
  const copies = () => Object.fromEntries(mock.shown(channelOf('caring-hands')).map((p) => [p.activityId, state(p.text)]));

  it('without the channel permission: posted again, said to show twice, and the orphan shows closed (and is closed for everyone) once Priya opens it', async () => {
    const { url, ref, deadline } = await council(25_000);
    const orphan = await publishAndKill(url, ref);
    const b = await start('b', url);
    await until('the broker is told', () => reports(ref).length > 0);
    assert.deepEqual(reports(ref), [`Call-off ${ref}: posted to 3 of 3 provider channels. 1 of them may show the card twice (an instance stopped while posting; the status card names them).`]);
    assert.deepEqual(Object.values(copies()), ['open', 'open'], 'two cards in the channel');

    const before = mock.posts.length;
    assert.equal((await post(b.url, typed(mock.url, `calloff ${ref}`))).status, 200);
    await until('the status card', () => mock.posts.length > before);
    assert.match(textOf(mock.posts.at(-1)!), /Caring Hands Ltd\*\*: delivered \(an instance stopped while posting it and another posted it again, so the channel may show it twice/);

    await until('the call-off closes and the card B knows says so', () => Object.values(copies()).includes('closed'), deadline - Date.now() + 30_000);
    await sleep(1000);
    assert.deepEqual(copies()[orphan], 'open', "before anyone opens it, A's card still offers a Bid");

    const answer = await post(b.url, opened(mock.url, orphan, { ref, postId: `post:${ref}:caring-hands` }));
    assert.equal(answer.status, 200, answer.body);
    const seen = JSON.parse(answer.body) as { statusCode: number; value: unknown };
    assert.equal(state(JSON.stringify(seen.value)), 'closed', 'Priya sees the orphan closed');
    assert.doesNotMatch(JSON.stringify(seen.value), /"verb":"bid\.form"/);
    await until('the orphan is closed for everyone', () => Object.values(copies()).every((s) => s === 'closed'));
    console.log(`      no permission: report "${reports(ref)[0]}"; copies after Priya opened the orphan: ${JSON.stringify(copies())}`);
  });

  it('with the channel permission: the other instance finds the orphan in the channel and keeps it as the one card, closed at the deadline', async () => {
    const { url, ref, deadline } = await council(20_000);
    const orphan = await publishAndKill(url, ref);
    await start('b', url, { READ_CHANNEL_MESSAGES: 'true', GRAPH_URL: mock.url });
    await until('the broker is told', () => reports(ref).length > 0);
    assert.deepEqual(reports(ref), [`Call-off ${ref}: posted to 3 of 3 provider channels.`]);
    assert.deepEqual(copies(), { [orphan]: 'open' }, 'one card: the one A left');
    assert.deepEqual(mock.graphReads, [{ groupId: 'group-team-1', channelId: channelOf('caring-hands') }]);
    await until('the call-off closes and the card says so', () => copies()[orphan] === 'closed', deadline - Date.now() + 30_000);
    assert.equal(mock.posts.filter((p) => p.conversationId === channelOf('caring-hands')).length, 1, 'never posted twice');
    console.log(`      with permission: report "${reports(ref)[0]}"; channel reads ${mock.graphReads.length}; copies ${JSON.stringify(copies())}`);
  });
});
