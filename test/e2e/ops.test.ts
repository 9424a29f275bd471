/**
 * The operations view end to end (issue 27, part 3), through the Agents Playground, on the store
 * the run uses (E2E_STORE). Alex, a commissioner, types `ops` in the 1:1 chat and sees all well.
 * Then the bot is removed from BrightPath's shared channel (the conversationUpdate Teams sends), the
 * deadline of a published call-off is extended, and the notice to BrightPath and the update of its
 * card fail: `ops` shows both failed posts and the unreachable channel, refuses Send again while
 * the channel is unreachable, and once the bot is added back, Send again delivers them there.
 */
import assert from 'node:assert/strict';
import { extendDeadline } from '../../src/app/calloffs/deadline.js';
import { addDays } from '../../src/domain/agreementRules.js';
import { ukDate } from '../../src/domain/dates.js';
import { knownMigrations } from '../../src/store/postgres/migrate.js';
import * as fx from '../bot/fixtures.js';
import { cardActions, cardProblems, cardText, messageText, startHarness, withDemoChannels, type Harness, type InvokeResult } from './harness.js';

describe('e2e: ops, the operations view for admins', function () {
  let h: Harness;
  let ref: string;
  const postgres = process.env.E2E_STORE === 'postgres';

  before(async function () {
    this.timeout(60_000);
    h = await startHarness();
    await withDemoChannels(h);
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  /** The bot added to or removed from BrightPath's shared channel, as Teams tells it. */
  const membership = (change: 'membersAdded' | 'membersRemoved') =>
    h.sendActivity('channel-brightpath', h.user('user-alex'), {
      type: 'conversationUpdate',
      [change]: [{ id: h.bot.id, name: h.bot.name }],
      channelData: { tenant: { id: h.config.tenantId }, team: { id: h.chats.team }, channel: { id: 'channel-brightpath', type: 'shared' }, eventType: change === 'membersAdded' ? 'channelMemberAdded' : 'channelMemberRemoved' },
    });
  const reachable = async (yes: boolean) => {
    for (const until = Date.now() + 5_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      if (!(await h.server.store.get('providers', 'brightpath'))?.channel?.unreachableReason === yes) return;
    }
    assert.fail(`BrightPath's channel did not become ${yes ? 'reachable' : 'unreachable'}`);
  };

  it('Alex sees all well: the store, this instance, nothing waiting', async () => {
    const reply = await h.ask(h.chats.personal, 'ops', { match: /Operations/ });
    assert.deepEqual(cardProblems(reply.card), []);
    const text = cardText(reply.card);
    assert.match(text, /All well: the store answers and nothing needs attention\./);
    assert.match(text, postgres ? /PostgreSQL · postgres:\/\/postgres@127\.0\.0\.1/ : /embedded \(one process\)/);
    if (postgres) {
      const known = await knownMigrations();
      const newest = known.at(-1)!;
      assert.ok(text.includes(`${known.length} migrations applied, the newest ${String(newest.version).padStart(3, '0')} ${newest.name}; this build knows ${newest.version}`), text);
    }
    assert.match(text, /Instances alive\W+1/);
    assert.match(text, /\(this one\)/);
    assert.match(text, /Outbox\W+nothing waiting/);
    assert.deepEqual(cardActions(reply.card).map((a) => a.title), ['Refresh']);
  });

  it('a notice to a channel the bot was removed from fails; ops shows it, refuses Send again until the bot is back, then sends it', async function () {
    this.timeout(30_000);
    ref = await fx.submitted(h.server.store, new Date());
    await h.ask(h.chats.personal, `publish ${ref}`, { match: /Published|published/ });
    await h.nextReply(h.chats.personal, { match: /posted to 2 of 2 provider channels/ });
    await membership('membersRemoved');
    await reachable(false);
    const to = addDays(ukDate(new Date()), 12); // three days past the fixtures' deadline
    await extendDeadline(h.server.store, { aadObjectId: h.user('user-alex').aadObjectId! }, ref, { date: to, time: '17:00', reason: 'More time for the person to meet providers.' }, new Date());
    h.server.runtime.changed();
    await h.server.runtime.outbox.idle(10_000);

    const ops = await h.ask(h.chats.personal, 'ops', { match: /Operations/ });
    const text = cardText(ops.card);
    assert.match(text, /Needs attention: 2 failed posts, 1 unreachable channel\./);
    assert.match(text, new RegExp(`Failed: calloff.extended for ${ref} to BrightPath Support`));
    assert.match(text, new RegExp(`Failed: calloff.card for ${ref} to BrightPath Support`), 'the update of its card');
    assert.match(text, /Unreachable: BrightPath Support's channel\nthe bot was removed from this shared channel/);
    assert.deepEqual(cardProblems(ops.card), []);
    const sendAgain = (card: unknown, kind: string) => {
      const a = cardActions(card).find((x) => x.verb === 'ops.resend' && (kind === 'calloff.extended' ? /^extended:/ : /:refresh:/).test(String(x.data?.id)));
      assert.ok(a, `Send again for the ${kind}: ${JSON.stringify(cardActions(card))}`);
      return a.data!;
    };

    const refused = await h.invoke({ message: ops, verb: 'ops.resend', data: sendAgain(ops.card, 'calloff.extended') });
    assert.match(cardText(refused.card), /Not sent again: BrightPath Support's channel is still unreachable \(the bot was removed from this shared channel: .*\); then send again\./);

    await membership('membersAdded');
    await reachable(true);
    const since = h.messages.length;
    let card: InvokeResult = refused;
    for (const kind of ['calloff.extended', 'calloff.card']) {
      card = await h.invoke({ message: ops, verb: 'ops.resend', data: sendAgain(card.card, kind) });
      assert.match(cardText(card.card), new RegExp(`Queued again: ${kind} for ${ref}\\.`));
    }
    const notice = await h.waitFor((m) => m.kind === 'create' && m.conversationId.startsWith('channel-brightpath') && /extended/i.test(messageText(m)), { since, what: "the extension notice in BrightPath's channel" });
    assert.ok(!/Margaret|Ellis|LAS-400123/.test(JSON.stringify(notice.card ?? notice.text)), 'the notice names nothing of the person');
    await h.waitFor((m) => m.kind === 'update' && m.conversationId.startsWith('channel-brightpath'), { since, what: "the card updated in BrightPath's channel" });
    await h.server.runtime.outbox.idle(10_000);
    const after = await h.click(card, 'Refresh');
    assert.match(cardText(after.card), /All well: the store answers and nothing needs attention\./);
  });

  it('Sam, a social worker, is told ops is not open to their role', async () => {
    const sam = await h.openPersonalChat('user-sam');
    await h.nextReply(sam);
    const reply = await h.ask(sam, 'ops', { as: 'user-sam' });
    assert.match(reply.text, /`ops` is not open to your role/);
    assert.ok(!reply.card);
  });

  it('logged no errors', () => {
    assert.deepEqual(h.botErrors(), []);
  });
});
