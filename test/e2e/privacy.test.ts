/**
 * The privacy promise end to end, through the Agents Playground: a request whose every private
 * field holds a canary value goes the whole way (published, a question answered, the deadline
 * extended, two bids, closed, scored, chosen, approved, accepted), and nothing any provider's
 * channel received, or any provider user's click returned, holds a canary, except the referral
 * the accepting provider gets after acceptance.
 */
import assert from 'node:assert/strict';
import { cardProblems, cardText, messageText, startHarness, threadOf, withDemoChannels, type Harness, type InvokeResult } from './harness.js';
import * as fx from '../bot/fixtures.js';
import { bidId } from '../../src/domain/calloff.js';
import type { PackageRequest } from '../../src/domain/request.js';

const CANARY_PERSON = { name: 'Quillon Vexmoor-Tarrant', caseRef: 'QVX-918273', dateOfBirth: '1933-03-07', address: '77 Zephyrine Walk, Bury', postcode: 'ZE2 9QQ', gender: 'prefer not to say', disabilityCategory: 'acquired brain injury' };
const CANARIES = ['Quillon', 'Vexmoor', 'Tarrant', 'QVX', '918273', '1933', 'Zephyrine', 'ZE2', 'prefer not to say', 'acquired brain injury', '777.77', 'Canarycouncilreason', 'Canarypersonwords'];
const leaked = (x: unknown) => CANARIES.filter((c) => JSON.stringify(x).includes(c));

describe('e2e: nothing private reaches a provider (bot + Agents Playground)', function () {
  let h: Harness;
  let clock = new Date('2026-11-22T10:00:00Z');

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml', now: () => clock });
    await withDemoChannels(h);
  });
  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  it('a canary-filled request, from publication to acceptance', async function () {
    this.timeout(60_000);
    const ref = await fx.submitted(h.server.store, clock, { budgetWeekly: '777.77' }, CANARY_PERSON);
    const providerReplies: InvokeResult[] = [];
    const asProvider = async (...args: Parameters<Harness['invoke']>) => {
      const r = await h.invoke(...args);
      providerReplies.push(r);
      return r;
    };
    const inChannel = (conv: string, re: RegExp) => h.waitFor((m) => m.kind === 'create' && m.conversationId.startsWith(conv) && re.test(messageText(m)), { what: `${re} in ${conv}` });

    const published = await h.ask(h.chats.personal, `publish ${ref}`, { match: /Published/ });
    const general = threadOf(await inChannel(h.chats.team, /Call-off PKG/));
    const brightpath = threadOf(await inChannel('channel-brightpath', /Call-off PKG/));
    await asProvider({ message: general, as: 'user-priya', verb: 'calloff.ask', data: { ref, question: 'Is there parking for staff?' } });
    await h.invoke({ message: published, verb: 'calloff.answer', data: { ref, questionId: 'Q1', questionAsShown: 'Is there parking?', answer: 'Yes, one permit space.' } });
    await h.invoke({ message: published, verb: 'calloff.extend', data: { ref, newDeadlineDate: '2026-12-02', newDeadlineTime: '17:00', extendReason: 'more time for providers' } });
    await asProvider({ message: general, as: 'user-priya', verb: 'bid.form', data: { ref } });
    await asProvider({ message: general, as: 'user-priya', verb: 'bid.submit', data: { ref, ...fx.goodBid() } });
    await asProvider({ message: brightpath, as: 'user-tom', verb: 'bid.submit', data: { ref, ...fx.goodBid({ weeklyPrice: '504', hourlyRate: '24' }) } });
    await inChannel(h.chats.team, /extended/);

    clock = new Date('2026-12-02T17:00:01Z');
    await h.server.runtime.scheduler.runDue();
    const sam = await h.nextReply(await h.openPersonalChat('user-sam'));
    const r = (await h.server.store.get('requests', ref)) as PackageRequest;
    for (const b of r.evaluation!.bids) await h.invoke({ message: sam, as: 'user-sam', verb: 'evaluation.lock', data: { ref, bid: b.label, s_q1: '4', s_q2: '4', meetsNeeds: 'yes' } });
    await h.invoke({ message: sam, as: 'user-sam', verb: 'award.choose', data: { ref, choice: bidId(ref, 'caring-hands'), choiceReason: 'Canarycouncilreason: the person met them', choiceReasonCategory: 'they know or prefer the provider or its staff', tookPart: 'person', personWords: 'Canarypersonwords: they seemed kind' } });
    const morgan = await h.nextReply(await h.openPersonalChat('user-morgan'));
    await h.invoke({ message: morgan, as: 'user-morgan', verb: 'award.approve', data: { ref, n: 1, justification: 'Canarycouncilreason' } });
    const offer = threadOf(await inChannel(h.chats.team, /Award of call-off/));
    await asProvider({ message: offer, as: 'user-priya', verb: 'award.accept', data: { ref } });
    const referral = await inChannel(h.chats.team, /Referral for PKG/);
    await inChannel('channel-brightpath', /: outcome/);

    // The check can fail: the referral, after acceptance, names the person.
    assert.ok(leaked(referral.activity).includes('Quillon'));
    const channels = [...h.messagesIn(h.chats.team), ...h.messagesIn('channel-brightpath')].filter((m) => m !== referral);
    assert.ok(channels.length >= 8, `${channels.length} provider-channel messages`);
    for (const m of channels) assert.deepEqual(leaked(m.activity), [], `message #${m.seq} (${messageText(m).slice(0, 60)})`);
    for (const reply of providerReplies) assert.deepEqual(leaked(reply.body), [], cardText(reply.card).slice(0, 80));
    for (const m of channels) for (const card of m.cards) assert.deepEqual(cardProblems(card), []);
    assert.deepEqual(h.botErrors(), []);
  });
});
