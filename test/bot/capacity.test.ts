import assert from 'node:assert/strict';
import { cardOf, cardText, startTurns, type Turns } from './turns.js';
import * as fx from './fixtures.js';

/**
 * Provider capacity (issue 25): Caring Hands (Bury East, Radcliffe, Whitefield) says from its
 * channel what it can take; the call-off's status counts it; after the council's 8 weeks it is
 * stale, chased once, and shown as stale.
 */
describe('provider capacity from the provider’s channel (issue 25)', () => {
  let t: Turns;
  let clock: Date;
  const inChannel = { conversationType: 'channel', id: 'channel-caring-hands' } as const;
  const text = (r: { value: unknown }) => (typeof r.value === 'string' ? r.value : cardText(r.value));

  beforeEach(async () => {
    clock = new Date('2026-11-22T10:00:00Z');
    t = await startTurns({ now: () => clock });
    await fx.registerChannels(t.store, clock, 'caring-hands', 'brightpath');
  });
  afterEach(() => t.close());

  it('Priya sees her zones; a bad answer is named by zone and what she typed is kept; a good one is saved', async () => {
    const [reply] = await t.say('priya', 'capacity', inChannel);
    const shown = cardText(cardOf(reply));
    assert.match(shown, /What Caring Hands Ltd can take/);
    for (const zone of ['Bury East', 'Radcliffe', 'Whitefield']) assert.match(shown, new RegExp(`${zone}\\nNot said yet\\.`));

    const bad = await t.click('priya', 'capacity.save', { 'can_bury-east': 'yes', 'hours_bury-east': '40', can_radcliffe: 'no', hours_radcliffe: '10', hours_whitefield: 'lots' });
    const badText = text(bad);
    assert.match(badText, /leave the hours empty when you cannot take new packages here/);
    assert.match(badText, /hours a week must be a number/);
    assert.match(JSON.stringify(bad.value), /"value":"40"/, 'what was typed is kept');
    assert.equal(await t.store.get('capacity', 'caring-hands'), undefined, 'nothing saved');

    const ok = await t.click('priya', 'capacity.save', { 'can_bury-east': 'yes', 'hours_bury-east': '40', can_radcliffe: 'no', hours_radcliffe: '' });
    assert.match(text(ok), /Thank you: saved for Bury East, Radcliffe/);
    assert.match(text(ok), /Bury East\nyes, about 40 hours a week, said Sun, 22 Nov 2026\./);
    const record = await t.store.get('capacity', 'caring-hands');
    assert.deepEqual(record?.zones.map((z) => [z.zone, z.canTake, z.hoursPerWeek]), [['bury-east', true, 40], ['radcliffe', false, undefined]]);
  });

  it('only a provider’s own staff say it, from its channel: council staff and a suspended provider are refused', async () => {
    const [alex] = await t.say('alex', 'capacity');
    assert.match(alex.text!, /not open to your role/);
    assert.match(text(await t.click('alex', 'capacity.save', { 'can_bury-east': 'yes' })), /role doesn't allow/);
    const [inChat] = await t.say('priya', 'capacity');
    assert.match(inChat.text!, /works only in a channel/);
    await t.store.transact({ actor: 'test', action: 'test.suspend' }, async (tx) => tx.put('providers', { ...(await tx.get('providers', 'caring-hands'))!, status: 'suspended', statusReason: 'test' }));
    assert.match(text(await t.click('priya', 'capacity.save', { 'can_bury-east': 'yes' })), /Caring Hands Ltd is suspended on the framework/);
  });

  it('the call-off’s status counts the offered providers that said they have capacity; after 8 weeks it is stale, chased once, shown as stale', async () => {
    await t.click('priya', 'capacity.save', { 'can_bury-east': 'yes', 'hours_bury-east': '40' });
    clock = new Date('2026-12-06T10:00:00Z'); // two weeks later
    await t.click('tom', 'capacity.save', { 'can_bury-east': 'yes', 'hours_bury-east': '15' });
    const ref = await fx.submitted(t.store, clock);
    await t.say('alex', `publish ${ref}`);
    const status = async () => cardText(cardOf((await t.say('alex', `calloff ${ref}`))[0]));
    assert.match(await status(), /Said they have capacity\n2 of 2 offered \(about 55 hours a week\)/);

    // 8 weeks after Caring Hands said it (the council's default), its declaration is stale: it is asked once to say again.
    clock = new Date('2027-01-17T10:00:01Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    const chases = () => t.posted.filter((p) => p.item.message.kind === 'capacity.chase');
    assert.deepEqual(chases().map((p) => p.to), ['provider:caring-hands']);
    const chase = cardText(cardOf(chases()[0].activity));
    assert.match(chase, /It is over 8 weeks since you last said what you can take/);
    assert.match(chase, /Bury East\nStale: yes, about 40 hours a week, said Sun, 22 Nov 2026\./);
    assert.match(await status(), /Said they have capacity\n1 of 2 offered \(about 15 hours a week\); 1 more said so over 8 weeks ago \(stale\)/);

    // Once only: the scheduler running again the next day asks nothing more of Caring Hands.
    clock = new Date('2027-01-18T10:00:00Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    assert.equal(chases().length, 1);

    // Priya saves from the chase card: fresh again, and the next chase is 8 weeks from now.
    await t.click('priya', 'capacity.save', { 'can_bury-east': 'yes', 'hours_bury-east': '30' });
    assert.match(await status(), /Said they have capacity\n2 of 2 offered \(about 45 hours a week\)/);
    const job = (await t.store.get('jobs', 'capacity-stale:caring-hands'))!;
    assert.equal(job.at, '2027-03-15T10:00:00.000Z');
  });
});
