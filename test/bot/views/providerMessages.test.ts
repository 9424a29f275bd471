import assert from 'node:assert/strict';
import { bidId } from '../../../src/domain/calloff.js';
import type { OpenCallOff } from '../../../src/app/calloffs/access.js';
import { loadProviderSide } from '../../../src/app/calloffs/providerView.js';
import { lookups } from '../../../bot/messages.js';
import { PROVIDER_KINDS, renderProviderMessage } from '../../../bot/views/providerMessages.js';
import * as fx from '../fixtures.js';
import { startTurns, type Turns } from '../turns.js';

/**
 * Canary values in every private field of the request: the person (name, case reference, date of
 * birth, address, postcode, gender, disability category), the hidden budget, and the council's own
 * reasons. None may appear in anything bound for a provider before it accepted the award.
 */
const CANARY_PERSON = { name: 'Quillon Vexmoor-Tarrant', caseRef: 'QVX-918273', dateOfBirth: '1933-03-07', address: '77 Zephyrine Walk, Bury', postcode: 'ZE2 9QQ', gender: 'prefer not to say', disabilityCategory: 'acquired brain injury' };
const CANARIES = ['Quillon', 'Vexmoor', 'Tarrant', 'QVX', '918273', '1933', 'Zephyrine', 'ZE2', 'prefer not to say', 'acquired brain injury', '777.77', '777', 'Sam Patel', 'Canarycouncilreason', 'Canarypersonwords'];

describe('one way out to providers: every provider-bound message from a canary-filled request', () => {
  let t: Turns;
  let now: Date;
  const at = (iso: string) => (now = new Date(iso));
  beforeEach(async () => {
    at('2026-11-22T10:00:00Z');
    t = await startTurns({ now: () => now });
    await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
  });
  afterEach(() => t.close());

  const leaked = (shown: string) => CANARIES.filter((c) => shown.includes(c));

  /** Renders every provider message kind for every offered provider, as the request stands now. */
  async function renderAll(ref: string): Promise<{ providerId: string; kind: string; shown: string }[]> {
    const r = (await t.store.get('requests', ref)) as OpenCallOff;
    const out: { providerId: string; kind: string; shown: string }[] = [];
    for (const o of r.calloff.offers) {
      const side = await loadProviderSide(t.store, r, o.providerId);
      for (const kind of PROVIDER_KINDS) {
        const message = { kind, ref, reminder: '24h', to: r.calloff.deadline, reason: 'more time for providers', questionId: 'Q1', n: 1 };
        out.push({ providerId: o.providerId, kind, shown: JSON.stringify(renderProviderMessage(message, side, await lookups(t.deps), now)) });
      }
    }
    return out;
  }

  it('finds no private value in any kind, at any stage, for any provider; the accepted provider alone gets the referral', async () => {
    const ref = await fx.submitted(t.store, now, { budgetWeekly: '777.77' }, CANARY_PERSON);
    const replies: string[] = [];
    const click = async (who: 'priya' | 'tom', verb: string, data: Record<string, unknown>) => replies.push(JSON.stringify((await t.click(who, verb, { ref, ...data })).value));
    const seen: { providerId: string; kind: string; shown: string }[] = [];

    await t.say('alex', `publish ${ref}`);
    await click('priya', 'calloff.ask', { question: 'Is there parking for staff?' });
    await t.click('alex', 'calloff.answer', { ref, questionId: 'Q1', questionAsShown: 'Is there parking?', answer: 'Yes, one permit space.' });
    await t.click('alex', 'calloff.extend', { ref, newDeadlineDate: '2026-12-02', newDeadlineTime: '17:00', extendReason: 'more time for providers' });
    await click('priya', 'bid.form', {});
    await click('priya', 'bid.submit', fx.goodBid({ weeklyPrice: 'lots' }));
    await click('priya', 'bid.submit', fx.goodBid());
    await click('tom', 'bid.submit', fx.goodBid({ weeklyPrice: '504', hourlyRate: '24' }));
    await click('tom', 'calloff.view', {});
    seen.push(...(await renderAll(ref)));

    at('2026-12-02T17:00:01Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    seen.push(...(await renderAll(ref)));
    const r = (await t.store.get('requests', ref)) as OpenCallOff;
    for (const b of r.evaluation!.bids) await t.click('sam', 'evaluation.lock', { ref, bid: b.label, s_q1: '4', s_q2: '4', meetsNeeds: 'yes' });
    await t.click('sam', 'award.choose', { ref, choice: bidId(ref, 'caring-hands'), choiceReason: 'Canarycouncilreason: the person met them', choiceReasonCategory: 'they know or prefer the provider or its staff', tookPart: 'person', personWords: 'Canarypersonwords: they seemed kind' });
    await t.click('morgan', 'award.approve', { ref, n: 1, justification: 'Canarycouncilreason' });
    await t.drained();
    seen.push(...(await renderAll(ref)));
    await click('priya', 'award.accept', {});
    await t.drained();
    const after = await renderAll(ref);

    const posts = t.posted.filter((p) => 'providerId' in p.item.target);
    const kindsPosted = new Set<string>(posts.map((p) => p.item.message.kind));
    for (const kind of ['calloff.card', 'calloff.answer', 'calloff.extended', 'award.offer', 'award.referral', 'award.outcome']) assert.ok(kindsPosted.has(kind), `posted ${kind}`);
    const referral = posts.filter((p) => p.item.message.kind === 'award.referral');
    assert.deepEqual(referral.map((p) => (p.item.target as { providerId: string }).providerId), ['caring-hands']);
    // The check can fail: the referral, after acceptance, carries the person's details.
    assert.deepEqual(leaked(JSON.stringify(referral[0].activity)).sort(), ['1933', 'QVX', 'Quillon', 'Sam Patel', 'Tarrant', 'Vexmoor', 'ZE2', 'Zephyrine', '918273'].sort());

    for (const p of posts.filter((x) => x.item.message.kind !== 'award.referral')) assert.deepEqual(leaked(JSON.stringify(p.activity)), [], `${p.item.message.kind} to ${p.to}`);
    for (const s of [...seen, ...after.filter((x) => !(x.kind === 'award.referral' && x.providerId === 'caring-hands'))]) assert.deepEqual(leaked(s.shown), [], `${s.kind} for ${s.providerId}`);
    for (const reply of replies) assert.deepEqual(leaked(reply), [], reply.slice(0, 200));
    assert.equal(new Set([...seen, ...after].map((s) => s.kind)).size, PROVIDER_KINDS.length);
  });

  it('a cancelled call-off tells providers only that it was cancelled', async () => {
    const ref = await fx.submitted(t.store, now, {}, CANARY_PERSON);
    await t.say('alex', `publish ${ref}`);
    await t.say('alex', `cancel ${ref} Canarycouncilreason: Quillon Vexmoor moved`);
    await t.drained();
    const cancelled = t.posted.filter((p) => p.item.message.kind === 'calloff.cancelled' || (p.item.message.kind === 'calloff.card' && p.replaced));
    assert.ok(cancelled.length >= 3);
    for (const p of cancelled) assert.deepEqual(leaked(JSON.stringify(p.activity)), []);
    for (const s of await renderAll(ref)) assert.deepEqual(leaked(s.shown), [], s.kind);
  });
});
