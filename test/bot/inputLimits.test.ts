import assert from 'node:assert/strict';
import { capInputs, CUT_TO } from '../../bot/inputLimits.js';
import { cardOf, cardText, startTurns, type Turns } from './turns.js';

const person = { name: 'Margaret Ellis', caseRef: 'LAS-400123', dateOfBirth: '1961-04-09', address: '12 Rowan Close, Bury', postcode: 'bl9 0ej', zone: 'bury-east', gender: 'female', disabilityCategory: 'learning disability' };

describe('oversized card input', () => {
  it('is cut to one character over the longest field, so the field’s own limit refuses it', () => {
    const out = capInputs({ a: 'x'.repeat(100_000), b: 'short', n: 5 });
    assert.equal((out.a as string).length, CUT_TO);
    assert.deepEqual([out.b, out.n], ['short', 5]);
  });

  describe('through the bot', () => {
    let t: Turns;
    beforeEach(async () => (t = await startTurns({ now: () => new Date('2026-11-22T10:00:00Z') })));
    afterEach(() => t.close());

    it('gets a message next to the field, and the draft step still opens, small', async () => {
      const [reply] = await t.say('sam', 'new request');
      const ref = cardText(cardOf(reply)).match(/PKG-2026-\d{4}/)![0];
      await t.click('sam', 'request.person.save', { ref, ...person });
      await t.click('sam', 'request.checklist.save', { ref, 'c_specialist-skill': 'true' });
      const huge = 'Needs support. '.repeat(20_000); // 300,000 characters
      const saved = await t.click('sam', 'request.package.save', { ref, needsSummary: huge, outcomes: huge, visitPattern: huge, lots: 'autism' });
      assert.equal(saved.statusCode, 200);
      const text = cardText(saved.value);
      assert.match(text, /needs summary must be at most 2000 characters/);
      assert.match(text, /outcomes must be at most 2000 characters/);
      assert.ok(JSON.stringify(saved.value).length < 40_000, `reply card is ${JSON.stringify(saved.value).length} bytes`);
      const reopened = await t.click('sam', 'request.edit', { ref });
      assert.equal(reopened.statusCode, 200);
      assert.ok(JSON.stringify(reopened.value).length < 40_000, 'the draft step still opens');
      assert.match(cardText(reopened.value), /needs summary/i);
    });
  });
});
