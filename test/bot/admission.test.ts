import { scan } from '../helpers/scan.js';
import assert from 'node:assert/strict';
import { eligibleProviders } from '../../src/domain/eligibility.js';
import { cardOf, cardText, PEOPLE, startTurns, Turns } from './turns.js';
import { GOOD_APPLICATION } from './fixtures.js';

const NOW = new Date('2026-11-22T10:00:00Z');


const MARKS = { 'm_dd-registration': 'pass', 'm_dd-insurance': 'pass', 'm_q-outcomes': '4', 'm_q-workforce': '3', 'm_q-safeguarding': '5' };

describe('framework admission in Teams', () => {
  let t: Turns;
  /** The admission notices the bot posted, with the conversation each went to. */
  const notices = async () => {
    await t.drained();
    return t.posted.filter((p) => p.item.message.kind === 'notice.text').map((p) => ({ to: p.to, text: p.activity.text ?? '' }));
  };
  beforeEach(async () => {
    t = await startTurns({ now: () => NOW });
  });
  afterEach(async () => {
    await t.close();
  });

  it('takes someone with no role from `apply` to admission, after which their provider is eligible for call-offs', async () => {
    const [none] = await t.say('jo', 'help');
    assert.match(String(none.text), /`apply`/, 'people with no role are told they can apply');

    const [first] = await t.say('jo', 'apply');
    const form = cardText(cardOf(first));
    assert.match(form, /APP-2026-0001 · application to join the framework/);
    assert.match(form, /Is your service registered with the CQC/);

    const bad = await t.click('jo', 'admission.submit', { ref: 'APP-2026-0001', ...GOOD_APPLICATION, cqcNumber: '12345', lots: 'autism,knitting', 'a_q-outcomes': '', d_terms: 'false' });
    const badText = cardText(bad.value);
    assert.match(badText, /a CQC number looks like 1-123456789/);
    assert.match(badText, /the framework has no lot knitting/);
    assert.match(badText, /answer this question/);
    assert.match(badText, /tick to confirm this declaration/);
    assert.match(badText, /Riverside Support CIC/, 'typed values are kept');
    assert.equal((await t.store.get('applications', 'APP-2026-0001'))!.inputs.cqcNumber, '12345', 'the draft keeps what was typed');

    const ok = await t.click('jo', 'admission.submit', { ref: 'APP-2026-0001', ...GOOD_APPLICATION });
    assert.match(cardText(ok.value), /Submitted APP-2026-0001\. No evaluation window is open/);
    const provider = await t.store.get('providers', 'riverside-support');
    assert.equal(provider?.status, 'applied');
    const jo = await t.store.get('users', PEOPLE.jo.aadObjectId);
    assert.deepEqual([jo?.roles, jo?.providerId], [['provider'], 'riverside-support']);

    // Not in a window yet: the commissioner cannot evaluate it.
    const early = await t.click('alex', 'admission.admit', { ref: 'APP-2026-0001', ...MARKS, admitLots: 'autism', admitZones: 'radcliffe' });
    assert.match(cardText(early.value), /waiting for the next evaluation window/);

    const opened = await t.click('alex', 'admission.window.open', { evaluators: '' });
    assert.match(cardText(opened.value), /Opened evaluation window W-2026-01\. 1 waiting application joined it/);

    // Only the commissioner (or a named evaluator) evaluates.
    const refused = await t.click('sam', 'admission.admit', { ref: 'APP-2026-0001', ...MARKS, admitLots: 'autism', admitZones: 'radcliffe' });
    assert.match(String(refused.value), /Only the commissioner, or an evaluator the commissioner named/);

    // "Not marked" and "Not ranked" travel as a placeholder value, never an empty one (the SDK rejects those).
    const incomplete = await t.click('alex', 'admission.admit', { ref: 'APP-2026-0001', ...MARKS, 'm_q-workforce': 'none', 'm_q-safeguarding': '2', admitLots: 'autism', admitZones: 'radcliffe', t_autism__radcliffe: 'none' });
    const incText = cardText(incomplete.value);
    assert.match(incText, /mark this question before admitting/);
    const choices = JSON.stringify(incomplete.value).match(/"choices":\[[^\]]*\]/g) ?? [];
    assert.ok(choices.length >= 5);
    for (const c of choices) assert.doesNotMatch(c, /"value":""/, c);
    assert.match(JSON.stringify(incomplete.value), /"id":"m_q-workforce","label":"[^"]*","value":"none"/, 'shown as "Not marked"');
    assert.match(incText, /2\/5 \(pass mark 3\) – below the pass mark: an application that fails a question cannot be admitted/);

    const admitted = await t.click('alex', 'admission.admit', { ref: 'APP-2026-0001', ...MARKS, admitLots: 'autism', admitZones: 'radcliffe,prestwich', 't_autism__radcliffe': 'lead' });
    assert.match(cardText(admitted.value), /APP-2026-0001 admitted: Riverside Support CIC now receives call-offs/);
    const after = (await t.store.get('providers', 'riverside-support'))!;
    assert.equal(after.status, 'admitted');
    assert.deepEqual(after.lots, ['autism']);
    assert.deepEqual(after.zones, ['prestwich', 'radcliffe']);
    assert.deepEqual(after.tiers, [{ lot: 'autism', zone: 'radcliffe', tier: 'lead' }]);
    assert.ok(eligibleProviders(await scan(t.store, 'providers'), { lots: ['autism'], zone: 'prestwich' }).some((p) => p.id === 'riverside-support'));

    const told = await notices();
    assert.equal(told.length, 1);
    const { to, text } = told[0];
    assert.equal(to, 'conversation:personal-jo', 'told in the chat they applied from');
    assert.match(text, /admitted to the framework for Autism in Radcliffe, Prestwich/);
    assert.match(text, /4\/5 \(pass mark 3\)/);

    const [mine] = await t.say('jo', 'my application');
    assert.match(cardText(cardOf(mine)), /Admitted/);
    assert.match(cardText(cardOf(mine)), /History/);
  });

  it('refuses council staff who try to apply, and tells applicants when applications are paused', async () => {
    const [staff] = await t.say('sam', 'apply');
    assert.match(String(staff.text), /Council staff do not apply/);

    const [draft] = await t.say('jo', 'apply');
    assert.match(cardText(cardOf(draft)), /APP-2026-0001/);
    const paused = await t.click('alex', 'admission.pause', { reason: 'reviewing the lot structure' });
    assert.match(cardText(paused.value), /New applications are paused/);
    const told = await notices();
    assert.equal(told.length, 1);
    assert.match(told[0].text, /paused: reviewing the lot structure/);

    const submit = await t.click('jo', 'admission.submit', { ref: 'APP-2026-0001', ...GOOD_APPLICATION });
    assert.match(cardText(submit.value), /paused: reviewing the lot structure/);
    assert.equal((await t.store.get('applications', 'APP-2026-0001'))!.state, 'draft');
    assert.equal((await t.store.get('applications', 'APP-2026-0001'))!.inputs.orgName, 'Riverside Support CIC');

    const notCommissioner = await t.click('morgan', 'admission.resume', {});
    assert.match(String(notCommissioner.value), /Your role doesn't allow that action/);
  });

  it('suspends a provider with a reason and the open-bids choice, and tells it', async () => {
    await t.store.transact({ actor: 'test', action: 'channel' }, async (tx) => {
      const p = (await tx.get('providers', 'caring-hands'))!;
      tx.put('providers', { ...p, channel: { conversationId: '19:ch@thread.tacv2', serviceUrl: 'https://x/', reference: { conversation: { id: '19:ch@thread.tacv2' } }, registeredBy: 'test', registeredAt: NOW.toISOString() } });
    });
    const [card] = await t.say('alex', 'standing caring-hands');
    assert.match(cardText(cardOf(card)), /Caring Hands Ltd · admitted/);
    const noReason = await t.click('alex', 'admission.standing.suspend', { providerId: 'caring-hands', reason: '', openBids: 'withdraw' });
    assert.match(cardText(noReason.value), /say why the provider is suspended/);
    const done = await t.click('alex', 'admission.standing.suspend', { providerId: 'caring-hands', reason: 'CQC rated inadequate', openBids: 'withdraw' });
    assert.match(cardText(done.value), /Caring Hands Ltd is now suspended \(CQC rated inadequate\)\. Open bids: withdrawn/);
    const [suspended] = await notices();
    assert.match(suspended.text, /suspended from the framework\. Reason: CQC rated inadequate\. Your bids on open call-offs have been withdrawn/);
    const [note] = await t.store.audit({ action: 'providers.open-bids' });
    assert.equal((note.after as { choice: string }).choice, 'withdraw');
  });
});
