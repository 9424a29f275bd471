/**
 * The foundation, end to end: the real bot behind the Agents Playground (a local Teams), driven
 * through the playground's API. One bot + playground for the whole file; scenarios run in order
 * and build on each other's data where they say so.
 */
import assert from 'node:assert/strict';
import { cardActions, cardInputs, cardProblems, cardText, startHarness, type Harness } from './harness.js';

describe('e2e: foundation (bot + Agents Playground)', function () {
  let h: Harness;

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml' });
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  it('welcomes Alex with the help card when the bot is installed in the personal chat', async () => {
    await h.install(h.chats.personal);
    const welcome = await h.nextReply(h.chats.personal);
    assert.equal(welcome.status, 201);
    assert.ok(welcome.card, 'the welcome is an Adaptive Card');
    const text = cardText(welcome.card);
    assert.match(text, /What you can do, Alex Morgan/);
    assert.match(text, /You are a broker and commissioner/);
  });

  it('help lists the commissioner and broker commands, and nothing for providers or for channels only', async () => {
    const reply = await h.ask(h.chats.personal, 'help');
    assert.ok(reply.card);
    const text = cardText(reply.card);
    for (const usage of ['help', 'whoami', 'admin', 'framework', 'admit ‹provider id›', 'suspend ‹provider id› ‹reason›', 'reinstate ‹provider id› ‹reason›']) {
      assert.ok(text.includes(`**${usage}**`), `help should list "${usage}":\n${text}`);
    }
    // Provider-only commands (bids) and channel-only ones (register provider) are not offered here.
    assert.doesNotMatch(text, /\*\*(bid|withdraw|amend)\b/i);
    assert.doesNotMatch(text, /register provider/);
  });

  it('help for a provider user in their channel offers no council commands', async () => {
    const reply = await h.ask('channel-brightpath', 'help', { as: 'user-tom' });
    const text = cardText(reply.card);
    assert.match(text, /What you can do, Tom Okafor/);
    assert.match(text, /provider "brightpath"/);
    for (const usage of ['admin', 'framework', 'register provider', 'admit', 'suspend']) assert.ok(!text.includes(`**${usage}`), `Tom should not be offered "${usage}":\n${text}`);
  });

  it('whoami shows the name, roles and Entra object id', async () => {
    const reply = await h.ask(h.chats.personal, 'whoami');
    assert.equal(reply.text, `You are Alex Morgan (broker, commissioner). Entra object id: ${h.currentUser.aadObjectId}.`);
  });

  it("refuses Sam (social worker) clicking Save on Alex's add-a-lot form in the group chat, and nothing changes", async () => {
    const home = await h.ask(h.chats.group, 'admin');
    assert.match(cardText(home.card), /Framework administration · Demo Borough Council/);
    const lots = await h.invoke({ message: home, verb: 'admin.list', data: { kind: 'lots' } });
    const form = await h.click(lots, 'Add a lot');

    const refused = await h.click(form, 'Save', { as: 'user-sam', inputs: { id: 'sams-lot', name: 'Sam lot' } });
    assert.equal(refused.card, undefined, 'no card for Sam');
    assert.equal(refused.text, "Your role doesn't allow that action.");

    const after = await h.invoke({ message: home, verb: 'admin.list', data: { kind: 'lots' } });
    const text = cardText(after.card);
    assert.match(text, /Lots \(specialisms\)/);
    assert.match(text, /Learning disability/);
    assert.doesNotMatch(text, /sams-lot|Sam lot/);
  });

  it('keeps what Alex typed and shows the error next to the id when a new lot has a bad id; a corrected save lists it', async () => {
    const home = await h.ask(h.chats.personal, 'admin');
    const lots = await h.invoke({ message: home, verb: 'admin.list', data: { kind: 'lots' } });
    const form = await h.click(lots, 'Add a lot');
    assert.match(cardText(form.card), /Add a lot/);

    const bad = await h.click(form, 'Save', { inputs: { id: 'Positive Behaviour!', name: 'Positive behaviour support' } });
    assert.ok(bad.card, `expected the form back, got ${bad.text}`);
    const inputs = cardInputs(bad.card);
    assert.equal(inputs.id.value, 'Positive Behaviour!', 'the typed id is kept');
    assert.equal(inputs.name.value, 'Positive behaviour support', 'the typed name is kept');
    assert.equal(inputs.id.errors.length, 1, `one error next to the id field: ${JSON.stringify(inputs.id.errors)}`);
    assert.match(inputs.id.errors[0], /lower-case|letters|hyphen/i);
    assert.deepEqual(inputs.name.errors, [], 'no error next to the name');
    assert.match(cardText(bad.card), /correct/i, 'a form-level message says what to do');

    const saved = await h.click(bad, 'Save', { inputs: { id: 'positive-behaviour' } });
    assert.ok(saved.card, `expected the list card, got ${saved.text}`);
    const text = cardText(saved.card);
    assert.match(text, /Saved lot "positive-behaviour"/);
    assert.match(text, /Positive behaviour support\npositive-behaviour/);
    assert.ok(cardActions(saved.card).some((a) => a.verb === 'admin.edit' && a.data?.id === 'positive-behaviour'), 'the new lot has an Edit button');
  });

  it('registers BrightPath\'s channel from an @mention in it, and framework no longer lists BrightPath as unreachable', async () => {
    const before = cardText((await h.ask(h.chats.personal, 'framework')).card);
    assert.match(before, /Admitted providers the bot cannot post to/);
    assert.match(before, /BrightPath Support: no channel registered/);

    await h.install(h.chats.team);
    const hello = await h.nextReply(h.chats.team);
    assert.match(hello.text, /register provider ‹provider id›/);

    const reply = await h.ask('channel-brightpath', 'register provider brightpath');
    assert.ok(reply.conversationId.startsWith('channel-brightpath;messageid='), 'answered in the thread');
    // The playground does not say what kind of channel it is, so the bot reminds rather than warns.
    assert.equal(reply.text, "This channel is now BrightPath Support's channel: call-offs for BrightPath Support will be posted here. If it is not a shared channel with BrightPath Support, their staff will not see them.");

    const after = cardText((await h.ask(h.chats.personal, 'framework')).card);
    assert.doesNotMatch(after, /BrightPath Support: /);
    assert.match(after, /Caring Hands Ltd: no channel registered/, 'the others are still listed');
  });

  it('tells someone with no role, politely, in their own 1:1 chat', async () => {
    const chat = await h.openPersonalChat('user-jo');
    const welcome = await h.nextReply(chat);
    assert.equal(welcome.status, 201, 'delivered to Jo\'s chat');
    assert.match(welcome.text, /You don't have a role in Brokerage Bot yet/);
    assert.match(welcome.text, /a1e0f3b2-0006-4000-8000-000000000006/);

    const reply = await h.ask(chat, 'help', { as: 'user-jo' });
    assert.match(reply.text, /You don't have a role in Brokerage Bot yet/);
    assert.equal(reply.recipient?.id, 'user-jo');
  });

  it('keeps a bad minimum rate in the settings form, as a number, with the error next to it', async () => {
    const home = await h.ask(h.chats.personal, 'admin');
    const settings = await h.invoke({ message: home, verb: 'admin.settings' });
    assert.equal(cardInputs(settings.card).minHourlyRate.value, 21.5);
    const bad = await h.click(settings, 'Save', { inputs: { minHourlyRate: '-3' } });
    assert.ok(bad.card, bad.text);
    const rate = cardInputs(bad.card).minHourlyRate;
    assert.equal(rate.value, -3, 'Input.Number shows only a number: a string value would be blank');
    assert.match(rate.errors.join(' '), /more than 0/);
    assert.deepEqual(cardProblems(bad.card), []);
  });

  it('sent only sound cards (every message and every invoke answer) and logged no errors', () => {
    for (const m of h.messages) for (const card of m.cards) assert.deepEqual(cardProblems(card), [], `card problems in message #${m.seq} (${cardText(card).split('\n')[0]})`);
    for (const card of h.invokeCards) assert.deepEqual(cardProblems(card), [], `card problems in an invoke answer (${cardText(card).split('\n')[0]})`);
    assert.deepEqual(h.botErrors(), []);
  });
});
