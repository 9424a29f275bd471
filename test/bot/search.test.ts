import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { COUNCIL_TENANT, PROVIDER_TENANT } from './fixtures/sharedChannelActivities.js';
import { connectorWorld, type ConnectorWorld } from './connectorWorld.js';
import { PEOPLE, type Person } from './turns.js';

const OTHER_TENANT = '0c4a1b2d-3e5f-4a6b-8c7d-9e0f1a2b3c4d';

/**
 * Teams' type-ahead (`application/search`), through the real TeamsAdapter and teams-ai app: who
 * gets the provider list, what is audited, and what a dataset the bot has none of gets.
 */
describe('the provider type-ahead at the boundary', function () {
  this.timeout(20_000);
  let w: ConnectorWorld;

  beforeEach(async () => {
    w = await connectorWorld();
    w.deps.config = { anonymous: false, councilTenants: [COUNCIL_TENANT] };
    await w.store.transact({ actor: 'test', action: 'test.tenant' }, async (tx) => tx.put('users', { ...(await tx.get('users', PEOPLE.tom.aadObjectId))!, tenantId: PROVIDER_TENANT }));
  });
  afterEach(() => w.close());

  /** What Teams sends as someone types into the picker, from the tenant the activity carries. */
  const search = async (as: Person, tenantId: string, queryText = 'care', dataset: unknown = 'providers') => {
    const p = PEOPLE[as];
    const activity: Partial<Activity> = {
      type: 'invoke',
      name: 'application/search',
      from: { id: p.id, aadObjectId: p.aadObjectId, name: p.name },
      recipient: { id: '28:bot', name: 'Brokerage Bot' },
      conversation: { id: `a:personal-${p.id}`, conversationType: 'personal', tenantId } as Activity['conversation'],
      channelData: { tenant: { id: tenantId } },
      value: { queryText, dataset, queryOptions: { skip: 0, top: 15 } },
    };
    return (await w.send(activity))!;
  };
  const results = (answer: { body?: unknown }) => (answer.body as { value: { results: { title: string; value: string }[] } }).value.results;
  const refused = async () => (await w.store.audit({ action: 'refused' })).map((e): Record<string, unknown> => ({ actor: e.actor, ...(e.after as Record<string, unknown>) }));

  it("gives a commissioner the list in the council's tenant, and the same object id from another tenant nothing, audited", async () => {
    const home = await search('alex', COUNCIL_TENANT);
    assert.equal(home.status, 200);
    assert.deepEqual(results(home).map((r) => r.value), ['northern-lights', 'oak-tree', 'signing-hands']);

    const elsewhere = await search('alex', OTHER_TENANT);
    assert.equal(elsewhere.status, 200);
    assert.deepEqual(results(elsewhere), [], 'no provider list outside the council tenant');
    assert.deepEqual(await refused(), [{ actor: PEOPLE.alex.aadObjectId, what: 'search providers', reason: 'not recognised from this tenant', tenantId: OTHER_TENANT }]);
  });

  it('audits every refused search, 30 from 6 people, and counts a flood beyond the limit instead', async () => {
    const tries: [Person, string][] = [['alex', OTHER_TENANT], ['sam', COUNCIL_TENANT], ['morgan', COUNCIL_TENANT], ['priya', COUNCIL_TENANT], ['tom', PROVIDER_TENANT], ['jo', COUNCIL_TENANT]];
    for (const [as, tenant] of tries) for (const q of ['c', 'ca', 'car', 'care', 'caring']) assert.deepEqual(results(await search(as, tenant, q)), [], `${as} typing "${q}"`);
    const lines = await refused();
    assert.equal(lines.length, 30);
    assert.deepEqual([...new Set(lines.map((l) => l.actor))].sort(), tries.map(([as]) => PEOPLE[as].aadObjectId).sort());
    assert.deepEqual(lines.find((l) => l.actor === PEOPLE.sam.aadObjectId), { actor: PEOPLE.sam.aadObjectId, what: 'search providers', reason: 'role', roles: ['social_worker'], tenantId: COUNCIL_TENANT });
    assert.equal(lines.find((l) => l.actor === PEOPLE.jo.aadObjectId)?.reason, 'no role');

    // Typing fast sends a search a keystroke: past 20 a minute per person, refusals are counted, then written as one line.
    for (let i = 0; i < 20; i++) await search('jo', COUNCIL_TENANT, `x${i}`);
    assert.equal((await refused()).filter((l) => l.actor === PEOPLE.jo.aadObjectId).length, 20);
    await w.deps.refusals.flush();
    const flood = await w.store.audit({ action: 'refused.flood' });
    assert.deepEqual(flood.map((f) => [f.actor, (f.after as { count: number }).count]), [[PEOPLE.jo.aadObjectId, 5]]);
  });

  it('answers a dataset it has none of with a 400 that says so, never a 501', async () => {
    for (const dataset of ['lots', null, 42]) {
      const answer = await search('alex', COUNCIL_TENANT, 'care', dataset);
      assert.equal(answer.status, 400, `dataset ${String(dataset)}`);
      assert.deepEqual(answer.body, { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: `This card searches a list the bot does not have (${JSON.stringify(dataset ?? '')}). Open the form again from the bot to get the current one.` } });
    }
  });
});
