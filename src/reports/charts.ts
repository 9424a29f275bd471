/**
 * Charts drawn as plain SVG here and rasterised to PNG on the server with @resvg/resvg-js (resvg,
 * a Rust SVG renderer shipped as a prebuilt binary per platform through npm's optional
 * dependencies: no browser, no native build, no network). Teams shows the PNG in the report card.
 *
 * resvg draws text only with a font it has been given. The font comes with the project: DejaVu Sans
 * from the `dejavu-fonts-ttf` npm package (a dependency), so charts read the same on any server,
 * including a container or an App Service image without /usr/share/fonts. The files are found through
 * Node's resolution (so they work wherever node_modules is); `chartFont()` names them.
 */
import { DEJAVU } from '../fonts.js';
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type { SeriesPoint } from './queries.js';

export const CHART = { width: 640, height: 320 } as const;

const FAMILY = 'DejaVu Sans';

const FONT_FILES = [DEJAVU.regular, DEJAVU.bold];

/** The font files the charts use (both come with the npm package; a missing one means a broken install). */
export function chartFont(): string[] {
  const missing = FONT_FILES.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`chart font missing: ${missing.join(', ')} (reinstall the dejavu-fonts-ttf package)`);
  return FONT_FILES;
}

export interface Raster {
  png: Buffer;
  width: number;
  height: number;
  /** RGBA, row by row: lets tests check the picture is not blank. */
  pixels: Buffer;
}

export function rasterise(svg: string): Raster {
  const files = chartFont();
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    // No system fonts: the same picture on every machine.
    font: { fontFiles: files, loadSystemFonts: false, defaultFontFamily: FAMILY },
  });
  const image = resvg.render();
  return { png: image.asPng(), width: image.width, height: image.height, pixels: Buffer.from(image.pixels) };
}

// ───────────────────────────── drawing helpers ─────────────────────────────

const COLOURS = { bar: '#4f6bed', budget: '#201f1e', grid: '#e1dfdd', axis: '#605e5c', text: '#201f1e', subtle: '#605e5c', p90: '#c4314b', median: '#237b4b' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number) => Math.round(n * 10) / 10;

export function text(x: number, y: number, s: string, o: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: 'bold'; fill?: string; rotate?: number } = {}): string {
  return `<text x="${r1(x)}" y="${r1(y)}"${o.rotate ? ` transform="rotate(${o.rotate} ${r1(x)} ${r1(y)})"` : ''} font-family="${FAMILY}" font-size="${o.size ?? 11}" text-anchor="${o.anchor ?? 'start'}"${o.weight ? ' font-weight="bold"' : ''} fill="${o.fill ?? COLOURS.text}">${esc(s)}</text>`;
}

/** A "nice" axis top and step (1, 2 or 5 × 10^k) with about four steps. */
export function niceScale(max: number, whole = false): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const rough = whole ? Math.max(1, max / 4) : max / 4;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= rough)!;
  return { top: Math.ceil(max / step) * step, step };
}

const gbp = (n: number) => (n >= 10_000 ? `£${Math.round(n / 1000)}k` : n >= 1000 ? `£${(n / 1000).toFixed(1).replace(/\.0$/, '')}k` : `£${Math.round(n)}`);

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

function frame(title: string, subtitle: string, legend: string, body: (f: Frame) => string): string {
  const { width, height } = CHART;
  const f: Frame = { left: 64, top: 92, width: width - 64 - 20, height: height - 92 - 44 };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(16, 28, title, { size: 20, weight: 'bold' }),
    text(16, 50, subtitle, { size: 14, fill: COLOURS.subtle }),
    text(16, 70, legend, { size: 14, fill: COLOURS.subtle }),
    body(f),
    '</svg>',
  ].join('\n');
}

function yAxis(f: Frame, max: number, label: (v: number) => string, whole = false): { y: (v: number) => number; svg: string } {
  const { top, step } = niceScale(max, whole);
  const y = (v: number) => f.top + f.height - (v / top) * f.height;
  const lines: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    lines.push(`<line x1="${f.left}" x2="${f.left + f.width}" y1="${r1(y(v))}" y2="${r1(y(v))}" stroke="${v === 0 ? COLOURS.axis : COLOURS.grid}" stroke-width="1"/>`);
    lines.push(text(f.left - 6, y(v) + 5, label(v), { anchor: 'end', size: 13, fill: COLOURS.subtle }));
  }
  return { y, svg: lines.join('\n') };
}

