import { scan } from '../helpers/scan.js';
import assert from 'node:assert/strict';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import type { Scripted } from '../../bench/mockConnector.js';
import { submitted } from './fixtures.js';
import { channelOf, connectorWorld, type ConnectorWorld } from './connectorWorld.js';
import { PEOPLE } from './turns.js';

const alex = { aadObjectId: PEOPLE.alex.aadObjectId };
const report = (w: ConnectorWorld) => w.mock.posts.filter((p) => p.conversationId === `a:personal-${PEOPLE.alex.id}` && p.text.includes('posted to')).map((p) => JSON.parse(p.text).text as string);
const posts = async (w: ConnectorWorld, ref: string) => (await scan(w.store, 'outbox')).filter((i) => i.id.startsWith(`post:${ref}:`) && !i.updates);

/**
 * Answers a Bot Connector (or a gateway in front of it) may really give: Retry-After as an HTTP
 * date, 0, negative, unreadable or missing; a 500 with an HTML page; a connection reset. Each
 * channel gets its odd answer twice, then a normal one: every card must arrive once, the store
 * must say so with the real id, and the broker must read "8 of 8".
 */
describe('Proactive posts when the connector answers oddly', function () {
  this.timeout(30_000);
  let w: ConnectorWorld | undefined;
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => void rejections.push(e);
  beforeEach(() => {
    rejections.length = 0;
    process.prependListener('unhandledRejection', onRejection);
  });
  afterEach(async () => {
    process.removeListener('unhandledRejection', onRejection);
    await w?.close();
    w = undefined;
  });

  it('retries through odd Retry-After values, HTML error pages and resets, and delivers each card once', async () => {
    const odd: Scripted[] = [
      { status: 429, retryAfter: new Date(Date.now() + 1_000).toUTCString() }, // HTTP-date form
      { status: 429, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' }, // a date in the past
      { status: 429, retryAfter: 0 },
      { status: 429, retryAfter: -5 },
      { status: 429, retryAfter: 'soon' }, // unreadable
      { status: 429 }, // missing
      { status: 500, html: true },
      { reset: true },
    ];
    const tries = new Map<string, number>();
    w = await connectorWorld({
      providers: 8,
      mock: {
        script: ({ conversationId, method }) => {
          if (!conversationId.startsWith('19:') || method !== 'POST') return undefined;
          const n = tries.get(conversationId) ?? 0;
          tries.set(conversationId, n + 1);
          if (n >= 2) return undefined;
          const i = Number(/extra-(\d+)/.exec(conversationId)?.[1] ?? ['caring-hands', 'brightpath', 'signing-hands'].findIndex((p) => conversationId === channelOf(p)));
          return odd[i];
        },
      },
    });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(25_000);
    assert.deepEqual(rejections, [], 'no unhandled rejection');
    const items = await posts(w, ref);
    assert.equal(items.length, 8);
    assert.ok(items.every((i) => i.status === 'sent'), items.map((i) => `${i.id} ${i.status} ${i.attempts} ${i.lastError}`).join('\n'));
    const made = new Set(w.mock.posts.map((p) => p.activityId));
    for (const i of items) assert.ok(made.has(i.activityId!), `${i.id} has a real activity id`);
    for (const p of w.providers) assert.equal(w.mock.shown(channelOf(p)).length, 1, `${p} has one card`);
    assert.deepEqual(report(w).map((t) => /posted to (\d+) of (\d+)/.exec(t)?.slice(1).join('/')), ['8/8']);
  });
});
