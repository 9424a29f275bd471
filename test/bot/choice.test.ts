import { reading } from '../../src/store/reading.js';
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import { bidId } from '../../src/domain/calloff.js';
import type { PackageRequest } from '../../src/domain/request.js';
import { shelfOf } from '../../bot/routes/reports.js';
import { cardText, PEOPLE, startTurns, type Turns } from './turns.js';
import * as fx from './fixtures.js';

/** The person's choice from Teams (issue 17): the choice pack, and the choice in their words. */
describe("the person's choice: the choice pack and their words", () => {
  let t: Turns;
  let now: Date;
  const request = async (ref: string) => (await t.store.get('requests', ref)) as PackageRequest;
  const labelOf = async (ref: string, providerId: string) => (await request(ref)).evaluation!.bids.find((b) => b.bidId === bidId(ref, providerId))!.label;
  const urls = (card: unknown) => [...JSON.stringify(card).matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);

  beforeEach(async () => {
    now = new Date('2026-11-22T10:00:00Z');
    t = await startTurns({ now: () => now });
    await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath');
  });
  afterEach(() => t.close());

  /** Two bids, both meeting her needs; Caring Hands (£525) ranked first, BrightPath (£504) second. */
  async function revealed(): Promise<string> {
    const ref = await fx.submitted(t.store, now, { q2Text: 'Will the same carers come every morning?', q2Person: 'true', q2Criterion: 'Names the carers and says what happens when one is off.' });
    await t.say('alex', `publish ${ref}`);
    await t.click('priya', 'bid.submit', { ref, ...fx.goodBid({ a_q2: 'Yes: Jane and Ola, and Priti covers their holidays.' }) });
    await t.click('tom', 'bid.submit', { ref, ...fx.goodBid({ weeklyPrice: '504', hourlyRate: '24', supportPlan: 'Two named leads and a bank of six staff, all trained in rescue medication.' }) });
    now = new Date('2026-12-01T17:00:01Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    await t.click('sam', 'evaluation.lock', { ref, bid: await labelOf(ref, 'caring-hands'), s_q1: '4', s_q2: '4', meetsNeeds: 'yes' });
    await t.click('sam', 'evaluation.lock', { ref, bid: await labelOf(ref, 'brightpath'), s_q1: '4', s_q2: '3', meetsNeeds: 'yes' });
    await t.drained();
    return ref;
  }

  it('the provider’s call-off card and bid form show the person’s question as theirs, with the criterion', async () => {
    const ref = await fx.submitted(t.store, now, { q2Text: 'Will the same carers come every morning?', q2Person: 'true', q2Criterion: 'Names the carers and says what happens when one is off.' });
    await t.say('alex', `publish ${ref}`);
    await t.drained();
    const post = t.posted.find((p) => p.to.includes('caring-hands') && p.item.message.kind === 'calloff.card')!;
    const text = cardText(post.activity.attachments?.[0]?.content);
    assert.match(text, /2\. The person asks: “Will the same carers come every morning\?” \(40\)/);
    assert.match(text, /What a good answer looks like to them: Names the carers/);
    const form = await t.click('priya', 'bid.form', { ref });
    assert.match(cardText(form.value), /The person asks: “Will the same carers come every morning\?”/);
  });

  it('makes the choice pack for the owner only after the reveal, records it, and serves both PDFs by signed link', async () => {
    const ref = await revealed();
    const refusedProvider = await t.click('priya', 'choice.pack', { ref });
    assert.match(String(refusedProvider.value), /role doesn't allow/);
    const card = await t.click('sam', 'choice.pack', { ref });
    assert.match(cardText(card.value), /Choice pack made: 2 offers that meet the person's needs/);
    const links = urls(card.value);
    assert.equal(links.length, 2);
    const texts: string[] = [];
    for (const url of links) {
      const taken = await shelfOf(t.deps).take(url.split('/files/')[1]);
      assert.ok(taken.ok);
      assert.equal(taken.file.contentType, 'application/pdf');
      assert.match(taken.file.filename!, new RegExp(`^choice-pack-${ref}-(plain-english|easy-read)\\.pdf$`));
      const parser = new PDFParse({ data: new Uint8Array(taken.file.body) });
      texts.push((await parser.getText()).text.replace(/\s+/g, ' '));
      await parser.destroy();
    }
    for (const text of texts) {
      assert.match(text, /Margaret Ellis/);
      assert.match(text, /Jane and Ola, and Priti covers their holidays/);
      assert.doesNotMatch(text, /86\.40|83\.20|ranked/, 'no scores or ranks in the pack');
    }
    const r = await request(ref);
    assert.equal(r.choicePacks?.length, 1);
    assert.deepEqual(r.choicePacks![0].bidIds.sort(), [bidId(ref, 'brightpath'), bidId(ref, 'caring-hands')]);
    const audit = await t.store.audit({ action: 'choice.pack' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor, PEOPLE.sam.aadObjectId);
  });

  it('records who took part and the person’s words, with every error next to its field and nothing typed lost', async () => {
    const ref = await revealed();
    const empty = await t.click('sam', 'award.choose', { ref, choice: bidId(ref, 'brightpath'), tookPart: '', personWords: '', choiceReason: 'typed but short' });
    const json = JSON.stringify(empty.value);
    assert.match(json, /say who took part in the choice/);
    assert.match(json, /write the person's reasons in their own words/);
    assert.match(json, /choose the main reason/);
    assert.match(json, /typed but short/, 'what was typed is shown again');
    assert.equal((await request(ref)).state, 'evaluated');

    await t.click('sam', 'choice.pack', { ref });
    const words = 'Tom came to see me and he laughed at my jokes. I want the people from BrightPath.';
    const chose = await t.click('sam', 'award.choose', { ref, choice: bidId(ref, 'brightpath'), tookPart: 'person,advocate', personWords: words, choiceReasonCategory: 'they know or prefer the provider or its staff', choiceReason: 'She met the BrightPath lead at the day centre and trusts him.' });
    assert.match(cardText(chose.value), /Choice recorded \(first choice\) with the person's words/);
    const c = (await request(ref)).choices![0];
    const december = await reading(t.store, (tx) => tx.requestsActiveBetween('2026-12-01', '2026-12-31'));
    assert.ok(december.some((r) => r.id === ref), 'found by the day of the choice, for the reports');
    assert.deepEqual([c.tookPart, c.personWords, c.reasonCategory, c.packUsed, c.topBidId], [['person', 'advocate'], words, 'they know or prefer the provider or its staff', true, bidId(ref, 'caring-hands')]);
    await t.drained();
    const approval = t.posted.find((p) => p.to === `user:${PEOPLE.morgan.aadObjectId}` && p.item.message.kind === 'award.approval')!;
    const text = cardText(approval.activity.attachments?.[0]?.content);
    assert.match(text, /In the person's words.*Tom came to see me/s);
    assert.match(text, /Who took part.*The person; An advocate/s);
  });

  it('records a best-interests decision, and no pack used when none was made', async () => {
    const ref = await revealed();
    await t.click('sam', 'award.choose', { ref, choice: bidId(ref, 'caring-hands'), tookPart: 'best-interests,carer', personWords: 'She smiled at the Caring Hands carer and has always liked mornings at home.' });
    const c = (await request(ref)).choices![0];
    assert.deepEqual([c.tookPart, c.packUsed, c.reason, c.reasonCategory], [['best-interests', 'carer'], false, undefined, undefined]);
    const late = await t.click('sam', 'choice.pack', { ref });
    assert.match(cardText(late.value), /waiting for a manager's approval|awaiting approval/);
  });
});
