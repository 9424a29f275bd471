import assert from 'node:assert/strict';
import { goodBid, registerChannels, submitted } from './fixtures.js';
import { cardText, startTurns, Turns } from './turns.js';

describe('council words that go to providers never identify the person', () => {
  let t: Turns;
  const now = new Date('2026-11-22T10:00:00Z');
  let ref: string;
  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    await registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
    ref = await submitted(t.store, now);
    await t.say('alex', `publish ${ref}`);
  });
  afterEach(() => t.close());

  it('a provider acting on a cancelled call-off is told it was cancelled, never the council’s reason', async () => {
    await t.say('alex', `cancel ${ref} Margaret Ellis moved to a care home at BL9 0EJ`);
    const late = await t.click('priya', 'bid.submit', { ref, ...goodBid() });
    const shown = cardText(late.value) + String(late.value);
    assert.match(shown, /cancelled by the council/);
    assert.doesNotMatch(shown, /Margaret|Ellis|BL9/);
  });

  it('refuses an extension reason that names the person, next to the field', async () => {
    const refused = await t.click('alex', 'calloff.extend', { ref, newDeadlineDate: '2026-12-04', newDeadlineTime: '12:00', extendReason: 'Mrs Ellis is in hospital' });
    assert.match(cardText(refused.value), /contains part of the person's name \("Ellis"\); reword it/);
    await t.drained();
    assert.equal(t.posted.filter((p) => p.item.message.kind === 'calloff.extended').length, 0);
  });

  it('refuses a clarification answer or reworded question that identifies the person', async () => {
    await t.click('priya', 'calloff.ask', { ref, question: 'Is there parking at the property for staff?' });
    const answer = await t.click('alex', 'calloff.answer', { ref, questionId: 'Q1', questionAsShown: 'Is there parking at the property?', answer: 'Yes, outside 12 Rowan Close.' });
    assert.match(cardText(answer.value), /first line of the address; reword it/);
    const question = await t.click('alex', 'calloff.answer', { ref, questionId: 'Q1', questionAsShown: 'Is there parking near BL9 0EJ?', answer: 'Yes, one permit space.' });
    assert.match(cardText(question.value), /the postcode "BL9 0EJ"; reword it/);
  });
});

describe('the spellings the exact-match guard let through, through the bot', () => {
  let t: Turns;
  const now = new Date('2026-11-22T10:00:00Z');
  beforeEach(async () => {
    t = await startTurns({ now: () => now });
    await registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
  });
  afterEach(() => t.close());

  it('a needs summary with the case reference run together, or the date of birth in words, is refused at submission, naming the field', async () => {
    for (const [needsSummary, what] of [
      ['Known to us as case LAS400123 on file; lives alone and needs rescue medication.', /the needs summary contains the case reference "LAS-400123"/],
      ['Born the 9th of April 1961; lives alone and needs rescue medication from trained staff.', /the needs summary contains the date of birth/],
      ['Lives on Rowan Close with no lift; needs rescue medication given by trained staff.', /the needs summary contains the street name \("Rowan Close"\)/],
      ['Mrs MargaretEllis needs rescue medication given by trained staff every morning.', /the needs summary contains the person's name/],
      ['Her NHS number is 943 476 5919; needs rescue medication given by trained staff.', /the needs summary contains an NHS number/],
    ] as const) {
      const ref = await submitted(t.store, now, { needsSummary }, {}, { submit: false });
      const r = await t.click('sam', 'request.submit', { ref });
      assert.match(cardText(r.value), what, needsSummary);
      assert.equal((await t.store.get('requests', ref))?.state, 'draft');
    }
  });

  it('a clarification answer with the case reference spaced out is not posted to any provider', async () => {
    const ref = await submitted(t.store, now);
    await t.say('alex', `publish ${ref}`);
    await t.click('priya', 'calloff.ask', { ref, question: 'Is there a history we should know about?' });
    const answer = await t.click('alex', 'calloff.answer', { ref, questionId: 'Q1', questionAsShown: 'Is there a history?', answer: 'See LAS 400123 for the history.' });
    assert.match(cardText(answer.value), /contains the case reference "LAS-400123"; reword it/);
    await t.drained();
    assert.equal(t.posted.filter((p) => p.item.message.kind === 'calloff.answer').length, 0);
  });
});
