/**
 * The person chooses (issue 17), through the Agents Playground: the person's own question goes to
 * the providers as theirs; after the blind scores are locked and the ranking is revealed, Sam makes
 * the choice pack, downloads both PDFs from the links on his card (read back here), and records
 * the person's choice, not the top-ranked offer, with who took part and their own words.
 */
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import { cardActions, cardProblems, cardText, messageText, startHarness, threadOf, withDemoChannels, openChats, type BotMessage, type Harness } from './harness.js';
import * as fx from '../bot/fixtures.js';

const QUESTION = { q2Text: 'Can my carers take me to the day centre on the bus?', q2Person: 'true', q2Criterion: 'Says who would go with her and that they would use the bus.' };
const WORDS = 'I want BrightPath because Anna will come on the bus with me and she knows my sister.';

describe('e2e: the choice pack and the person’s choice in their words (bot + Agents Playground)', function () {
  let h: Harness;
  let clock = new Date('2026-11-22T10:00:00Z');
  let sam: string;
  let morgan: string;
  let ref: string;
  let ranking: BotMessage;
  const inChannel = (conv: string, re: RegExp) => h.waitFor((m) => m.kind === 'create' && m.conversationId.startsWith(conv) && re.test(messageText(m)), { what: `${re} in ${conv}` });

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml', now: () => clock });
    await withDemoChannels(h);
    [sam, morgan] = await openChats(h, 'user-sam', 'user-morgan');
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  it("providers see the person's question as theirs; both bid; Sam scores blind and the ranking is revealed", async function () {
    this.timeout(30_000);
    ref = await fx.submitted(h.server.store, clock, QUESTION);
    await h.ask(h.chats.personal, `publish ${ref}`, { match: /Published/ });
    const general = threadOf(await inChannel(h.chats.team, /Call-off PKG/));
    const brightpath = threadOf(await inChannel('channel-brightpath', /Call-off PKG/));
    assert.match(messageText(general), /The person asks: “Can my carers take me to the day centre on the bus\?”/);
    assert.match(messageText(general), /What a good answer looks like to them: Says who would go with her/);
    await h.invoke({ message: general, as: 'user-priya', verb: 'bid.submit', data: { ref, ...fx.goodBid({ a_q2: 'We would drive her in our own car.' }) } });
    await h.invoke({ message: brightpath, as: 'user-tom', verb: 'bid.submit', data: { ref, ...fx.goodBid({ weeklyPrice: '504', hourlyRate: '24', supportPlan: 'Two named leads and a bank of six staff, all trained in rescue medication.', a_q2: 'Yes. Anna, her lead carer, will go with her on the 135 bus.' }) } });

    clock = new Date('2026-12-01T17:00:01Z');
    await h.server.runtime.scheduler.runDue();
    const [, ...cards] = await h.repliesInAnyOrder(sam, [/closed at/, /evaluate bid/, /evaluate bid/]);
    // The criterion is the label of the score input, where the social worker scores against it.
    for (const c of cards) assert.match(JSON.stringify(c.card), /against what the person said a good answer looks like: Says who would go with her/);
    const label = (m: BotMessage) => messageText(m).match(/evaluate bid (\w+)/)![1];
    const caring = cards.find((m) => /A team of four/.test(messageText(m)))!;
    const bright = cards.find((m) => /Two named leads/.test(messageText(m)))!;
    await h.click(caring, `Lock scores for bid ${label(caring)}`, { as: 'user-sam', inputs: { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' } });
    await h.click(bright, `Lock scores for bid ${label(bright)}`, { as: 'user-sam', inputs: { s_q1: '4', s_q2: '3', meetsNeeds: 'yes' } });
    ranking = await h.nextReply(sam, { match: /ranking/ });
    assert.match(cardText(ranking.card), /1\. Caring Hands Ltd \(bid \w\): total 86\.40/);
  });

  it('Sam makes the choice pack and downloads both PDFs from his card: one page per offer, no scores', async function () {
    this.timeout(30_000);
    const made = await h.click(ranking, 'Make a choice pack (PDF)', { as: 'user-sam' });
    assert.match(cardText(made.card), /Choice pack made: 2 offers/);
    const links = cardActions(made.card).filter((a) => a.type === 'Action.OpenUrl');
    assert.deepEqual(links.map((a) => a.title), ['Choice pack (plain English, PDF)', 'Choice pack (easy read, PDF)']);
    const urls = [...JSON.stringify(made.card).matchAll(/"url":"([^"]+\/files\/[^"]+)"/g)].map((m) => m[1]);
    assert.equal(urls.length, 2);
    const read: string[][] = [];
    for (const url of urls) {
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="choice-pack-${ref}-`));
      const parser = new PDFParse({ data: new Uint8Array(await res.arrayBuffer()) });
      read.push((await parser.getText()).pages.map((p) => p.text.replace(/\s+/g, ' ')));
      await parser.destroy();
    }
    const [plain, easy] = read;
    assert.equal(plain.length, 3, 'a cover and one page per offer');
    assert.match(plain[0], /For Margaret Ellis/);
    assert.match(plain[1], /BrightPath Support .*They said: “Yes\. Anna, her lead carer, will go with her on the 135 bus\.”/);
    assert.match(plain[2], /Caring Hands Ltd .*They said: “We would drive her in our own car\.”/);
    assert.match(plain[2], /This offer is within your personal budget\./);
    assert.match(easy.join(' '), /This is inside your budget\./);
    for (const page of [...plain, ...easy]) assert.doesNotMatch(page, /86\.40|83\.20|rank/i);
  });

  it("Sam records the person's choice of the second-ranked offer, with who took part and their own words", async function () {
    this.timeout(30_000);
    const card = h.invokeCards.at(-1)!;
    const chose = await h.click({ card, conversationId: sam, messageId: ranking.messageId }, "Record the person's choice", {
      as: 'user-sam',
      inputs: { choice: `${ref}:brightpath`, tookPart: 'person,carer', personWords: WORDS, choiceReasonCategory: 'they know or prefer the provider or its staff', choiceReason: 'Her lead carer already supports her at the day centre.' },
    });
    assert.match(cardText(chose.card), /Choice recorded \(first choice\) with the person's words/);
    const r = await h.server.store.get('requests', ref);
    const c = r!.choices!.at(-1)!;
    assert.deepEqual([r!.state, c.bidId, c.tookPart, c.personWords, c.packUsed, c.reasonCategory], ['awaiting_approval', `${ref}:brightpath`, ['person', 'carer'], WORDS, true, 'they know or prefer the provider or its staff']);
    const approval = await h.nextReply(morgan, { match: /Approve the award/ });
    assert.match(cardText(approval.card), /Anna will come on the bus with me/);
  });

  it('sent only sound cards and logged no errors', () => {
    for (const m of h.messages) for (const card of m.cards) assert.deepEqual(cardProblems(card), [], `card problems in message #${m.seq} (${cardText(card).split('\n')[0]})`);
    for (const card of h.invokeCards) assert.deepEqual(cardProblems(card), [], `card problems in an invoke answer (${cardText(card).split('\n')[0]})`);
    assert.deepEqual(h.botErrors(), []);
  });
});
