import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { rasterise } from '../../src/reports/charts.js';
import { clip, HEAT, HEAT_COLOURS, heatLayout, heatMapSvg } from '../../src/reports/heatMap.js';
import { marketReport, type MarketData } from '../../src/reports/market.js';
import { marketCsv, MARKET_COLUMNS } from '../../src/reports/marketCsv.js';
import { ReportLinks } from '../../src/reports/links.js';
import { buildMarketView } from '../../src/reports/marketFiles.js';
import { marketReportCard } from '../../bot/views/marketCards.js';
import { CARD_BUDGET_BYTES } from '../../bot/render.js';
import { DEFAULT_COST_MODEL } from '../../src/domain/costModel.js';
import { DEFAULT_MARKET_RULES } from '../../src/domain/market.js';
import { marketData, NOVEMBER } from './marketDataset.js';

/**
 * A big council: 40 lots × 30 zones with long names and two providers admitted everywhere.
 * Cells by (lot + zone) mod 4: 0 every call-off had two bids (no gap); 1 no bid, in November only
 * (a gap); 2 and 3 no bid in September, October and November (a gap that persists); and a few
 * cells with nothing.
 */
function bigMarket(): MarketData {
  const lots = Array.from({ length: 40 }, (_, i) => ({ id: `lot-${i}`, name: `Lot ${i}: complex physical disability and sensory impairment` }));
  const zones = Array.from({ length: 30 }, (_, i) => ({ id: `zone-${i}`, name: `Zone ${i}: North Ramsbottom and Edenfield` }));
  const requests = [];
  const bids = [];
  let n = 0;
  for (let i = 0; i < 40; i++)
    for (let j = 0; j < 30; j++) {
      const kind = (i + j) % 4;
      const count = (i * 7 + j * 3) % 9;
      for (let k = 0; k < count; k++) {
        const id = `PKG-2026-${String(++n).padStart(5, '0')}`;
        const month = kind === 1 ? '11' : ['09', '10', '11'][k % 3];
        requests.push({ id, state: 'evaluated', person: { zone: `zone-${j}` }, package: { lots: [`lot-${i}`] }, submittedAt: `2026-${month}-02T10:00:00Z`, calloff: { publishedAt: `2026-${month}-03T10:00:00Z`, closedAt: `2026-${month}-10T10:00:00Z`, offers: [] } });
        if (kind === 0) for (const p of ['p1', 'p2']) bids.push({ id: `${id}:${p}`, ref: id, providerId: p, status: 'active', versions: [], submittedAt: '' });
      }
    }
  const everywhere = { status: 'admitted' as const, lots: lots.map((l) => l.id), zones: zones.map((z) => z.id) };
  return { requests: requests as never, bids: bids as never, agreements: [], submitted: new Map(), providers: [{ id: 'p1', name: 'P1', ...everywhere }, { id: 'p2', name: 'P2', ...everywhere }], lots, zones, capacity: [], costModels: [DEFAULT_COST_MODEL], rules: DEFAULT_MARKET_RULES, now: new Date('2026-11-30T12:00:00Z') };
}

