import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RefusalAudit } from '../../src/app/refusals.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import { bidId } from '../../src/domain/calloff.js';
import type { PackageRequest } from '../../src/domain/request.js';
import * as fx from './fixtures.js';
import { PEOPLE, startTurns, type Turns } from './turns.js';

type Note = { action: string; actor: string; note?: unknown; notes?: unknown };
const details = (e: unknown) => JSON.stringify(e);

describe('every refusal is audited', () => {
  describe('the cap against floods', () => {
    it('writes at most perActor lines per person and total in all per window, then one line with the count', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'refusals-'));
      const store = await openBrokerageLowdb(dir);
      try {
        let clock = 0;
        const audit = new RefusalAudit(store, undefined, { perActor: 3, total: 5, windowMs: 1000 }, () => clock);
        for (let i = 0; i < 10; i++) await audit.record({ aadObjectId: 'flooder' }, 'action x', 'no role');
        for (let i = 0; i < 4; i++) await audit.record({ aadObjectId: `other-${i}` }, 'action x', 'no role');
        const lines = async (action: string) => ((await store.audit()).filter((e) => e.action === action)) as unknown as Note[];
        assert.equal((await lines('refused')).length, 5, '3 from the flooder, 2 others, then the total cap');
        clock = 1000;
        await audit.record({ aadObjectId: 'flooder' }, 'action x', 'no role');
        const flood = await lines('refused.flood');
        assert.deepEqual(flood.map((f) => f.actor).sort(), ['flooder', 'other-2', 'other-3']);
        assert.match(details(flood.find((f) => f.actor === 'flooder')), /"count":7/);
        assert.equal((await lines('refused')).length, 6, 'a new window audits again');
        for (let i = 0; i < 5; i++) await audit.record({ aadObjectId: 'flooder' }, 'action x', 'no role');
        await audit.flush(); // at shutdown, a flood still inside its window is written too
        assert.match(details((await lines('refused.flood')).filter((f) => f.actor === 'flooder').at(-1)), /"count":3/);
      } finally {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('through the bot', () => {
    let t: Turns;
    let now: Date;
    const at = (iso: string) => (now = new Date(iso));
    const SOPHIE = { aadObjectId: 'a1e0f3b2-0008-4000-8000-000000000008', name: 'Sophie Grant' };
    beforeEach(async () => {
      at('2026-11-22T10:00:00Z');
      t = await startTurns({ now: () => now });
      t.deps.refusals = new RefusalAudit(t.store, undefined, { perActor: 1000, total: 1000, windowMs: 60_000 });
      await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
    });
    afterEach(() => t.close());
    const refused = async (actor: string) => ((await t.store.audit()).filter((e) => e.action === 'refused' && e.actor === actor)).map(details);

    it('a person with no role, for every verb they try', async () => {
      const verbs = [...t.bot.actions.values()].filter((a) => !a.open).map((a) => a.verb);
      assert.ok(verbs.length > 20);
      for (const verb of verbs) await t.click('jo', verb, { ref: 'PKG-2026-0001' });
      await t.say('jo', 'publish PKG-2026-0001');
      const lines = await refused(PEOPLE.jo.aadObjectId);
      assert.equal(lines.length, verbs.length + 1);
      for (const verb of verbs) assert.ok(lines.some((l) => l.includes(`"action ${verb}"`)), verb);
      assert.ok(lines.every((l) => l.includes('no role')));
    });

    it('a social worker scoring another worker’s evaluation, and a provider accepting an award it did not win', async () => {
      await t.store.transact({ actor: 'test', action: 'test.users' }, async (tx) => tx.put('users', { id: SOPHIE.aadObjectId, name: SOPHIE.name, roles: ['social_worker'] }));
      const ref = await fx.submitted(t.store, now);
      await t.say('alex', `publish ${ref}`);
      await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
      at('2026-12-01T17:00:01Z');
      await t.runtime.scheduler.runDue();
      await t.drained();
      const label = ((await t.store.get('requests', ref)) as PackageRequest).evaluation!.bids.find((b) => b.bidId === bidId(ref, 'caring-hands'))!.label;
      const sophie = { ...PEOPLE.jo, ...SOPHIE };
      await t.send('jo', { type: 'invoke', name: 'adaptiveCard/action', from: { ...sophie, id: 'user-sophie' }, replyToId: 'c', value: { action: { type: 'Action.Execute', verb: 'evaluation.lock', data: { ref, bid: label, s_q1: '5', s_q2: '5', meetsNeeds: 'yes' } }, trigger: 'manual' } });
      assert.match((await refused(SOPHIE.aadObjectId)).join(), /action evaluation\.lock.*Sam Patel's request/);
      await t.click('tom', 'award.accept', { ref });
      assert.match((await refused(PEOPLE.tom.aadObjectId)).join(), /action award\.accept.*not been awarded to your organisation/);
    });
  });

  /**
   * A bot as it starts (no refusal log handed to it by a test): the first refusal it meets is one
   * decided inside an action, by the use case, with nothing audited before it.
   */
  describe('from the first turn after a start', () => {
    let t: Turns;
    let now: Date;
    const SOPHIE = { id: 'user-sophie', aadObjectId: 'a1e0f3b2-0008-4000-8000-000000000008', name: 'Sophie Grant' };
    const lines = async () => (await t.store.audit({ action: 'refused' })).map((e): Record<string, unknown> => ({ actor: e.actor, ...(e.after as Record<string, unknown>) }));
    const asSophie = (verb: string, data: Record<string, unknown>) =>
      t.send('jo', { type: 'invoke', name: 'adaptiveCard/action', from: SOPHIE, replyToId: 'card', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });

    beforeEach(async () => {
      now = new Date('2026-11-22T10:00:00Z');
      t = await startTurns({ now: () => now });
      await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
      await t.store.transact({ actor: 'test', action: 'test.users' }, async (tx) => tx.put('users', { id: SOPHIE.aadObjectId, name: SOPHIE.name, roles: ['social_worker'] }));
    });
    afterEach(() => t.close());

    /** Sam's request, with both bids scored and the ranking revealed to Sam. */
    async function revealed(): Promise<string> {
      const ref = await fx.submitted(t.store, now);
      await t.say('alex', `publish ${ref}`);
      await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
      now = new Date('2026-12-01T17:00:01Z');
      await t.runtime.scheduler.runDue();
      await t.drained();
      return ref;
    }

    it("audits another social worker scoring Sam's evaluation", async () => {
      const ref = await revealed();
      const label = ((await t.store.get('requests', ref)) as PackageRequest).evaluation!.bids[0].label;
      await asSophie('evaluation.lock', { ref, bid: label, s_q1: '5', s_q2: '5', meetsNeeds: 'yes' });
      assert.deepEqual(await lines(), [{ actor: SOPHIE.aadObjectId, what: 'action evaluation.lock', reason: `${ref} is Sam Patel's request; only they or a broker can evaluate it and record the person's choice.` }]);
    });

    it("audits another social worker asking for Sam's choice pack", async () => {
      const ref = await revealed();
      await asSophie('choice.pack', { ref });
      assert.deepEqual(await lines(), [{ actor: SOPHIE.aadObjectId, what: 'action choice.pack', reason: `${ref} is Sam Patel's request; only they or a broker can evaluate it and record the person's choice.` }]);
    });

    it('audits a provider bidding on a call-off not offered to it', async () => {
      const ref = await fx.submitted(t.store, now, { lots: 'deaf-services' }); // Signing Hands only
      await t.say('alex', `publish ${ref}`);
      const answer = await t.click('tom', 'bid.submit', { ref, ...fx.goodBid() });
      assert.match(JSON.stringify(answer.value), /was not offered to your organisation/);
      assert.deepEqual(await lines(), [{ actor: PEOPLE.tom.aadObjectId, what: 'action bid.submit', reason: `${ref} was not offered to your organisation.` }]);
    });

    it('audits the market’s refusals (issue 25): capacity in a provider’s channel, the market report, the cost model, the market rules, a window from a gap', async () => {
      const inChannel = { conversationType: 'channel', id: 'channel-caring-hands' } as const;
      const NOV = { from: '2026-11-01', to: '2026-11-30' };
      // Decided inside the use case first, with nothing audited before it: a suspended provider saying its capacity.
      await t.store.transact({ actor: 'test', action: 'test.suspend' }, async (tx) => tx.put('providers', { ...(await tx.get('providers', 'caring-hands'))!, status: 'suspended', statusReason: 'test' }));
      assert.match(JSON.stringify((await t.click('priya', 'capacity.save', { 'can_bury-east': 'yes' })).value), /Caring Hands Ltd is suspended on the framework/);
      const [priya] = await t.say('priya', 'capacity', inChannel);
      assert.match(priya.text!, /Caring Hands Ltd is suspended on the framework/);
      // Then the roles the market's commands and buttons need.
      assert.match((await t.say('alex', 'capacity', inChannel))[0].text!, /not open to your role/);
      assert.match((await t.say('tom', 'market report this month'))[0].text!, /^`market report` is not open to your role\./);
      assert.match((await t.say('tom', 'cost of care'))[0].text!, /^`cost of care` is not open to your role\./);
      assert.match(String((await t.click('sam', 'market.cost.save', { lot: 'default', payPerHour: '13' })).value), /role doesn't allow/);
      assert.match(String((await t.click('sam', 'market.rules.save', { smallNumber: '3' })).value), /role doesn't allow/);
      assert.match(String((await t.click('morgan', 'market.gap.open', { lot: 'autism', zone: 'radcliffe', ...NOV })).value), /role doesn't allow/);
      const suspended = 'Caring Hands Ltd is suspended on the framework, so it is not offered new packages.';
      assert.deepEqual(
        (await lines()).map(({ actor, what, reason }) => ({ actor, what, reason })),
        [
          { actor: PEOPLE.priya.aadObjectId, what: 'action capacity.save', reason: suspended },
          { actor: PEOPLE.priya.aadObjectId, what: 'command capacity', reason: suspended },
          { actor: PEOPLE.alex.aadObjectId, what: 'command capacity', reason: 'role' },
          { actor: PEOPLE.tom.aadObjectId, what: 'command market', reason: 'role' },
          { actor: PEOPLE.tom.aadObjectId, what: 'command cost', reason: 'role' },
          { actor: PEOPLE.sam.aadObjectId, what: 'action market.cost.save', reason: 'role' },
          { actor: PEOPLE.sam.aadObjectId, what: 'action market.rules.save', reason: 'role' },
          { actor: PEOPLE.morgan.aadObjectId, what: 'action market.gap.open', reason: 'role' },
        ],
      );
      assert.equal(await t.store.get('capacity', 'caring-hands'), undefined, 'nothing saved');
    });
  });
});
