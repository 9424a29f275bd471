/**
 * Who is asking, checked at every door, end to end: the real bot (its council tenant set to the
 * playground's) behind the Agents Playground. A click or a type-ahead search arriving from another
 * tenant is sent the way Teams would send it, through the playground's custom-activity endpoint.
 * One bot for the file, started fresh: the first test relies on nothing having been refused before it.
 */
import assert from 'node:assert/strict';
import { cardText, messageText, startHarness, threadOf, withDemoChannels, type Harness } from './harness.js';
import * as fx from '../bot/fixtures.js';

const OTHER_TENANT = '0c4a1b2d-3e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('e2e: tenants, searches, repeated clicks and refusals at the boundary (bot + Agents Playground)', function () {
  let h: Harness;
  const clock = new Date();
  const refused = async () => (await h.server.store.audit({ action: 'refused' })).map((e): Record<string, unknown> => ({ actor: e.actor, ...(e.after as Record<string, unknown>) }));

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml', now: () => clock, env: { COUNCIL_TENANT_IDS: '6f1c2a3b-0000-4000-8000-00000000c0c1' } });
    await withDemoChannels(h);
  });
  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  it('audits the first refusal after a start, though a use case decided it: BrightPath bidding on a call-off not offered to it', async function () {
    this.timeout(20_000);
    // Two call-offs: one offered to BrightPath (its card is in BrightPath's channel), one to Caring Hands only.
    const offered = await fx.submitted(h.server.store, clock);
    const other = await fx.submitted(h.server.store, clock, { lots: 'behaviours-that-challenge' });
    for (const ref of [offered, other]) await h.ask(h.chats.personal, `publish ${ref}`, { match: /Published/ });
    const card = await h.waitFor((m) => m.kind === 'create' && m.conversationId.startsWith('channel-brightpath') && messageText(m).includes(`Call-off ${offered}`), { what: 'the call-off card in BrightPath’s channel' });
    // Tom submits a bid from that card with the other call-off's reference in its data.
    const answer = await h.invoke({ message: threadOf(card), as: 'user-tom', verb: 'bid.submit', data: { ref: other, ...fx.goodBid({}, clock) } });
    assert.match(answer.text ?? cardText(answer.card), new RegExp(`${other} was not offered to your organisation`));
    assert.deepEqual(await refused(), [{ actor: h.user('user-tom').aadObjectId, what: 'action bid.submit', reason: `${other} was not offered to your organisation.`, tenantId: h.config.tenantId }]);
  });

  it("gives the provider picker's search results to the commissioner in the council's tenant only; refusals are audited, an unknown list is a 400", async () => {
    const search = (opts: { tenantId?: string; dataset?: string; as?: string } = {}) =>
      h.rawInvoke(h.chats.personal, opts.as ?? 'user-alex', { name: 'application/search', value: { queryText: 'hands', dataset: opts.dataset ?? 'providers', queryOptions: { skip: 0, top: 15 } } }, opts);
    const results = (a: { body: unknown }) => (a.body as { value: { results: { value: string }[] } }).value.results.map((r) => r.value);
    const before = (await refused()).length;

    const home = await search();
    assert.equal(home.status, 200);
    assert.deepEqual(results(home), ['caring-hands', 'signing-hands']);
    const elsewhere = await search({ tenantId: OTHER_TENANT });
    assert.equal(elsewhere.status, 200);
    assert.deepEqual(results(elsewhere), [], 'the same object id from another tenant gets no providers');
    assert.deepEqual((await refused()).slice(before), [{ actor: h.currentUser.aadObjectId, what: 'search providers', reason: 'not recognised from this tenant', tenantId: OTHER_TENANT }]);

    const unknown = await search({ dataset: 'people' });
    assert.equal(unknown.status, 400, 'a 400, not 501');
    assert.deepEqual((unknown.body as { value: unknown }).value, { code: 'BadRequest', message: 'This card searches a list the bot does not have ("people"). Open the form again from the bot to get the current one.' });
  });

  it("refuses, and audits, the commissioner's identical Save clicked again within 15 s from another tenant, instead of replaying the first answer", async () => {
    const home = await h.ask(h.chats.personal, 'admin');
    const lots = await h.invoke({ message: home, verb: 'admin.list', data: { kind: 'lots' } });
    const form = await h.click(lots, 'Add a lot');
    const saved = await h.click(form, 'Save', { inputs: { id: 'positive-behaviour', name: 'Positive behaviour support' } });
    assert.match(cardText(saved.card), /Saved lot "positive-behaviour"/);
    const before = (await refused()).length;

    const click = { action: { type: 'Action.Execute', verb: 'admin.save', data: h.invokes.at(-1)!.data }, trigger: 'manual' };
    const again = await h.rawInvoke(h.chats.personal, 'user-alex', { name: 'adaptiveCard/action', replyToId: saved.messageId, value: click }, { tenantId: OTHER_TENANT });
    assert.equal(again.status, 200);
    assert.equal((again.body as { value: unknown }).value, "You don't have a role in Brokerage Bot, so this card's actions are not open to you.");
    assert.deepEqual((await refused()).slice(before), [{ actor: h.currentUser.aadObjectId, what: 'action admin.save', reason: 'not recognised from this tenant', tenantId: OTHER_TENANT }]);
  });

  it('answers a button sent as Action.Submit like the same Action.Execute, and one naming no action with a 400', async () => {
    const home = await h.ask(h.chats.personal, 'admin');
    const lots = await h.invoke({ message: home, verb: 'admin.list', data: { kind: 'lots' }, submit: true });
    assert.equal(lots.httpStatus, 200);
    assert.match(cardText(lots.card), /Lots \(specialisms\)/);

    const noVerb = await h.rawInvoke(h.chats.personal, 'user-alex', { name: 'adaptiveCard/action', replyToId: home.messageId, value: { action: { type: 'Action.Submit', data: { kind: 'lots' } }, trigger: 'manual' } });
    assert.equal(noVerb.status, 400);
    assert.match(JSON.stringify(noVerb.body), /This button names no action for the bot/);
    assert.deepEqual(h.botErrors(), []);
  });
});
