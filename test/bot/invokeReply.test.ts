import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import { Application } from '@microsoft/teams-ai';
import { PEOPLE, startTurns, type Turns } from './turns.js';

const withRefresh = { type: 'AdaptiveCard' as const, version: '1.5', body: [{ type: 'TextBlock', text: 'live view' }], refresh: { action: { type: 'Action.Execute', verb: 'calloff.view' }, userIds: [] } };
const ownPrice = { type: 'AdaptiveCard' as const, version: '1.5', body: [{ type: 'TextBlock', text: 'Your bid: £525.00 a week' }] };

const invoke = (verb: string): Partial<Activity> => ({
  type: ActivityTypes.Invoke,
  name: 'adaptiveCard/action',
  channelId: 'msteams',
  from: { id: PEOPLE.priya.id, aadObjectId: PEOPLE.priya.aadObjectId, name: PEOPLE.priya.name },
  recipient: { id: '28:bot', name: 'Brokerage Bot' },
  conversation: { id: 'channel-caring-hands', conversationType: 'channel', isGroup: true, name: '' },
  replyToId: 'shared-post',
  value: { action: { type: 'Action.Execute', verb, data: {} }, trigger: 'manual' },
});

describe('private replies stay private', () => {
  let updates: sinon.SinonSpy;
  beforeEach(() => (updates = sinon.spy(TestAdapter.prototype, 'updateActivity')));
  afterEach(() => updates.restore());

  it('teams-ai alone would write later replies into the shared post after one card with refresh (the hazard this guards against)', async () => {
    const app = new Application();
    app.adaptiveCards.actionExecute(/.*/, async (_ctx, _state, data: { verb?: string }) => (data.verb === 'price' ? ownPrice : withRefresh));
    const adapter = new TestAdapter(async (ctx) => void (await app.run(ctx)));
    const send = (verb: string, data: Record<string, unknown>) => adapter.processActivity({ ...invoke(verb), value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } }, async (ctx) => void (await app.run(ctx)));
    await send('view', {});
    await send('price', { verb: 'price' });
    assert.equal(updates.callCount, 2, 'the price reply replaced the shared post for everyone');
  });

  it('the bot answers every invoke itself: after a reply with refresh, a bidder’s own price still goes to them alone', async () => {
    const t: Turns = await startTurns();
    try {
      t.bot.actions.set('test.refresh', { verb: 'test.refresh', run: async () => withRefresh });
      t.bot.actions.set('test.price', { verb: 'test.price', run: async () => ownPrice });
      const sends: Partial<Activity>[][] = [];
      const adapter = new TestAdapter(async () => undefined);
      for (const verb of ['test.refresh', 'test.price', 'test.refresh', 'test.price']) {
        const replies: Partial<Activity>[] = [];
        await adapter.processActivity(invoke(verb), async (ctx) => {
          ctx.onSendActivities(async (_c, acts, next) => (replies.push(...acts), next()));
          await t.bot.app.run(ctx);
        });
        sends.push(replies);
      }
      assert.equal(updates.callCount, 0, 'no reply was written into the shared post');
      for (const replies of sends) assert.deepEqual(replies.map((r) => r.type), ['invokeResponse'], 'one private invoke response, nothing posted');
      assert.deepEqual((sends[3][0].value as { body: { value: unknown } }).body.value, ownPrice);
    } finally {
      await t.close();
    }
  });
});
