import assert from 'node:assert/strict';
import { frameworkSummary } from '../../src/app/framework/summary.js';
import { cardOf, cardText, startTurns, Turns } from './turns.js';
import * as ev from './fixtures/teamsEvents.js';

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
      'BrightPath (shared): the bot was removed from the team: install the app in the team again, add it to this channel, then register the channel again',
    );
  });

  it('answers a person with no role politely, with their object id', async () => {
    const [reply] = await t.say('jo', 'new request');
    assert.match(reply.text!, /don't have a role in Brokerage Bot yet/);
    assert.match(reply.text!, /a1e0f3b2-0006-4000-8000-000000000006/);
  });
});

describe('shared channels: the bot is added to and removed from each one, not only the team', () => {
  let t: Turns;
  beforeEach(async () => (t = await startTurns()));
  afterEach(() => t.close());

  const channel = (id: string, name: string, type?: string) => ({ id, conversationType: 'channel', isGroup: true, tenantId: ev.TENANT, channelData: ev.messageChannelData(id, name, type) });
  const register = (provider: string, id: string, name: string, type?: string) => t.say('alex', `register provider ${provider}`, channel(id, name, type));
  const why = async (id: string) => (await frameworkSummary(t.store)).unreachable.find((u) => u.provider.id === id)?.why;

  it('removal from one shared channel cuts off that channel only; the team and the other channels keep working', async () => {
    await t.send('alex', ev.teamMemberAdded());
    await t.send('alex', ev.channelMemberAdded(ev.SHARED_ID));
    await t.send('alex', ev.channelMemberAdded(ev.OTHER_SHARED_ID, 'Caring Hands (shared)'));
    await register('brightpath', ev.SHARED_ID, 'BrightPath Support (shared)', 'shared');
    await register('caring-hands', ev.OTHER_SHARED_ID, 'Caring Hands (shared)', 'shared');
    assert.equal(await why('brightpath'), undefined);

    await t.send('alex', ev.channelMemberRemoved(ev.SHARED_ID));
    assert.match((await why('brightpath')) ?? '', /removed from this shared channel: add it to the channel again/);
    assert.equal(await why('caring-hands'), undefined, 'another shared channel of the same team is not touched');
    assert.equal((await t.store.get('installations', ev.TEAM_ID))?.removedAt, undefined, 'the team installation stands');
    assert.ok((await t.store.get('installations', ev.SHARED_ID))?.removedAt, 'the channel installation is marked removed');

    const [card] = await t.say('alex', 'framework');
    assert.match(cardText(cardOf(card)), /BrightPath Support.*removed from this shared channel/s, '`framework` says which channel and what to do');
  });

  it('adding the bot back to the shared channel makes its provider reachable again, without re-registering', async () => {
    await t.send('alex', ev.channelMemberAdded());
    await register('brightpath', ev.SHARED_ID, 'BrightPath Support (shared)', 'shared');
    await t.send('alex', ev.channelMemberRemoved());
    assert.ok(await why('brightpath'));
    const hello = await t.send('alex', ev.channelMemberAdded());
    assert.match(hello[0]?.text ?? '', /now in this shared channel/);
    assert.equal(await why('brightpath'), undefined);
  });

  it('removal from the team still cuts off every channel of the team', async () => {
    await t.send('alex', ev.teamMemberAdded());
    await register('brightpath', ev.SHARED_ID, 'BrightPath Support (shared)', 'shared');
    await register('caring-hands', ev.OTHER_SHARED_ID, 'Caring Hands (shared)', 'shared');
    await t.send('alex', ev.teamMemberRemoved());
    assert.match((await why('brightpath')) ?? '', /removed from the team/);
    assert.match((await why('caring-hands')) ?? '', /removed from the team/);
  });

  it('a person leaving a shared channel is not the bot leaving it', async () => {
    await register('brightpath', ev.SHARED_ID, 'BrightPath Support (shared)', 'shared');
    await t.send('alex', ev.userRemovedFromChannel());
    assert.equal(await why('brightpath'), undefined);
  });

  it('a private channel is greeted as private (no provider can join it), and leaving it cuts off only that channel', async () => {
    await t.send('alex', ev.teamMemberAdded());
    await register('brightpath', ev.SHARED_ID, 'BrightPath Support (shared)', 'shared');
    const [hello] = await t.send('alex', ev.privateChannelMemberAdded());
    assert.match(hello.text ?? '', /private channel/);
    assert.doesNotMatch(hello.text ?? '', /shared channel\. A commissioner makes it a provider's channel/);
    await t.send('alex', ev.privateChannelMemberRemoved());
    assert.equal(await why('brightpath'), undefined, 'the shared channel is not touched');
    assert.equal((await t.store.get('installations', ev.TEAM_ID))?.removedAt, undefined, 'the team installation stands');
  });

  it('the team greeting says the bot must be added to each shared channel', async () => {
    const [hello] = await t.send('alex', ev.teamMemberAdded());
    assert.match(hello.text ?? '', /does not put me in its shared channels: add me to each one/);
  });

  it('register provider in a standard channel registers with a warning, not silently; a shared channel gets none', async () => {
    const [general] = await register('caring-hands', ev.TEAM_ID, 'General');
    assert.match(general.text!, /this is a standard channel, which only people in your organisation can join/);
    const [standard] = await register('brightpath', '19:standard@thread.tacv2', 'Referrals', 'standard');
    assert.match(standard.text!, /standard channel/);
    assert.equal((await t.store.get('providers', 'brightpath'))?.channel?.kind, 'standard');
    assert.match((await why('brightpath')) ?? '', /Referrals: this is a standard channel/, '`framework` keeps saying so');

    const [shared] = await register('brightpath', ev.SHARED_ID, 'BrightPath Support (shared)', 'shared');
    assert.doesNotMatch(shared.text!, /standard|not a shared channel/);
    assert.equal(await why('brightpath'), undefined);
  });

  it('a channel whose kind Teams does not say is registered with a reminder to use a shared channel', async () => {
    const [reply] = await register('brightpath', 'channel-brightpath', 'BrightPath Support (shared)');
    assert.match(reply.text!, /If it is not a shared channel with BrightPath Support, their staff will not see them/);
  });
});
