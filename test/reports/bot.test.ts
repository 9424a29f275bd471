import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { cardOf, cardText, startTurns, type Turns } from '../bot/turns.js';
import { seed } from './dataset.js';

/** Every Image and OpenUrl in a card. */
function links(card: unknown): { images: string[]; opens: { title: string; url: string }[] } {
  const images: string[] = [];
  const opens: { title: string; url: string }[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.type === 'Image') images.push(String(o.url));
    if (o.type === 'Action.OpenUrl') opens.push({ title: String(o.title), url: String(o.url) });
    for (const [k, v] of Object.entries(o)) if (k !== 'selectAction' && typeof v === 'object') walk(v);
  };
  walk(card);
  return { images, opens };
}

/** Teams drops a fact whose value is not a string, and shows "${x}" for a binding left unfilled. */
function checkFacts(card: unknown) {
  const s = JSON.stringify(card);
  assert.ok(!s.includes('${'), 'no template binding left unfilled');
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.type === 'FactSet') for (const f of o.facts as { title: unknown; value: unknown }[]) assert.ok(typeof f.title === 'string' && typeof f.value === 'string', `fact ${JSON.stringify(f)}`);
    Object.values(o).forEach(walk);
  };
  walk(card);
  assert.ok(Buffer.byteLength(s) < 28 * 1024, `card under 28 KB (${Buffer.byteLength(s)} bytes)`);
}

describe('bot: reports (turns)', () => {
  let t: Turns;
  // Noon on 31 March 2026: "this year" is 1 Jan – 31 Mar 2026, the data set's Q1.
  before(async () => {
    t = await startTurns({ now: () => new Date('2026-03-31T12:00:00Z') });
    await seed(t.store);
  });
  after(async () => t?.close());

  it('alex (broker, commissioner) gets the headline card for this year, with charts and CSV links', async () => {
    const [reply] = await t.say('alex', 'report this year');
    const card = cardOf(reply);
    await writeFile('/tmp/report-card.json', JSON.stringify(card, null, 2)).catch(() => undefined);
    checkFacts(card);
    const text = cardText(card);
    assert.match(text, /Brokerage report: this year \(2026, to 31 Mar 2026\)/);
    for (const [title, value] of [
      ['Published', '6'],
      ['Still open', '1'],
      ['Closed with no bids', '1'],
      ['Cancelled', '1'],
      ['Bids per closed call-off', '1.25 (5 bids on 4 call-offs)'],
      ['Awarded', '4'],
      ['Off-contract placements', '1'],
      ['Days from request to award', 'median 24.5 days, 90th percentile 38 days'],
      ['Within the personal budget', '75% (3 of 4)'],
      ['Weekly spend committed', '£2,315.00 a week'],
      ['Against personal budgets', '£45.00 under (budgets £2,360.00 a week)'],
    ]) assert.match(text, new RegExp(`${title}\\n${value.replace(/[()£.]/g, '\\$&')}`), `${title}: ${value}`);
    const { images, opens } = links(card);
    assert.equal(images.length, 2);
    for (const u of images) assert.match(u, /^http:\/\/localhost:3978\/files\/(awards-spend|days-to-award)\.20260101\.20260331\.[0-9a-z]+\.[\w-]{43}$/);
    assert.deepEqual(opens.map((o) => o.title), ['Awards', 'Call-offs', 'Bids', 'Off-contract', 'Approvals']);
    assert.ok(!JSON.stringify(card).includes('Person PKG'), 'no person’s name on the report');
  });

  it('morgan (manager) may see reports too; sam (social worker) and the provider users may not', async () => {
    assert.match(cardText(cardOf((await t.say('morgan', 'report 2026-01-01 to 2026-03-31'))[0])), /Awarded\n4/);
    for (const who of ['sam', 'priya', 'tom'] as const) {
      const [reply] = await t.say(who, 'report this year');
      assert.ok(!reply.attachments?.length, `${who} gets no card`);
      assert.match(String(reply.text), /`report` is not open to your role/);
      const [prov] = await t.say(who, 'providers report');
      assert.match(String(prov.text), /not open to your role/);
    }
    const refused = await t.click('priya', 'report.providers', { from: '2026-01-01', to: '2026-03-31' });
    assert.match(String(refused.value), /role doesn't allow/);
  });

  it('a period of thousands of years is refused at once, not cut into a chart bar a month (review)', async () => {
    const started = Date.now();
    const [reply] = await t.say('alex', 'report 0001-01-01 to 9999-12-31');
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    assert.match(reply.text ?? '', /at most 10 years/);
  });

  it('a period it cannot read is explained', async () => {
    const [reply] = await t.say('alex', 'report last fortnight');
    assert.match(String(reply.text), /this month \| this quarter \| this year \| YYYY-MM-DD to YYYY-MM-DD/);
  });

  it('providers report: offers, declines with reasons, bids, wins, average scores; no prices', async () => {
    const [reply] = await t.say('alex', 'providers report this year');
    const card = cardOf(reply);
    await writeFile('/tmp/report-providers.json', JSON.stringify(card, null, 2)).catch(() => undefined);
    checkFacts(card);
    const text = cardText(card);
    assert.match(text, /Caring Hands Ltd\nOffers received\n6\nDeclined\n0\nBids\n3\nWins\n2\nAverage quality score\n32\.40 \(3 bids scored\)\nAverage total score\n80\.20 \(2 compliant bids\)/);
    assert.match(text, /BrightPath Support\nOffers received\n4\nDeclined\n1: outside our area\nBids\n2 \(and 1 withdrawn\)\nWins\n1/);
    assert.match(text, /Signing Hands Homecare\nOffers received\n3\nDeclined\n2: no capacity ×2/);
    assert.ok(!/£/.test(text), 'no prices on the providers card');
  });

  it('equality report from the card button: counts and shares by age band, gender, disability and zone', async () => {
    const res = await t.click('alex', 'report.equality', { from: '2026-01-01', to: '2026-03-31' });
    const card = res.value as Record<string, unknown>;
    await writeFile('/tmp/report-equality.json', JSON.stringify(card, null, 2)).catch(() => undefined);
    checkFacts(card);
    const text = cardText(card);
    assert.match(text, /requested \(7 submitted in the period\) and awarded \(4 awards made in it\)/);
    assert.match(text, /female\nrequested 4 \(57%\) · awarded 2 \(50%\)/);
    assert.match(text, /non-binary\nrequested 1 \(14%\) · awarded 0 \(0%\)/);
    assert.match(text, /Bury East\nrequested 3 \(43%\) · awarded 2 \(50%\)/);
    assert.match(text, /85\+\nrequested 1 \(14%\) · awarded 0 \(0%\)/);
  });

  it('is for the 1:1 chat only: not in a channel, where providers could read it', async () => {
    const [reply] = await t.say('alex', 'report this year', { id: '19:general@thread.tacv2', conversationType: 'channel', isGroup: true });
    assert.ok(!reply.attachments?.length);
    assert.match(String(reply.text), /works only in a personal conversation/);
  });
});
