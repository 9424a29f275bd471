/**
 * Framework admission end to end: Jo (no role) applies in a 1:1 chat with the bot, Alex (the
 * commissioner) opens an evaluation window, marks and admits the application; Jo is told the
 * outcome in the chat they applied from, and the new provider is on the framework.
 */
import { listOf } from '../../src/store/reading.js';
import assert from 'node:assert/strict';
import { cardActions, cardInputs, cardText, messageText, startHarness, templateLeftovers, type Harness } from './harness.js';
import { saveStep, startRequest, submitRequest } from '../../src/app/requests/requests.js';
import { GOOD_APPLICATION } from '../bot/fixtures.js';

describe('e2e: framework admission (bot + Agents Playground)', function () {
  let h: Harness;
  let jo: string;

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml' });
    jo = await h.openPersonalChat('user-jo');
    await h.nextReply(jo); // the no-role welcome
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  it('Jo, with no role, applies; a malformed CQC number is refused next to the field and nothing typed is lost', async () => {
    const form = await h.ask(jo, 'apply', { as: 'user-jo' });
    assert.ok(form.card, form.text);
    assert.deepEqual(templateLeftovers(form.card), []);
    assert.match(cardText(form.card), /APP-\d{4}-0001 · application to join the framework/);

    const bad = await h.click(form, 'Submit application', { as: 'user-jo', inputs: { ...GOOD_APPLICATION, cqcNumber: 'CQC 12345' } });
    assert.ok(bad.card, bad.text);
    assert.match(cardText(bad.card), /a CQC number looks like 1-123456789/);

    assert.equal(cardInputs(bad.card).orgName.value, 'Riverside Support CIC');
    // Only the CQC number is retyped: everything else comes back from the card as it was kept.
    const ok = await h.click(bad, 'Submit application', { as: 'user-jo', inputs: { cqcNumber: GOOD_APPLICATION.cqcNumber } });
    assert.ok(ok.card, ok.text);
    assert.match(cardText(ok.card), /Submitted APP-\d{4}-0001\. No evaluation window is open/);
  });

  it('Alex opens a window, marks and admits it; Jo is told with the marks, and the provider is on the framework', async () => {
    const home = await h.ask(h.chats.personal, 'applications');
    assert.ok(home.card, home.text);
    const opened = await h.click(home, 'Open an evaluation window');
    assert.match(cardText(opened.card), /Opened evaluation window W-\d{4}-01\. 1 waiting application joined it/);
    const ref = cardText(opened.card).match(/APP-\d{4}-0001/)![0];
    assert.ok(ref);

    const evaluate = await h.click(opened, 'Evaluate');
    assert.match(cardText(evaluate.card), new RegExp(ref));
    assert.ok(evaluate.card, evaluate.text);
    assert.ok(cardActions(evaluate.card).some((a) => a.title === 'Admit'));
    const admitted = await h.click(evaluate, 'Admit', {
      inputs: { 'm_dd-registration': 'pass', 'm_dd-insurance': 'pass', 'm_q-outcomes': '4', 'm_q-workforce': '3', 'm_q-safeguarding': '5', admitLots: 'autism', admitZones: 'prestwich,radcliffe', t_autism__prestwich: 'lead' },
    });
    assert.ok(admitted.card, admitted.text);
    assert.match(cardText(admitted.card), /admitted: Riverside Support CIC now receives call-offs/);

    const told = await h.nextReply(jo, { match: /admitted to the framework/ });
    assert.equal(told.status, 201);
    assert.match(told.text, /Autism in Prestwich, Radcliffe\. Tiers: Autism in Prestwich: lead/);
    assert.match(told.text, /4\/5 \(pass mark 3\)/);

    const framework = await h.ask(h.chats.personal, 'framework');
    assert.match(cardText(framework.card), /Riverside Support CIC \(lead\)/);
  });

  it('once its channel is registered, the newly admitted provider receives its first call-off', async () => {
    const [riverside] = (await listOf(h.server.store, 'providers')).filter((p) => p.name === 'Riverside Support CIC');
    await h.install(h.chats.team);
    await h.nextReply(h.chats.team);
    const registered = await h.ask(h.chats.team, `register provider ${riverside.id}`);
    assert.match(registered.text, /now Riverside Support CIC's channel/);

    // Sam's request for autism in Prestwich, where only Riverside is admitted (raised through the use cases; the chat journey has its own e2e).
    const sam = { aadObjectId: h.user('user-sam').aadObjectId! };
    const now = new Date();
    const day = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
    const r = await startRequest(h.server.store, sam, now);
    await saveStep(h.server.store, sam, r.id, 'person', { name: 'Daniel Hart', caseRef: 'LAS-77001', dateOfBirth: '1990-02-03', address: '7 Bury Old Road, Prestwich', postcode: 'M25 0AA', zone: 'prestwich', gender: 'male', disabilityCategory: 'autism' }, now);
    await saveStep(h.server.store, sam, r.id, 'checklist', { c_communication: 'true' }, now);
    const pkg = await saveStep(h.server.store, sam, r.id, 'package', { lots: 'autism', needsSummary: 'Autistic young man who needs a predictable routine and support with travel.', outcomes: 'To travel to college on his own.', hoursPerWeek: '10', visitPattern: '2 hours each weekday', startDate: day(21), carerGender: 'no preference', budgetWeekly: '300', mode: 'competition', costWeight: '40', qualityWeight: '60', q1Text: 'How will you build a predictable routine with him?', q1Weight: '100', deadlineDate: day(7), deadlineTime: '12:00' }, now);
    assert.ok(pkg.ok, JSON.stringify(!pkg.ok && pkg.errors));
    await submitRequest(h.server.store, sam, r.id, now);

    const published = await h.ask(h.chats.personal, `publish ${r.id}`, { match: /Published/ });
    assert.match(published.text, /going to 1 provider channel \(Riverside Support CIC\)/);
    const card = await h.waitFor((m) => m.kind === 'create' && m.conversationId === h.chats.team && new RegExp(`Call-off ${r.id}`).test(messageText(m)), { what: 'the first call-off in Riverside’s channel' });
    assert.match(cardText(card.card), /Autism in Prestwich/);
    assert.doesNotMatch(JSON.stringify(card.card), /Daniel|Hart|LAS-77001|M25/);
  });
});
