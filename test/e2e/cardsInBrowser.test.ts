/**
 * Every kind of card a user meets, rendered by the real Adaptive Cards SDK in headless Chromium
 * (as Teams and the Agents Playground render them): the SDK reports no problem with any of them,
 * and each draws at a readable size. Set CARD_PNG_DIR to keep the pictures.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { saveStep, startRequest } from '../../src/app/requests/requests.js';
import { goodBid, pkg, person, registerChannels, submitted } from '../bot/fixtures.js';
import { cardOf, PEOPLE, startTurns, type Turns } from '../bot/turns.js';
import { CardRenderer } from './browser.js';
import { collectBigCards } from '../bot/fixtures/bigFramework.js';
import { lowdbProbe } from '../../src/store/open.js';

describe('e2e: the cards render cleanly in a real Adaptive Cards renderer (headless Chromium)', function () {
  let t: Turns;
  let renderer: CardRenderer;
  const now = new Date('2026-11-22T10:00:00Z');
  const cards: [string, object][] = [];

  before(async function () {
    this.timeout(60_000);
    renderer = await CardRenderer.launch();
    t = await startTurns({ now: () => now });
    await registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
    const value = async (p: Promise<{ value: unknown }>) => (await p).value as object;

    cards.push(['help', cardOf((await t.say('alex', 'help'))[0])]);
    cards.push(['admin home', cardOf((await t.say('alex', 'admin'))[0])]);
    cards.push(['provider form', await value(t.click('alex', 'admin.edit', { kind: 'providers', id: 'caring-hands' }))]);
    cards.push(['user form', await value(t.click('alex', 'admin.edit', { kind: 'users', id: PEOPLE.sam.aadObjectId }))]);
    cards.push(['framework', cardOf((await t.say('alex', 'framework'))[0])]);

    const who = { aadObjectId: PEOPLE.sam.aadObjectId };
    const draft = await startRequest(t.store, who, now);
    cards.push(['person step', await value(t.click('sam', 'request.edit', { ref: draft.id, step: 'person' }))]);
    cards.push(['person step with errors', await value(t.click('sam', 'request.person.save', { ref: draft.id, ...person, postcode: 'nowhere' }))]);
    await saveStep(t.store, who, draft.id, 'person', person, now);
    cards.push(['checklist step', await value(t.click('sam', 'request.edit', { ref: draft.id, step: 'checklist' }))]);
    cards.push(['package step', await value(t.click('sam', 'request.checklist.save', { ref: draft.id, 'c_specialist-skill': 'true' }))]);
    cards.push(['review with text that identifies the person', await value(t.click('sam', 'request.package.save', { ref: draft.id, ...pkg({ outcomes: 'Margaret wants to keep her flat.' }) }))]);
    cards.push(['review', await value(t.click('sam', 'request.package.save', { ref: draft.id, ...pkg() }))]);
    cards.push(['my requests', cardOf((await t.say('sam', 'my requests'))[0])]);

    const ref = await submitted(t.store, now);
    await t.say('alex', `publish ${ref}`);
    await t.drained();
    cards.push(['call-off in a provider channel', t.posted.find((p) => p.item.message.kind === 'calloff.card')!.activity.attachments![0].content as object]);
    cards.push(['bid form', await value(t.click('priya', 'bid.form', { ref }))]);
    cards.push(['bid form with errors', await value(t.click('priya', 'bid.submit', { ref, ...goodBid({ weeklyPrice: '-1', a_q1: '' }) }))]);
    cards.push(['bid received', await value(t.click('priya', 'bid.submit', { ref, ...goodBid() }))]);
    await t.click('priya', 'calloff.ask', { ref, question: 'Is there parking at the property for staff?' });
    cards.push(['sealed status for the council', cardOf((await t.say('alex', `calloff ${ref}`))[0])]);
    cards.push(['answer form', await value(t.click('alex', 'calloff.answer.form', { ref, questionId: 'Q1' }))]);
    await t.drained();
    for (const p of t.posted) if (p.activity.attachments?.[0]) cards.push([`posted ${p.item.message.kind} to ${p.to}`, p.activity.attachments[0].content as object]);

    // The operations view with something to show: a failed post, its unreachable channel, a late job.
    const probe = lowdbProbe(t.store);
    await probe.announce({ id: 'app-host-0:41:9f2c1a7e', build: '0.1.0 (6381f2aff33f)', startedAt: new Date(now.getTime() - 5_400_000).toISOString(), seenAt: '' }, () => {});
    t.deps.ops = { probe, kind: 'lowdb', where: '/home/site/data', instanceId: 'app-host-0:41:9f2c1a7e' };
    await t.store.transact({ actor: 'test', action: 'test.ops' }, async (tx) => {
      const post = (await tx.get('outbox', `post:${ref}:brightpath`))!;
      tx.put('outbox', { ...post, status: 'failed', attempts: 1, lastError: '403 BotNotInConversationRoster: the bot is not part of the conversation roster', unreachable: true });
      const p = (await tx.get('providers', 'brightpath'))!;
      tx.put('providers', { ...p, channel: { ...p.channel!, unreachableReason: '403 BotNotInConversationRoster: the bot is not part of the conversation roster' } });
      tx.put('jobs', { id: `remind:2h:${ref}`, kind: 'calloff.remind', ref, at: new Date(now.getTime() - 600_000).toISOString(), reminder: '2h' });
    });
    t.runtime.scheduler.stop();
    cards.push(['operations view', cardOf((await t.say('alex', 'ops'))[0])]);
  });

  after(async function () {
    this.timeout(20_000);
    await renderer?.close();
    await t?.close();
  });

  it('reports no problem with any card and draws each at a readable size', async function () {
    this.timeout(60_000);
    assert.ok(cards.length >= 20, `only ${cards.length} cards collected`);
    const dir = process.env.CARD_PNG_DIR;
    for (const [name, card] of cards) {
      const out = dir ? join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`) : undefined;
      const { warnings, size, png } = await renderer.render(card, { out });
      assert.deepEqual(warnings, [], `the renderer found problems in the ${name} card`);
      assert.ok(size.height > 60 && size.width >= 400, `the ${name} card drew at ${size.width}×${size.height}`);
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
    }
  });
});

describe('e2e: at a council-sized framework (250 providers, 40 lots, 30 zones) every card still renders cleanly', function () {
  let t: Turns;
  let renderer: CardRenderer;
  let cards: [string, object][] = [];
  const now = new Date('2026-11-22T10:00:00Z');

  before(async function () {
    this.timeout(60_000);
    renderer = await CardRenderer.launch();
    t = await startTurns({ now: () => now });
    cards = await collectBigCards(t, now);
  });
  after(async function () {
    this.timeout(20_000);
    await renderer?.close();
    await t?.close();
  });

  it('the SDK reports no problem with any of them (paged lists, searches, the type-ahead picker)', async function () {
    this.timeout(120_000);
    const dir = process.env.CARD_PNG_DIR;
    for (const [name, card] of cards) {
      const out = dir ? join(dir, `big-${name.replace(/[^a-z0-9]+/gi, '-')}.png`) : undefined;
      const { warnings, size } = await renderer.render(card, { out });
      assert.deepEqual(warnings, [], `the renderer found problems in the ${name} card`);
      assert.ok(size.height > 60, `the ${name} card drew at ${size.width}×${size.height}`);
    }
  });
});
