/**
 * The market report as the commissioner's card shows it (issue 25), with signed links to its heat
 * map and CSV, which are drawn again from the store when a link is opened (files.ts), like the
 * headline report's. A link names the file and the period only.
 */
import { rasterise } from './charts.js';
import { heatMapSvg } from './heatMap.js';
import type { LinkSpec, ReportLinks, ServedFile } from './links.js';
import { marketReport, type MarketData, type MarketReport } from './market.js';
import { marketCsv } from './marketCsv.js';
import { showDay, type Period } from './period.js';

export const MARKET_FILES = ['market-map', 'market'] as const;
export type MarketFile = (typeof MARKET_FILES)[number];
export const isMarketFile = (file: string): file is MarketFile => (MARKET_FILES as readonly string[]).includes(file);

export interface MarketView {
  report: MarketReport;
  map: { url: string; title: string };
  csv: { url: string; title: string };
  expiresAt: Date;
}

export function buildMarketView(data: MarketData, period: Period, links: ReportLinks): MarketView {
  const map = links.link({ file: 'market-map', from: period.from, to: period.to });
  const csv = links.link({ file: 'market', from: period.from, to: period.to });
  return { report: marketReport(data, period), map: { url: map.url, title: 'The market by lot and zone' }, csv: { url: csv.url, title: 'Market by lot and zone (CSV)' }, expiresAt: csv.expiresAt };
}

/** Draws the heat map or the CSV for a link's period from the data as it is now. */
export function marketFile(data: MarketData, spec: LinkSpec & { file: MarketFile }): ServedFile {
  const period: Period = { from: spec.from, to: spec.to, label: `${showDay(spec.from)} to ${showDay(spec.to)}` };
  const report = marketReport(data, period);
  if (spec.file === 'market-map') return { body: rasterise(heatMapSvg(report, `${period.label} (UK time)`)).png, contentType: 'image/png' };
  return { body: Buffer.from(marketCsv(report), 'utf8'), contentType: 'text/csv; charset=utf-8', filename: `market_${spec.from}_to_${spec.to}.csv` };
}
