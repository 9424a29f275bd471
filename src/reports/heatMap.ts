/**
 * The market heat map (issue 25): lots down, zones across, each cell coloured by what the period
 * showed there (no call-offs, call-offs and no gap, a gap, a gap that persists) and holding its
 * call-offs (small counts suppressed). Drawn as SVG like the other charts (charts.ts) and
 * rasterised with resvg in DejaVu Sans. Its size follows the framework: at 40 lots × 30 zones it is
 * about 1,170 × 1,080 pixels, with every label and number legible when the image is opened (its
 * layout is checked in the tests: rows and columns never closer than the text they hold).
 */
import { shownCount } from '../domain/market.js';
import { text } from './charts.js';
import type { Cell, MarketReport } from './market.js';

export const HEAT = {
  margin: 16,
  /** Lot names (left) and zone names (top, at −60°), in px. */
  labelSize: 12,
  cellSize: 11,
  /** At most this many characters of a name; longer ones end in "…" (the CSV has them whole). */
  lotChars: 28,
  zoneChars: 22,
  column: 30,
  row: 20,
  angle: 60,
  /** DejaVu Sans averages under 0.62 em a character in these names. */
  em: 0.62,
} as const;

export const HEAT_COLOURS = { none: '#f3f2f1', ok: '#c8e6c9', gap: '#f7c873', persistent: '#c4314b', grid: '#ffffff', text: '#201f1e', subtle: '#605e5c', light: '#ffffff' } as const;

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface HeatLayout {
  width: number;
  height: number;
  /** Left edge of the grid, top edge of the grid. */
  gridX: number;
  gridY: number;
  column: number;
  row: number;
  /** Widest lot label and tallest zone label (its vertical extent at the angle), px. */
  lotLabel: number;
  zoneLabel: number;
}

/** Where everything goes for this many lots and zones with these names. */
export function heatLayout(lotNames: string[], zoneNames: string[]): HeatLayout {
  const charPx = HEAT.labelSize * HEAT.em;
  const lotLabel = Math.ceil(Math.max(8, ...lotNames.map((n) => clip(n, HEAT.lotChars).length)) * charPx);
  const zoneLen = Math.ceil(Math.max(4, ...zoneNames.map((n) => clip(n, HEAT.zoneChars).length)) * charPx);
  const rad = (HEAT.angle * Math.PI) / 180;
  const zoneLabel = Math.ceil(zoneLen * Math.sin(rad)) + 8;
  const gridX = HEAT.margin + lotLabel + 10;
  const gridY = 100 + zoneLabel;
  const gridW = Math.max(1, zoneNames.length) * HEAT.column;
  // The last zone's label leans right past the grid.
  const right = Math.ceil(zoneLen * Math.cos(rad));
  return { width: Math.max(640, gridX + gridW + right + HEAT.margin), height: gridY + Math.max(1, lotNames.length) * HEAT.row + 44, gridX, gridY, column: HEAT.column, row: HEAT.row, lotLabel, zoneLabel };
}

const fillOf = (c: Cell) => (c.persistent ? HEAT_COLOURS.persistent : c.reasons.length ? HEAT_COLOURS.gap : c.demand.callOffs ? HEAT_COLOURS.ok : HEAT_COLOURS.none);

/** What a cell says: its call-offs ("<5" for a small count), or "–" where nobody is admitted. */
export const cellLabel = (c: Cell, smallNumber: number) => (c.demand.callOffs ? shownCount(c.demand.callOffs, smallNumber) : c.supply.admitted ? '' : '–');

export function heatMapSvg(r: MarketReport, periodLabel: string): string {
  const { lots, zones } = r;
  const L = heatLayout(
    lots.map((l) => l.name),
    zones.map((z) => z.name),
  );
  const byKey = new Map(r.cells.map((c) => [`${c.lot}|${c.zone}`, c]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}">`,
    `<rect width="${L.width}" height="${L.height}" fill="#ffffff"/>`,
    text(HEAT.margin, 28, 'The market by lot and zone', { size: 20, weight: 'bold' }),
    text(HEAT.margin, 50, `${periodLabel} · number: call-offs published · persistent: a gap in each of the last ${r.rules.persistMonths} months`, { size: 13, fill: HEAT_COLOURS.subtle }),
  ];
  // Legend
  const legend: [string, string][] = [
    [HEAT_COLOURS.none, 'no call-offs'],
    [HEAT_COLOURS.ok, 'call-offs, no gap'],
    [HEAT_COLOURS.gap, 'gap'],
    [HEAT_COLOURS.persistent, 'persistent gap'],
  ];
  let lx = HEAT.margin;
  for (const [fill, label] of legend) {
    parts.push(`<rect x="${lx}" y="62" width="16" height="16" fill="${fill}" stroke="#c8c6c4"/>`);
    parts.push(text(lx + 22, 75, label, { size: 13 }));
    lx += 22 + Math.ceil(label.length * 13 * HEAT.em) + 18;
  }
  parts.push(text(lx, 75, `– no provider admitted · <${r.rules.smallNumber}: fewer than ${r.rules.smallNumber}`, { size: 13, fill: HEAT_COLOURS.subtle }));
  // Zone labels, leaning up and right from each column's middle.
  zones.forEach((z, i) => {
    const x = L.gridX + i * L.column + L.column / 2;
    parts.push(text(x + 3, L.gridY - 6, clip(z.name, HEAT.zoneChars), { size: HEAT.labelSize, rotate: -HEAT.angle }));
  });
  lots.forEach((l, j) => {
    const y = L.gridY + j * L.row;
    parts.push(text(L.gridX - 8, y + L.row / 2 + HEAT.labelSize * 0.35, clip(l.name, HEAT.lotChars), { size: HEAT.labelSize, anchor: 'end' }));
    zones.forEach((z, i) => {
      const c = byKey.get(`${l.id}|${z.id}`);
      if (!c) return;
      const x = L.gridX + i * L.column;
      parts.push(`<rect x="${x}" y="${y}" width="${L.column}" height="${L.row}" fill="${fillOf(c)}" stroke="${HEAT_COLOURS.grid}" stroke-width="1"/>`);
      const label = cellLabel(c, r.rules.smallNumber);
      if (label) parts.push(text(x + L.column / 2, y + L.row / 2 + HEAT.cellSize * 0.36, label, { size: HEAT.cellSize, anchor: 'middle', weight: c.reasons.length ? 'bold' : undefined, fill: c.persistent ? HEAT_COLOURS.light : label === '–' ? HEAT_COLOURS.subtle : HEAT_COLOURS.text }));
    });
  });
  const gridBottom = L.gridY + lots.length * L.row;
  parts.push(text(HEAT.margin, gridBottom + 26, `${r.totals.gaps} gap${r.totals.gaps === 1 ? '' : 's'}, ${r.totals.persistent} persistent, of ${lots.length * zones.length} cells. The market report's CSV has every figure of every cell.`, { size: 12, fill: HEAT_COLOURS.subtle }));
  parts.push('</svg>');
  return parts.join('\n');
}
