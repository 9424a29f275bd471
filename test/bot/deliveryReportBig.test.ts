import assert from 'node:assert/strict';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { CARD_BUDGET_BYTES } from '../../bot/render.js';
import { submitted } from './fixtures.js';
import { cardText, PEOPLE } from './turns.js';
import { connectorWorld, type ConnectorWorld } from './connectorWorld.js';

const alex = { aadObjectId: PEOPLE.alex.aadObjectId };

/**
 * A big framework's call-off offered to 200 providers, most of whose channels Teams refuses: the
 * broker's status card (the delivery report) must still come, within budget, and say how many
 * were not delivered, instead of "That answer is too long to show".
 */
describe('The delivery report for a call-off offered to 200 providers', function () {
  this.timeout(60_000);
  let w: ConnectorWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('fits the status card in the budget when most channels failed, and still names the failures it shows', async () => {
    w = await connectorWorld({ providers: 200, mock: { script: ({ conversationId }) => (conversationId.startsWith('19:chan-extra') ? { status: 403, code: 'BotNotInConversationRoster' } : undefined) } });
    // Real registered names run long.
    await w.store.transact({ actor: 'test', action: 'test.names' }, async (tx) => {
      for (const p of (await tx.list('providers')).filter((p) => p.id.startsWith('extra-'))) tx.put('providers', { ...p, name: `${p.name} Domiciliary and Supported Living Services for Adults with Complex Needs Ltd`.padEnd(100, '.').slice(0, 100) });
    });
    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(50_000);
    const card = await w.click('alex', 'calloff.status', { ref });
    assert.equal(typeof card, "object", `a card, not: ${String(card).slice(0, 300)}`);
    const bytes = Buffer.byteLength(JSON.stringify(card));
    assert.ok(bytes <= CARD_BUDGET_BYTES, `${bytes} bytes`);
    const text = cardText(card);
    assert.match(text, /3 of 200 channels/);
    assert.match(text, /not delivered \(channel unreachable: 403/);
    assert.match(text, /197 not delivered/);

    // The publish report too: named one by one up to a point, so it stays a message Teams takes.
    const reports = w.mock.posts.filter((p) => p.conversationId === `a:personal-${PEOPLE.alex.id}` && p.text.includes('posted to'));
    assert.equal(reports.length, 1);
    const report = JSON.parse(reports[0].text).text as string;
    assert.match(report, /posted to 3 of 200 provider channels\. Not delivered: .*; and 177 more \(the call-off's status card lists them\)\./);
    assert.ok(Buffer.byteLength(reports[0].text) < CARD_BUDGET_BYTES, `${Buffer.byteLength(reports[0].text)} bytes`);
  });
});
