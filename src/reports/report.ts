/**
 * A whole report for a period: the figures, the chart images and the CSV files, the files put on
 * the shelf behind signed links. Plain data in, plain data out; bot/ turns it into a card.
 */
import type { BrokerageStore } from '../store/collections.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../app/framework/entities.js';
import { awardsSpendSvg, daysToAwardSvg, rasterise } from './charts.js';
import { csvOf, EXPORTS, type ExportName } from './csv.js';
import type { FileShelf } from './links.js';
import { showDay, type Period } from './period.js';
import { awardsOverTime, choiceStats, daysDistribution, equality, headline, providerStats, type ChoiceStats, type Equality, type Headline, type ProviderStats, type ReportData } from './queries.js';
import { requestsInMonths } from '../app/requests/indexes.js';
import { bidId, type Bid } from '../domain/calloff.js';

/**
 * What a report for the period reads: the requests filed under its months (submitted, published or
 * awarded then) and their bids, so a report costs its period, not ten years of call-offs.
 */
export async function loadReportData(store: BrokerageStore, period: Pick<Period, 'from' | 'to'>): Promise<ReportData> {
  const requests = await requestsInMonths(store, period.from, period.to);
  const bidIds = requests.flatMap((r) => (r.calloff?.offers ?? []).map((o) => bidId(r.id, o.providerId)));
  const [bids, providers, lots, zones, settings] = await Promise.all([
    Promise.all(bidIds.map((id) => store.get('bids', id))).then((bs) => bs.filter((b): b is Bid => !!b)),
    store.find('providers'),
    store.find('lots'),
    store.find('zones'),
    store.get('settings', SETTINGS_ID),
  ]);
  return { requests, bids, providers, lots, zones, minHourlyRate: (settings ?? DEFAULT_SETTINGS).minHourlyRate };
}

export interface Link {
  title: string;
  url: string;
}

export interface Report {
  period: Period;
  headline: Headline;
  choices: ChoiceStats;
  charts: (Link & { name: 'awards-spend' | 'days-to-award' })[];
  csvs: (Link & { name: ExportName })[];
  expiresAt: Date;
}

const slug = (p: Period) => `${p.from}_to_${p.to}`;

export function buildReport(data: ReportData, period: Period, shelf: FileShelf): Report {
  const h = headline(data, period);
  const charts: Report['charts'] = [];
  let expiresAt = new Date(0);
  const chart = (name: Report['charts'][number]['name'], title: string, svg: string) => {
    const put = shelf.put({ body: rasterise(svg).png, contentType: 'image/png' });
    expiresAt = put.expiresAt;
    charts.push({ name, title, url: put.url });
  };
  const span = `${showDay(period.from)} to ${showDay(period.to)} (UK time)`;
  chart('awards-spend', 'Awards and weekly spend committed', awardsSpendSvg(awardsOverTime(data, period), span));
  chart('days-to-award', 'Days from request to award', daysToAwardSvg(daysDistribution(data, period), h.daysToAward, span));
  const csvs = (Object.keys(EXPORTS) as ExportName[]).map((name) => {
    const text = csvOf[name](data, period);
    const put = shelf.put({ body: Buffer.from(text, 'utf8'), contentType: 'text/csv; charset=utf-8', filename: `${EXPORTS[name].file}_${slug(period)}.csv` });
    return { name, title: CSV_TITLES[name], url: put.url };
  });
  return { period, headline: h, choices: choiceStats(data, period), charts, csvs, expiresAt };
}

const CSV_TITLES: Record<ExportName, string> = { awards: 'Awards', calloffs: 'Call-offs', bids: 'Bids', offContract: 'Off-contract' };

export function providersReport(data: ReportData, period: Period): { period: Period; providers: ProviderStats[] } {
  return { period, providers: providerStats(data, period) };
}

export function equalityReport(data: ReportData, period: Period): { period: Period; equality: Equality } {
  return { period, equality: equality(data, period) };
}
