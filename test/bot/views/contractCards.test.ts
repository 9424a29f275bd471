import assert from 'node:assert/strict';
import { CARD_BUDGET_BYTES } from '../../../bot/render.js';
import { contractsCard, paymentsCard, PAYMENT_ROWS, SPEND_LINES } from '../../../bot/views/contractCards.js';
import type { FunderTotal, ProviderTotal } from '../../../src/reports/payments.js';
import type { ContractsReport } from '../../../src/reports/contracts.js';

/** A council at a big county's scale: 250 providers, 40 lots, 30 zones. */
const providers: ProviderTotal[] = Array.from({ length: 250 }, (_, i) => ({ providerId: `prov-${i}`, providerName: `Provider ${i} Home Care and Support Services Ltd`, rows: 40, plannedHours: 800 + i, deliveredHours: 790 + i, payableHours: 790 + i, retainer: 0, payable: 20_000 + i * 10, missingReturns: i % 3 }));
const total: ProviderTotal = { providerId: '', providerName: 'All providers', rows: 10_000, plannedHours: 0, deliveredHours: 0, payableHours: 0, retainer: 0, payable: providers.reduce((s, t) => s + t.payable, 0), missingReturns: 0 };
const period = { from: '2026-11-01', to: '2026-11-30', label: 'November 2026' };
/** Joint funding: the council, an ICB, and all funders (as funderTotals gives them). */
const funders: FunderTotal[] = [
  { funder: 'council', funderName: 'Bury Council', rows: 9_000, plannedCost: 4_000_000, retainer: 0, payable: 4_100_000 },
  { funder: 'icb-gm', funderName: 'NHS Greater Manchester ICB', rows: 1_000, plannedCost: 500_000, retainer: 0, payable: 511_250 },
  { funder: '', funderName: 'All funders', rows: 10_000, plannedCost: 4_500_000, retainer: 0, payable: 4_611_250 },
];
const link = (n: number) => `https://bot.example.org/files/${'x'.repeat(22)}.${n.toString(36)}.${'s'.repeat(43)}`;
const text = (card: object) => JSON.stringify(card);

describe('the payments and contracts cards at a county’s scale', () => {
  it('payments: names the largest payees, sums the rest, links every file, and stays within the card budget', () => {
    const card = paymentsCard(period, { providers, total, providerUrls: providers.map((_, i) => link(i)), allRowsUrl: link(1000), totalsUrl: link(1001), indexUrl: link(1002), funders, fundersUrl: link(1003), funderTotalsUrl: link(1004) });
    const shown = text(card);
    assert.ok(Buffer.byteLength(shown) <= CARD_BUDGET_BYTES, `${Buffer.byteLength(shown)} bytes`);
    assert.match(shown, /Provider 249 Home Care/, 'the largest payee is named');
    assert.doesNotMatch(shown, /Provider 0 Home Care/, 'the smallest is in the sum');
    assert.match(shown, new RegExp(`${250 - PAYMENT_ROWS} more providers`));
    for (const n of [1000, 1001, 1002, 1003, 1004]) assert.ok(shown.includes(link(n)), `link ${n}`);
    assert.match(shown, /NHS Greater Manchester ICB: payable £511,250\.00/, 'who pays, by funder');
  });

  it('payments: a small council still gets every provider by name and no index', () => {
    const few = providers.slice(0, 3);
    const shown = text(paymentsCard(period, { providers: few, total, providerUrls: few.map((_, i) => link(i)), allRowsUrl: link(1000), totalsUrl: link(1001), indexUrl: link(1002), funders, fundersUrl: link(1003), funderTotalsUrl: link(1004) }));
    for (const t of few) assert.ok(shown.includes(t.providerName));
    assert.ok(!shown.includes(link(1002)) && !/more provider/.test(shown));
  });

  it('contracts: the largest commitments by provider, lot and zone, the rest summed, within the card budget', () => {
    const lines = (n: number, key: string) => Array.from({ length: n }, (_, i) => ({ key: `${key} ${i} with a long descriptive name`, committed: 1000 + i, delivered: 900 + i }));
    const r: ContractsReport = { byProvider: lines(250, 'Provider'), byLot: lines(40, 'Lot'), byZone: lines(30, 'Zone'), byFunder: [{ key: 'Bury Council', committed: 1, delivered: 1 }], needingReview: [], framework: { spend: 1, min: 0, max: 0, days: 30, status: 'no limits set' }, offContract: [] };
    const shown = text(contractsCard(period, r));
    assert.ok(Buffer.byteLength(shown) <= CARD_BUDGET_BYTES, `${Buffer.byteLength(shown)} bytes`);
    assert.match(shown, /Provider 249 with/);
    assert.match(shown, new RegExp(`${250 - SPEND_LINES} more providers: committed £`));
    assert.match(shown, new RegExp(`${40 - SPEND_LINES} more lots`));
  });
});
