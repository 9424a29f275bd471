/**
 * The big framework again, every provider's name 100 characters long (real registered names with
 * trading names run that long): every card still within the 28 KB budget.
 */
import { scan } from '../helpers/scan.js';
import assert from 'node:assert/strict';
import { CARD_BUDGET_BYTES } from '../../bot/render.js';
import { collectBigCards } from './fixtures/bigFramework.js';
import { cardText, startTurns, type Turns } from './turns.js';

describe('a council-sized framework whose provider names are 100 characters long', function () {
  this.timeout(60_000);
  let t: Turns;
  const now = new Date('2026-11-22T10:00:00Z');
  after(async () => t?.close());

  it('answers every kind of card within the budget, never with a too-big refusal', async () => {
    t = await startTurns({ now: () => now });
    const cards = await collectBigCards(t, now, { nameLength: 100 });
    const longest = Math.max(...(await scan(t.store, 'providers')).map((p) => p.name.length));
    assert.equal(longest, 100);
    const sizes = cards.map(([name, c]) => [name, Buffer.byteLength(JSON.stringify(c)), c] as const).sort((a, b) => b[1] - a[1]);
    if (process.env.CARD_SIZES) console.log(sizes.map(([n, b]) => `${String(b).padStart(6)}  ${n}`).join('\n'));
    const over = sizes.filter(([, size]) => size > CARD_BUDGET_BYTES).map(([name, size]) => `${name}: ${size} bytes`);
    assert.deepEqual(over, []);
    for (const [name, , c] of sizes) assert.doesNotMatch(cardText(c), /too (big|large)|something went wrong/i, name);
  });
});
