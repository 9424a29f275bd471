import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { COUNCIL_TENANT } from './fixtures/sharedChannelActivities.js';
import { connectorWorld, type ConnectorWorld } from './connectorWorld.js';
import { cardText, PEOPLE } from './turns.js';

/**
 * An `adaptiveCard/action` invoke whose action is an Action.Submit (a card built by another
 * client, or an older copy), through the real TeamsAdapter: answered as the verb it names, with
 * the same checks as Action.Execute, or with a 400 saying why not; never 501.
 */
describe('an Action.Submit sent as an adaptiveCard/action invoke', function () {
  this.timeout(20_000);
  let w: ConnectorWorld;
  beforeEach(async () => {
    w = await connectorWorld();
    w.deps.config = { anonymous: false, councilTenants: [COUNCIL_TENANT] };
  });
  afterEach(() => w.close());

  const submit = (action: Record<string, unknown>, tenantId = COUNCIL_TENANT) =>
    w.send({
      type: 'invoke',
      name: 'adaptiveCard/action',
      from: { id: PEOPLE.alex.id, aadObjectId: PEOPLE.alex.aadObjectId, name: PEOPLE.alex.name },
      recipient: { id: '28:bot', name: 'Brokerage Bot' },
      conversation: { id: 'a:personal-alex', conversationType: 'personal', tenantId } as Activity['conversation'],
      channelData: { tenant: { id: tenantId } },
      replyToId: 'card-1',
      value: { action, trigger: 'manual' },
    }) as Promise<{ status: number; body: { statusCode: number; type: string; value: unknown } }>;

  it('runs the verb in its data (or on the action) as the equivalent Action.Execute', async () => {
    for (const action of [{ type: 'Action.Submit', data: { verb: 'admin.list', kind: 'lots' } }, { type: 'Action.Submit', verb: 'admin.list', data: { kind: 'lots' } }]) {
      const answer = await submit(action);
      assert.equal(answer.status, 200, JSON.stringify(action));
      assert.equal(answer.body.type, 'application/vnd.microsoft.card.adaptive');
      assert.match(cardText(answer.body.value), /Lots \(specialisms\)/);
    }
  });

  it('checks who is asking as for any click: the same object id from another tenant is refused and audited', async () => {
    const answer = await submit({ type: 'Action.Submit', data: { verb: 'admin.list', kind: 'lots' } }, '0c4a1b2d-3e5f-4a6b-8c7d-9e0f1a2b3c4d');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.value, "You don't have a role in Brokerage Bot, so this card's actions are not open to you.");
    assert.equal((await w.store.audit({ action: 'refused' })).length, 1);
  });

  it('answers 400 with the reason when there is no verb to run, or the action is of a kind a card cannot send here', async () => {
    const noVerb = await submit({ type: 'Action.Submit', data: { kind: 'lots' } });
    assert.equal(noVerb.status, 400);
    assert.deepEqual(noVerb.body, { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'This button names no action for the bot. Open the card again from the bot (type `help`) and use its buttons.' } });
    const other = await submit({ type: 'Action.OpenUrl', url: 'https://example.org' });
    assert.equal(other.status, 400);
    assert.deepEqual(other.body.value, { code: 'NotSupported', message: "The bot does not act on 'Action.OpenUrl' buttons." });
  });
});
