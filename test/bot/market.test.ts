import assert from 'node:assert/strict';
import { cardOf, cardText, startTurns, type Turns } from './turns.js';
import * as fx from './fixtures.js';
import { seedMarket } from '../reports/marketDataset.js';

/**
 * The market report from Teams (issue 25), on the demo framework with the hand-worked market of
 * test/reports/marketDataset.ts: Autism in Radcliffe is a gap in September, October and November.
 */
describe('the market report and its action from Teams (issue 25)', () => {
  let t: Turns;
  const clock = new Date('2026-11-30T12:00:00Z');
  const text = (r: { value: unknown }) => (typeof r.value === 'string' ? r.value : cardText(r.value));
  const NOV = { from: '2026-11-01', to: '2026-11-30' };

  beforeEach(async () => {
    t = await startTurns({ now: () => clock });
    await fx.registerChannels(t.store, clock, 'caring-hands', 'brightpath', 'oak-tree');
    await seedMarket(t.store);
  });
  afterEach(() => t.close());

  it('Alex asks for November’s market: the totals, the heat map, the gaps persistent first, the CSV', async () => {
    const [reply] = await t.say('alex', 'market report 2026-11-01 to 2026-11-30');
    const card = cardOf(reply);
    const shown = cardText(card);
    assert.match(shown, /The market: 1 Nov 2026 to 30 Nov 2026/);
    assert.match(shown, /⚠ 1 gap has lasted 3 months/);
    // 5 call-offs, 4 closed: 2 no bid, 1 one bid; 3 bids ÷ 4 = 0.75 → 0.8. Under 5: "<5".
    assert.match(shown, /Call-offs published\n5 \(<5 closed: <5 with no bid, <5 with one; 0\.8 bids each\)/);
    assert.match(shown, /Lots × zones\n48 cells: 3 with call-offs; 3 gaps, 1 persistent/);
    assert.match(shown, /Autism in Radcliffe: a gap in each of the last 3 months/);
    assert.match(shown, /Why\nno bid on 50% of closed call-offs \(gap from 20%\); one bid or none on 100% \(gap from 50%\); off-contract placements: <5 \(gap from 1\); 1 provider admitted \(gap below 2\)/);
    assert.match(shown, /Capacity said\n1 can take more \(about 20 hours a week\), 0 cannot/);
    assert.match(shown, /Cost of care\nmodel £32\.14\/h; awarded median £24\.00\/h, <5 of <5 below the model/);
    assert.match(shown, /Awards below the cost of care\n.*\nAutism in Radcliffe\n<5 of <5; median £24\.00\/h against the model's £32\.14\/h/);
    assert.doesNotMatch(shown, /Learning disability in Bury East\n<5 of/, 'BrightPath’s £34 award there is above the model');
    assert.equal(JSON.stringify(card).match(/"title":"Open an admission window"/g)?.length, 1, 'one button, in the persistent gap’s section (its title names the lot and zone)');
    assert.doesNotMatch(shown, /Person PKG|LAS-/, 'no personal details');
    assert.ok(Buffer.byteLength(JSON.stringify(card)) < 28 * 1024);
  });

  it('Alex opens an admission window for the persistent gap: the market is told with the gap’s figures, once', async () => {
    const r = await t.click('alex', 'market.gap.open', { lot: 'autism', zone: 'radcliffe', ...NOV });
    const shown = text(r);
    assert.match(shown, /Opened evaluation window W-2026-01 and told 3 providers on the framework/);
    const window = (await t.store.get('windows', 'W-2026-01'))!;
    assert.equal(window.invitations?.length, 1);
    // September to November in Radcliffe: S1, O1, A1, A2, A3 = 5 autism call-offs; closed 4: no bid S1, A1 (2), one bid O1, A2 (2); 1 off-contract.
    assert.equal(
      window.invitations![0].text,
      'Demo Borough Council invites applications to join its framework for Autism in Radcliffe (evaluation window W-2026-01). From 1 Sep 2026 to 30 Nov 2026 there were 5 call-offs for autism support in Radcliffe; <5 closed with no bid and <5 with one; <5 placed off-contract. 1 provider is admitted there now. The council\'s cost-of-care rate for this lot and zone is £32.14 an hour. If your organisation can offer this support, apply, or ask to add Autism and Radcliffe to your admission.',
    );
    t.runtime.changed();
    await t.drained();
    const told = t.posted.filter((p) => p.item.message.kind === 'market.invitation');
    assert.deepEqual(told.map((p) => p.to).sort(), ['provider:brightpath', 'provider:caring-hands', 'provider:oak-tree']);
    assert.match(cardText(cardOf(told[0].activity)), /invites applications to join its framework for Autism in Radcliffe/);

    const again = await t.click('alex', 'market.gap.open', { lot: 'autism', zone: 'radcliffe', ...NOV, page: 1 });
    assert.match(text(again), /already open for this gap/);
    await t.drained();
    assert.equal(t.posted.filter((p) => p.item.message.kind === 'market.invitation').length, 3, 'nobody told twice');
  });

  it('refuses a gap that is not persistent, while applications are paused, and for anyone but the commissioner', async () => {
    assert.match(text(await t.click('alex', 'market.gap.open', { lot: 'learning-disability', zone: 'bury-east', ...NOV })), /not a gap that has lasted 3 months/);
    await t.click('alex', 'admission.pause', { reason: 'Re-tendering the framework' });
    assert.match(text(await t.click('alex', 'market.gap.open', { lot: 'autism', zone: 'radcliffe', ...NOV })), /applications are paused \(Re-tendering the framework\)/);
    assert.match(text(await t.click('morgan', 'market.gap.open', { lot: 'autism', zone: 'radcliffe', ...NOV })), /role doesn't allow/);
    assert.equal((await t.store.get('windows', 'W-2026-01')), undefined);
    const [morgan] = await t.say('morgan', 'market report 2026-11-01 to 2026-11-30');
    assert.doesNotMatch(JSON.stringify(cardOf(morgan)), /Open an admission window/, 'a manager sees the report without the action');
  });
});
