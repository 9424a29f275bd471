import type { BrokerageStore } from '../store/collections.js';
import { loadAgreementData } from './agreementData.js';
import { contractsReport, type ContractsReport } from './contracts.js';
import { funderTotals, paymentFiles, paymentRows, paymentTotals, providerFilesIndex, type FunderTotal, type ProviderTotal } from './payments.js';
import type { Period } from './period.js';
import type { FileShelf } from './shelf.js';

/**
 * The payments export and the contracts report as the commissioner's reply shows them: read once
 * from the store and computed here, so bot/ only draws the card.
 */

export interface PaymentsExport {
  providers: ProviderTotal[];
  total: ProviderTotal;
  /** The signed link to each provider's CSV, in the order of `providers`. */
  providerUrls: string[];
  allRowsUrl: string;
  totalsUrl: string;
  /** Every provider's file with its link (the card names only the largest). */
  indexUrl: string;
  /** Joint funding (issue 24): totals per funder, the council first, then "All funders"; its CSVs' links. */
  funders: FunderTotal[];
  fundersUrl: string;
  funderTotalsUrl: string;
}

/** Computes the export for the period and puts its CSV files on the shelf behind signed links. */
export async function paymentsExport(store: BrokerageStore, shelf: Pick<FileShelf, 'put'>, period: Period): Promise<PaymentsExport> {
  const rows = paymentRows(await loadAgreementData(store), period);
  const { providers, total } = paymentTotals(rows);
  // paymentFiles lists one file per provider, in the order of `providers`, then all rows, the totals, the funder rows and the funder totals.
  const put = async (f: { csv: string; filename: string }) => (await shelf.put({ body: Buffer.from(f.csv, 'utf8'), contentType: 'text/csv; charset=utf-8', filename: f.filename })).url;
  const urls = await Promise.all(paymentFiles(rows, period).map(put));
  const at = providers.length;
  const providerUrls = urls.slice(0, at);
  const indexUrl = await put(providerFilesIndex(providers, providerUrls, period));
  return { providers, total, providerUrls, allRowsUrl: urls[at], totalsUrl: urls[at + 1], indexUrl, funders: funderTotals(rows), fundersUrl: urls[at + 2], funderTotalsUrl: urls[at + 3] };
}

export async function contractsReportFor(store: BrokerageStore, period: Period): Promise<ContractsReport> {
  return contractsReport(await loadAgreementData(store), period);
}
