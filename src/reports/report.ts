/**
 * A whole report for a period: the figures, and signed links to its chart images and CSV files,
 * which are drawn when a link is opened (reportFile). Plain data in, plain data out; bot/ turns it
 * into a card.
 */
import type { BrokerageStore } from '../store/collections.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../app/framework/entities.js';
import { awardsSpendSvg, daysToAwardSvg, rasterise } from './charts.js';
import { csvOf, EXPORTS, type ExportName } from './csv.js';
import type { LinkSpec, ReportFile, ReportLinks, ServedFile } from './links.js';
import { showDay, type Period } from './period.js';
import { awardsOverTime, cardOf, choiceStats, daysDistribution, equality, headline, providerStats, type CardData, type ChoiceStats, type Equality, type Headline, type ProviderStats, type ReportData } from './queries.js';
import { listOf, reading } from '../store/reading.js';
import { approvalFigures, type ApprovalData, type ApprovalFigures } from './approvals.js';
import type { MarketFile } from './marketFiles.js';

/**
 * What a report for the period reads: the requests with a reportable moment in it (submitted,
 * published, chosen or awarded then) and their bids, so a report costs its period, not ten years
 * of call-offs. The range is widened a day each side for UK time; the queries filter exactly.
 * The CSVs, charts, providers and equality reports need all of it; the card needs loadCardData.
 */
export async function loadReportData(store: BrokerageStore, period: Pick<Period, 'from' | 'to'>): Promise<ReportData> {
  const { requests, bids } = await reading(store, async (tx) => {
    const requests = await tx.requestsActiveBetween(shiftDay(period.from, -1), shiftDay(period.to, 1));
    return { requests, bids: await tx.bidsOf(requests.filter((r) => r.calloff).map((r) => r.id)) };
  });
  const [providers, lots, zones, settings] = await Promise.all([
    listOf(store, 'providers'),
    listOf(store, 'lots'),
    listOf(store, 'zones'),
    store.get('settings', SETTINGS_ID),
  ]);
  return { requests, bids, providers, lots, zones, minHourlyRate: (settings ?? DEFAULT_SETTINGS).minHourlyRate };
}

/**
 * What the report card reads for the period: the same requests trimmed to the fields its figures
 * use, with their active bids counted by the store, so a year of call-offs is read in seconds.
 */
export async function loadCardData(store: BrokerageStore, period: Pick<Period, 'from' | 'to'>): Promise<CardData> {
  const requests = await reading(store, (tx) => tx.requestFiguresBetween(shiftDay(period.from, -1), shiftDay(period.to, 1)));
  return { requests, activeBids: new Map(requests.map((r) => [r.id, r.activeBids])) };
}

function shiftDay(day: string, by: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + by);
  return d.toISOString().slice(0, 10);
}

export interface Link {
  title: string;
  url: string;
}

export interface Report {
  period: Period;
  headline: Headline;
  choices: ChoiceStats;
  /** Decisions under the scheme of delegation (src/reports/approvals.ts), when loaded. */
  approvals?: ApprovalFigures;
  charts: (Link & { name: 'awards-spend' | 'days-to-award' })[];
  csvs: (Link & { name: ExportName | 'approvals' })[];
  expiresAt: Date;
}

const slug = (p: Pick<Period, 'from' | 'to'>) => `${p.from}_to_${p.to}`;

const CHART_TITLES = { 'awards-spend': 'Awards and weekly spend committed', 'days-to-award': 'Days from request to award' } as const;
/** CSV exports by the file name their links carry. */
const CSV_FILES: Record<Exclude<ReportFile, keyof typeof CHART_TITLES | 'approvals' | MarketFile>, ExportName> = { awards: 'awards', calloffs: 'calloffs', bids: 'bids', 'off-contract': 'offContract' };

export function buildReport(data: CardData, period: Period, links: ReportLinks, approvals?: ApprovalData): Report {
  const h = headline(data, period);
  let expiresAt = new Date(0);
  const link = (file: ReportFile) => {
    const made = links.link({ file, from: period.from, to: period.to });
    expiresAt = made.expiresAt;
    return made.url;
  };
  const charts: Report['charts'] = (Object.keys(CHART_TITLES) as (keyof typeof CHART_TITLES)[]).map((name) => ({ name, title: CHART_TITLES[name], url: link(name) }));
  const csvs: Report['csvs'] = (Object.entries(CSV_FILES) as [ReportFile, ExportName][]).map(([file, name]) => ({ name, title: CSV_TITLES[name], url: link(file) }));
  if (approvals) csvs.push({ name: 'approvals', title: 'Approvals', url: link('approvals') });
  return { period, headline: h, choices: choiceStats(data, period), approvals: approvals && approvalFigures(approvals), charts, csvs, expiresAt };
}

/** Draws one file of a report from the data for its period: what a link gives when it is opened. */
export function reportFile(data: ReportData, spec: LinkSpec & { file: Exclude<ReportFile, MarketFile> }): ServedFile {
  const period = { from: spec.from, to: spec.to };
  const span = `${showDay(period.from)} to ${showDay(period.to)} (UK time)`;
  if (spec.file === 'awards-spend') return { body: rasterise(awardsSpendSvg(awardsOverTime(data, period), span)).png, contentType: 'image/png' };
  if (spec.file === 'days-to-award') return { body: rasterise(daysToAwardSvg(daysDistribution(data, period), headline(cardOf(data), period).daysToAward, span)).png, contentType: 'image/png' };
  if (spec.file === 'approvals') throw new Error('the approvals CSV is drawn from loadApprovalData (files.ts)');
  const name = CSV_FILES[spec.file];
  return { body: Buffer.from(csvOf[name](data, period), 'utf8'), contentType: 'text/csv; charset=utf-8', filename: `${EXPORTS[name].file}_${slug(period)}.csv` };
}

const CSV_TITLES: Record<ExportName, string> = { awards: 'Awards', calloffs: 'Call-offs', bids: 'Bids', offContract: 'Off-contract' };

export function providersReport(data: ReportData, period: Period): { period: Period; providers: ProviderStats[] } {
  return { period, providers: providerStats(data, period) };
}

export function equalityReport(data: ReportData, period: Period): { period: Period; equality: Equality } {
  return { period, equality: equality(data, period) };
}
