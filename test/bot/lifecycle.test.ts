import assert from 'node:assert/strict';
import { frameworkSummary } from '../../src/app/framework/summary.js';
import { cardOf, cardText, startTurns, Turns } from './turns.js';

const team = { id: '19:general@thread.tacv2', name: 'General', conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' };
const teamData = (channelId = team.id) => ({ team: { id: team.id }, channel: { id: channelId, name: 'BrightPath (shared)' }, tenant: { id: 'tenant-1' } });
const shared = { ...team, id: '19:brightpath@thread.tacv2' };

describe('installs, channel registration and removal', () => {
  let t: Turns;
  beforeEach(async () => (t = await startTurns()));
  afterEach(() => t.close());

  it('welcomes a known person with their help card once, however many install events Teams sends', async () => {
    const install = { type: 'installationUpdate', action: 'add' } as const;
    const first = await t.send('sam', install);
    const again = await t.send('sam', { type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'Brokerage Bot' }] });
    assert.match(cardText(cardOf(first[0])), /What you can do, Sam Patel/);
    assert.equal(again.length, 0);
    const chat = await t.store.get('installations', 'personal-sam');
    assert.equal(chat?.userId, 'a1e0f3b2-0002-4000-8000-000000000002', 'the bot can write to Sam later');
  });

  it('registers a provider channel in the channel, and marks it unreachable when the bot is removed from the team', async () => {
    const hello = await t.send('alex', { type: 'installationUpdate', action: 'add', conversation: team, channelData: teamData() });
    assert.match(hello[0].text!, /register provider ‹provider id›/);

    const [chatReply] = await t.say('alex', 'register provider brightpath');
    assert.match(chatReply.text!, /only in a channel conversation/);
    const [byTom] = await t.say('tom', 'register provider brightpath', { ...shared, channelData: teamData(shared.id) });
    assert.match(byTom.text!, /not open to your role/);
    const [ok] = await t.say('alex', 'register provider brightpath', { ...shared, id: `${shared.id};messageid=123`, channelData: teamData(shared.id) });
    assert.match(ok.text!, /now BrightPath Support's channel/);
    const provider = await t.store.get('providers', 'brightpath');
    assert.equal(provider?.channel?.conversationId, shared.id, 'the channel, not the thread the command was typed in');
    const [taken] = await t.say('alex', 'register provider caring-hands', { ...shared, channelData: teamData(shared.id) });
    assert.match(taken.text!, /already BrightPath Support's channel/);

    await t.send('alex', { type: 'conversationUpdate', conversation: team, channelData: { ...teamData(), eventType: 'teamMemberRemoved' }, membersRemoved: [{ id: '28:bot', name: 'Brokerage Bot' }] });
    const summary = await frameworkSummary(t.store);
    assert.deepEqual(
      summary.unreachable.find((u) => u.provider.id === 'brightpath')?.why,
      'the bot was removed from the team',
    );
  });

  it('answers a person with no role politely, with their object id', async () => {
    const [reply] = await t.say('jo', 'new request');
    assert.match(reply.text!, /don't have a role in Brokerage Bot yet/);
    assert.match(reply.text!, /a1e0f3b2-0006-4000-8000-000000000006/);
  });
});