describe('reports/market: the CSV and the heat map (issue 25)', () => {
  it('the CSV has the documented columns, one row per lot × zone, small counts as "<5"', () => {
    const csv = marketCsv(marketReport(marketData(), NOVEMBER));
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], MARKET_COLUMNS.map((c) => c.name).join(','));
    assert.equal(lines[0], 'period_from,period_to,lot,lot_name,zone,zone_name,call_offs,closed,bids,bids_per_call_off,no_bid,one_bid,cascades,cascade_zones,cascade_providers,cascade_awarded,cascade_off_contract,off_contract,off_contract_weeks,hand_backs,starts,median_days_to_start,providers_admitted,providers_active,capacity_yes,capacity_hours,capacity_no,capacity_stale,model_rate,awards,median_awarded_rate,awards_below_model,gap,gap_reasons,persistent,gap_months');
    assert.equal(lines.length, 1 + 2 * 2, 'two lots × two zones');
    // Autism in Radcliffe (worked in market.test.ts): 3 call-offs, 2 closed, 1 bid (0.50 each), …
    assert.equal(
      lines.find((l) => l.includes(',autism,Autism,radcliffe,')),
      '2026-11-01,2026-11-30,autism,Autism,radcliffe,Radcliffe,<5,<5,1,0.50,<5,<5,<5,2,1,0,<5,<5,1.6,0,<5,25.5,1,1,1,20,0,0,32.14,<5,24.00,<5,yes,no bid on 50% of closed call-offs (gap from 20%); one bid or none on 100% (gap from 50%); off-contract placements: <5 (gap from 1); 1 provider admitted (gap below 2),yes,2026-09;2026-10;2026-11',
    );
    // Learning disability in Radcliffe: nothing happened; one provider admitted, with capacity.
    assert.equal(lines.find((l) => l.includes(',learning-disability,Learning disability,radcliffe,')), '2026-11-01,2026-11-30,learning-disability,Learning disability,radcliffe,Radcliffe,0,0,0,,0,0,0,0,0,0,0,0,0.0,0,0,,1,0,1,20,0,0,32.14,0,,0,no,,no,');
  });

  it('at 40 lots × 30 zones every label and number has room: rows, rotated columns and cells are never closer than their text', () => {
    const data = bigMarket();
    const layout = heatLayout(data.lots.map((l) => l.name), data.zones.map((z) => z.name));
    assert.ok(layout.row >= HEAT.labelSize + 4, 'lot labels one a row, with space between');
    // Rotated zone labels stand apart by the column width × sin(angle), measured across the text.
    assert.ok(layout.column * Math.sin((HEAT.angle * Math.PI) / 180) >= HEAT.labelSize + 2, 'zone labels do not touch');
    // The widest thing a cell holds is "<10" (a threshold up to 100: "<99"), at the cell size.
    assert.ok(3 * HEAT.cellSize * HEAT.em + 4 <= layout.column, 'a cell holds "<99"');
    assert.ok(layout.width <= 1300 && layout.height <= 1200, `${layout.width} × ${layout.height}: opens at full size on a laptop`);
    const svg = heatMapSvg(marketReport(data, NOVEMBER), NOVEMBER.label);
    for (const l of data.lots) assert.ok(svg.includes(`>${clip(l.name, HEAT.lotChars)}<`), l.name);
    for (const z of data.zones) assert.ok(svg.includes(`>${clip(z.name, HEAT.zoneChars)}<`), z.name);
  });

  it('rasterises to a PNG of the layout’s size, not blank, in the four colours', async () => {
    const data = bigMarket();
    const layout = heatLayout(data.lots.map((l) => l.name), data.zones.map((z) => z.name));
    const raster = rasterise(heatMapSvg(marketReport(data, NOVEMBER), NOVEMBER.label));
    assert.equal(raster.png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([raster.width, raster.height], [layout.width, layout.height]);
    const colour = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < raster.pixels.length; i += 4) if (raster.pixels[i] === r && raster.pixels[i + 1] === g && raster.pixels[i + 2] === b) n++;
      return n;
    };
    // Cells are 30 × 20 px: each colour that appears fills whole cells.
    for (const [name, hex] of Object.entries({ none: HEAT_COLOURS.none, ok: HEAT_COLOURS.ok, gap: HEAT_COLOURS.gap, persistent: HEAT_COLOURS.persistent })) assert.ok(colour(hex) > 300, `${name} cells are drawn`);
    if (process.env.CARD_PNG_DIR) await writeFile(`${process.env.CARD_PNG_DIR}/market-heat-map-40x30.png`, raster.png);
  });

  it('the market card stays within Teams’ 28 KB at 40 × 30 with a page of gaps', () => {
    const data = bigMarket();
    const links = new ReportLinks({ ttlMs: 86_400_000, baseUrl: () => 'https://bot.council.example', now: () => data.now });
    const view = buildMarketView(data, NOVEMBER, links);
    assert.ok(view.report.gaps.length > 100);
    for (const page of [1, 2, Math.ceil(view.report.gaps.length / 6)]) {
      const bytes = Buffer.byteLength(JSON.stringify(marketReportCard(view, { canAct: true, page })));
      assert.ok(bytes < CARD_BUDGET_BYTES, `page ${page}: ${bytes} bytes`);
    }
  });
});