/** Bar x positions: even slots, bars 60% of a slot (at most 48 px). */
function slots(f: Frame, n: number) {
  const slot = f.width / Math.max(n, 1);
  const bar = Math.min(48, slot * 0.6);
  return { slot, bar, x: (i: number) => f.left + i * slot + (slot - bar) / 2, mid: (i: number) => f.left + i * slot + slot / 2 };
}

/** Thin out x labels so they never overlap (about 8 px a character). */
const labelEvery = (n: number, slot: number, longest: number) => Math.max(1, Math.ceil((longest * 8 + 8) / slot));

// ───────────────────────────── the charts ─────────────────────────────

/**
 * Awards and spend over time: one bar per week or month, its height the weekly spend committed
 * by that bucket's awards, a dark tick at the sum of their personal budgets, and the number of
 * awards written above the bar.
 */
export function awardsSpendSvg(series: SeriesPoint[], periodLabel: string): string {
  const totalAwards = series.reduce((a, s) => a + s.awards, 0);
  const max = Math.max(0, ...series.map((s) => Math.max(s.spend, s.budgets)));
  return frame('Awards and weekly spend committed', periodLabel, `bar: weekly spend · tick: their personal budgets · number: awards (${totalAwards} in all)`, (f) => {
    const axis = yAxis(f, max, gbp);
    const s = slots(f, series.length);
    const every = labelEvery(series.length, s.slot, Math.max(...series.map((p) => p.label.length), 1));
    const parts = [axis.svg];
    series.forEach((p, i) => {
      const top = axis.y(p.spend);
      if (p.spend > 0) parts.push(`<rect x="${r1(s.x(i))}" y="${r1(top)}" width="${r1(s.bar)}" height="${r1(f.top + f.height - top)}" fill="${COLOURS.bar}" rx="2"/>`);
      if (p.budgets > 0) {
        const yb = r1(axis.y(p.budgets));
        parts.push(`<line x1="${r1(s.x(i) - 4)}" x2="${r1(s.x(i) + s.bar + 4)}" y1="${yb}" y2="${yb}" stroke="${COLOURS.budget}" stroke-width="2.5"/>`);
      }
      if (p.awards > 0) parts.push(text(s.mid(i), Math.min(top, axis.y(p.budgets)) - 7, String(p.awards), { anchor: 'middle', weight: 'bold', size: 14 }));
      if (i % every === 0) parts.push(text(s.mid(i), f.top + f.height + 18, p.label, { anchor: 'middle', size: 13, fill: COLOURS.subtle }));
    });
    if (!totalAwards) parts.push(text(f.left + f.width / 2, f.top + f.height / 2, 'No awards in this period', { anchor: 'middle', size: 14, fill: COLOURS.subtle }));
    return parts.join('\n');
  });
}

/** Days from request to award: how many awards took 0–7 days, 8–14, …, with the median and 90th percentile. */
export function daysToAwardSvg(bands: { label: string; count: number }[], stats: { n: number; median?: number; p90?: number }, periodLabel: string): string {
  const summary = stats.n ? `median ${fmtDays(stats.median!)} · 90th percentile ${fmtDays(stats.p90!)} · ${stats.n} award${stats.n === 1 ? '' : 's'}` : 'no awards';
  return frame('Days from request to award', periodLabel, summary, (f) => {
    const axis = yAxis(f, Math.max(0, ...bands.map((b) => b.count)), (v) => String(v), true);
    const s = slots(f, bands.length);
    const parts = [axis.svg];
    bands.forEach((b, i) => {
      const top = axis.y(b.count);
      if (b.count > 0) {
        parts.push(`<rect x="${r1(s.x(i))}" y="${r1(top)}" width="${r1(s.bar)}" height="${r1(f.top + f.height - top)}" fill="${COLOURS.bar}" rx="2"/>`);
        parts.push(text(s.mid(i), top - 6, String(b.count), { anchor: 'middle', weight: 'bold', size: 14 }));
      }
      parts.push(text(s.mid(i), f.top + f.height + 18, b.label, { anchor: 'middle', size: 13, fill: COLOURS.subtle }));
    });
    parts.push(text(f.left + f.width / 2, f.top + f.height + 38, 'days: UK calendar days from submission of the request to award', { anchor: 'middle', size: 12, fill: COLOURS.subtle }));
    if (!stats.n) parts.push(text(f.left + f.width / 2, f.top + f.height / 2, 'No awards in this period', { anchor: 'middle', size: 14, fill: COLOURS.subtle }));
    return parts.join('\n');
  });
}

export const fmtDays = (d: number) => `${Number.isInteger(d) ? d : d.toFixed(1)} day${d === 1 ? '' : 's'}`;
