import assert from 'node:assert/strict';
import * as fx from '../fixtures.js';
import { cardText, PEOPLE, startTurns, type Turns } from '../turns.js';

const PHISH = 'A trained team of four. [verify your account](https://evil.example/login) ![x](https://evil.example/p.png) see https://evil.example \u202Eexe.nalp\u202C\u0000\u0007 **act now**';
const live = (json: string) => /\]\(http|https?:\/\/evil|www\.evil/i.test(json.replace(/\\\\(.)/g, '$1'));

describe('what providers type reaches council staff as plain text', () => {
  let t: Turns;
  let now: Date;
  beforeEach(async () => {
    now = new Date('2026-11-22T10:00:00Z');
    t = await startTurns({ now: () => now });
    await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath', 'signing-hands');
  });
  afterEach(() => t.close());

  it('a support plan with a link, an image, a right-to-left override and NUL/BEL: stored without the controls, shown with no live link', async () => {
    const ref = await fx.submitted(t.store, now);
    await t.say('alex', `publish ${ref}`);
    await t.click('priya', 'bid.submit', { ref, ...fx.goodBid({ supportPlan: PHISH, a_q1: 'Details at [our site](http://evil.example)' }) });
    await t.click('priya', 'calloff.ask', { ref, question: 'Parking? Reply to [us](https://evil.example/q) \u202Eplease' });
    const stored = (await t.store.get('bids', `${ref}:caring-hands`))!.versions.at(-1)!.supportPlan;
    assert.doesNotMatch(stored, /[\u202E\u202C\u0000\u0007]/);
    now = new Date('2026-12-01T17:00:01Z');
    await t.runtime.scheduler.runDue();
    await t.drained();
    const toStaff = t.posted.filter((p) => p.to === `user:${PEOPLE.sam.aadObjectId}` || p.to === `user:${PEOPLE.alex.aadObjectId}`);
    const evaluation = toStaff.filter((p) => p.item.message.kind === 'evaluation.card');
    const question = toStaff.filter((p) => p.item.message.kind === 'calloff.question');
    assert.equal(evaluation.length, 1);
    assert.equal(question.length, 1);
    for (const p of [...evaluation, ...question]) {
      const json = JSON.stringify(p.activity);
      assert.equal(live(json), false, json.slice(0, 400));
      assert.doesNotMatch(json, /\\u202e|\\u0000|\\u0007|\u202E/i);
    }
    assert.match(cardText(evaluation[0].activity.attachments![0].content), /verify your account \(link removed: evil\\\[\.\\\]example\/login\)/);
    const [status] = await t.say('alex', `calloff ${ref}`);
    assert.equal(live(JSON.stringify(status)), false);
  });
});
