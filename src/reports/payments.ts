import type { Agreement } from '../domain/agreement.js';
import { round2, type Settlement } from '../domain/agreementRules.js';
import { settlementsOf } from '../app/agreements/settlement.js';
import { rulesFor } from '../app/agreements/load.js';
import { COUNCIL_FUNDER } from '../domain/funding.js';
import { settlementSplit, type FunderAmounts } from '../domain/fundingPeriods.js';
import type { AgreementData } from './agreementData.js';
import type { Period } from './period.js';
import { toCsv, type Column } from './csv.js';

/**
 * The payments export for the council's finance system (ContrOCC or another): one row per
 * agreement and agreement period, for every agreement period that starts within the export's
 * dates. The columns below are a contract with finance: add new ones at the end, never rename or
 * reorder. The only personal detail is the council's own case reference, which finance needs to
 * match the payment to the person's record; no name, date of birth or address.
 */
export interface PaymentRow {
  a: Agreement;
  p: Settlement;
  caseRef: string;
  exportFrom: string;
  exportTo: string;
  /** Who pays the period's amounts, split to the penny by the agreement's funding (src/domain/funding.ts), the council first. */
  funders: FunderAmounts[];
  funderName: (id: string) => string;
}

const money = (n: number) => n.toFixed(2);
const hours = (n: number | undefined) => (n === undefined ? '' : n.toFixed(2));

export const PAYMENT_COLUMNS: Column<PaymentRow>[] = [
  { name: 'export_from', about: 'the first day of the export (YYYY-MM-DD)', value: (r) => r.exportFrom },
  { name: 'export_to', about: 'the last day of the export', value: (r) => r.exportTo },
  { name: 'period_start', about: "the first day of the agreement's period (weekly or four-weekly, counted from its start)", value: (r) => r.p.start },
  { name: 'period_end', about: 'the last day of that period', value: (r) => r.p.end },
  { name: 'provider_id', about: "the framework provider's id (empty for an off-contract placement)", value: (r) => r.a.providerId ?? '' },
  { name: 'provider_name', about: "the provider's name", value: (r) => r.a.providerName, text: true },
  { name: 'provider_finance_id', about: "the provider's id in the finance system, as the council set it on the agreement", value: (r) => r.a.versions.at(-1)!.financeCodes.providerFinanceId },
  { name: 'cost_centre', about: 'the cost centre the package is charged to', value: (r) => r.a.versions.at(-1)!.financeCodes.costCentre },
  { name: 'package_reference', about: 'the package reference, PKG-YYYY-NNNN', value: (r) => r.a.ref },
  { name: 'case_reference', about: "the council's case reference for the person (the only personal detail)", value: (r) => r.caseRef, text: true },
  { name: 'agreement_versions', about: 'the agreement versions whose terms applied in the period, ;-separated', value: (r) => r.p.versions.join(';') },
  { name: 'off_contract', about: 'yes for an off-contract placement (paid as planned, on invoice)', value: (r) => r.a.offContract },
  { name: 'planned_hours', about: 'hours planned in the period, suspended days excluded', value: (r) => hours(r.p.plannedHours) },
  { name: 'planned_cost', about: 'the cost of those planned hours (£)', value: (r) => money(r.p.plannedCost) },
  { name: 'delivered_hours', about: 'hours the provider returned as delivered (empty: no return yet)', value: (r) => hours(r.p.delivered) },
  { name: 'return_status', about: 'returned, missing, or not required (off-contract)', value: (r) => (r.a.offContract ? 'not required' : r.p.delivered === undefined ? 'missing' : 'returned') },
  { name: 'variance_pct', about: 'delivered against planned, in % of planned', value: (r) => (r.p.variance && Number.isFinite(r.p.variance.pct) ? r.p.variance.pct.toFixed(2) : '') },
  { name: 'banked_hours', about: 'unused hours put in the bank this period', value: (r) => hours(r.p.bank.banked) },
  { name: 'bank_drawn_hours', about: 'hours above the plan paid from the bank', value: (r) => hours(r.p.bank.drawn) },
  { name: 'unpaid_excess_hours', about: 'hours above the plan the bank did not cover (not paid without a variation)', value: (r) => hours(r.p.bank.excess) },
  { name: 'bank_balance_hours', about: 'hours in the bank after the period', value: (r) => hours(r.p.bank.balance) },
  { name: 'suspended_days', about: 'days of the period under a suspension (e.g. a hospital stay)', value: (r) => r.p.suspendedDays },
  { name: 'retainer', about: "the retainer paid for suspended days under the council's rule (£)", value: (r) => money(r.p.retainer) },
  { name: 'variations', about: 'variations that took effect in the period, as V<n>, ;-separated', value: (r) => variationsIn(r.a, r.p).join(';') },
  { name: 'payable_hours', about: 'delivered hours paid: up to the plan plus banked hours drawn', value: (r) => hours(r.p.payableHours) },
  { name: 'payable_amount', about: 'payable hours at the period’s planned rate, plus the retainer (£)', value: (r) => money(r.p.payable) },
  { name: 'funder_amounts', about: 'who pays payable_amount: funder=£ for each funder, ;-separated, the council first (split to the penny: the parts add up to payable_amount; docs/funding.md)', value: (r) => r.funders.map((f) => `${f.funder}=${money(f.payable)}`).join(';') },
];

const variationsIn = (a: Agreement, p: Settlement) => a.variations.filter((v) => (v.status === 'approved' || v.status === 'applied') && v.effectiveFrom >= p.start && v.effectiveFrom <= p.end).map((v) => `V${v.n}`);

export function paymentRows(data: AgreementData, period: Pick<Period, 'from' | 'to'>): PaymentRow[] {
  const rows: PaymentRow[] = [];
  const funderName = (id: string) => (id === COUNCIL_FUNDER ? 'The council' : (data.funderNames?.get(id) ?? id));
  for (const a of data.agreements) {
    if (a.status === 'awaiting_start') continue;
    for (const p of settlementsOf(a, data.rules, period.to)) {
      if (p.start < period.from || p.start > period.to) continue;
      const funders = settlementSplit(a, p, rulesFor(a, data.rules));
      rows.push({ a, p, caseRef: data.caseRefs.get(a.ref) ?? '', exportFrom: period.from, exportTo: period.to, funders, funderName });
    }
  }
  return rows.sort((x, y) => (x.a.providerName.localeCompare(y.a.providerName)) || x.a.ref.localeCompare(y.a.ref) || x.p.start.localeCompare(y.p.start));
}

export interface ProviderTotal {
  providerId: string;
  providerName: string;
  rows: number;
  plannedHours: number;
  deliveredHours: number;
  payableHours: number;
  retainer: number;
  payable: number;
  missingReturns: number;
}

/** Totals per provider (off-contract placements under their provider's name), and the grand total. */
export function paymentTotals(rows: PaymentRow[]): { providers: ProviderTotal[]; total: ProviderTotal } {
  const by = new Map<string, ProviderTotal>();
  const add = (t: ProviderTotal, r: PaymentRow) => {
    t.rows++;
    t.plannedHours = round2(t.plannedHours + r.p.plannedHours);
    t.deliveredHours = round2(t.deliveredHours + (r.p.delivered ?? 0));
    t.payableHours = round2(t.payableHours + r.p.payableHours);
    t.retainer = round2(t.retainer + r.p.retainer);
    t.payable = round2(t.payable + r.p.payable);
    if (!r.a.offContract && r.p.delivered === undefined) t.missingReturns++;
  };
  const empty = (providerId: string, providerName: string): ProviderTotal => ({ providerId, providerName, rows: 0, plannedHours: 0, deliveredHours: 0, payableHours: 0, retainer: 0, payable: 0, missingReturns: 0 });
  const total = empty('', 'All providers');
  for (const r of rows) {
    const key = r.a.providerId ?? `off-contract:${r.a.providerName}`;
    const t = by.get(key) ?? empty(r.a.providerId ?? '', r.a.providerName);
    by.set(key, t);
    add(t, r);
    add(total, r);
  }
  return { providers: [...by.values()], total };
}

export const TOTAL_COLUMNS: Column<ProviderTotal>[] = [
  { name: 'provider_id', about: "the framework provider's id (empty off-contract and on the total line)", value: (t) => t.providerId },
  { name: 'provider_name', about: 'the provider, or "All providers" on the last line', value: (t) => t.providerName, text: true },
  { name: 'rows', about: 'agreement periods in the export', value: (t) => t.rows },
  { name: 'planned_hours', about: 'sum of planned hours', value: (t) => t.plannedHours.toFixed(2) },
  { name: 'delivered_hours', about: 'sum of delivered hours returned', value: (t) => t.deliveredHours.toFixed(2) },
  { name: 'payable_hours', about: 'sum of payable hours', value: (t) => t.payableHours.toFixed(2) },
  { name: 'retainer', about: 'sum of retainers (£)', value: (t) => t.retainer.toFixed(2) },
  { name: 'payable_amount', about: 'sum payable (£)', value: (t) => t.payable.toFixed(2) },
  { name: 'missing_returns', about: 'periods still without a return (nothing paid for delivered hours until they come in)', value: (t) => t.missingReturns },
];

export interface PaymentFile {
  filename: string;
  csv: string;
}

// ───────────────────────────── by funder (joint funding, issue 24) ─────────────────────────────

/** One funder's part of one agreement period. */
export interface FunderRow {
  r: PaymentRow;
  f: FunderAmounts;
}

export const funderRows = (rows: PaymentRow[]): FunderRow[] => rows.flatMap((r) => r.funders.map((f) => ({ r, f })));

export const FUNDER_COLUMNS: Column<FunderRow>[] = [
  { name: 'export_from', about: 'the first day of the export', value: (x) => x.r.exportFrom },
  { name: 'export_to', about: 'the last day of the export', value: (x) => x.r.exportTo },
  { name: 'period_start', about: "the first day of the agreement's period", value: (x) => x.r.p.start },
  { name: 'period_end', about: 'the last day of that period', value: (x) => x.r.p.end },
  { name: 'funder_id', about: '"council", or the funding partner\'s id', value: (x) => x.f.funder },
  { name: 'funder_name', about: "the funder's name", value: (x) => x.r.funderName(x.f.funder), text: true },
  { name: 'package_reference', about: 'the package reference, PKG-YYYY-NNNN', value: (x) => x.r.a.ref },
  { name: 'case_reference', about: "the council's case reference for the person", value: (x) => x.r.caseRef, text: true },
  { name: 'provider_name', about: "the provider's name (the council pays it as lead commissioner)", value: (x) => x.r.a.providerName, text: true },
  { name: 'planned_cost', about: "this funder's part of the period's planned cost (£)", value: (x) => money(x.f.plannedCost) },
  { name: 'retainer', about: "this funder's part of the retainer (£)", value: (x) => money(x.f.retainer) },
  { name: 'payable_amount', about: "this funder's part of the payable amount (£); a period's parts add up to its payable_amount", value: (x) => money(x.f.payable) },
];

export interface FunderTotal {
  funder: string;
  funderName: string;
  rows: number;
  plannedCost: number;
  retainer: number;
  payable: number;
}

/** Totals per funder (the council first), then "All funders", whose payable equals the providers' total payable. */
export function funderTotals(rows: PaymentRow[]): FunderTotal[] {
  const by = new Map<string, FunderTotal>();
  // Summed in pence, so the totals stay exact.
  const add = (t: FunderTotal, f: FunderAmounts) => {
    t.rows++;
    t.plannedCost = Math.round(t.plannedCost * 100 + f.plannedCost * 100) / 100;
    t.retainer = Math.round(t.retainer * 100 + f.retainer * 100) / 100;
    t.payable = Math.round(t.payable * 100 + f.payable * 100) / 100;
  };
  const total: FunderTotal = { funder: '', funderName: 'All funders', rows: 0, plannedCost: 0, retainer: 0, payable: 0 };
  for (const { r, f } of funderRows(rows)) {
    const t = by.get(f.funder) ?? { funder: f.funder, funderName: r.funderName(f.funder), rows: 0, plannedCost: 0, retainer: 0, payable: 0 };
    by.set(f.funder, t);
    add(t, f);
    add(total, f);
  }
  const list = [...by.values()].sort((x, y) => (x.funder === COUNCIL_FUNDER ? -1 : y.funder === COUNCIL_FUNDER ? 1 : x.funderName.localeCompare(y.funderName)));
  return [...list, { ...total, rows: rows.length }];
}

export const FUNDER_TOTAL_COLUMNS: Column<FunderTotal>[] = [
  { name: 'funder_id', about: '"council", a partner\'s id, or empty on the "All funders" line', value: (t) => t.funder },
  { name: 'funder_name', about: 'the funder, or "All funders" on the last line', value: (t) => t.funderName, text: true },
  { name: 'rows', about: 'agreement periods the funder pays part of (on the last line: all periods)', value: (t) => t.rows },
  { name: 'planned_cost', about: "sum of the funder's parts of planned cost (£)", value: (t) => money(t.plannedCost) },
  { name: 'retainer', about: "sum of the funder's parts of retainers (£)", value: (t) => money(t.retainer) },
  { name: 'payable_amount', about: "sum of the funder's parts payable (£); the last line equals the total payable", value: (t) => money(t.payable) },
];

/** The files: one per provider, all rows together, the totals, then the rows and totals by funder. */
export function paymentFiles(rows: PaymentRow[], period: Pick<Period, 'from' | 'to'>): PaymentFile[] {
  const { providers, total } = paymentTotals(rows);
  const stem = `payments-${period.from}-to-${period.to}`;
  const slug = (t: ProviderTotal) => (t.providerId || `off-contract-${t.providerName}`).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return [
    ...providers.map((t) => ({ filename: `${stem}-${slug(t)}.csv`, csv: toCsv(PAYMENT_COLUMNS, rows.filter((r) => (r.a.providerId ?? `off-contract:${r.a.providerName}`) === (t.providerId || `off-contract:${t.providerName}`))) })),
    { filename: `${stem}-all.csv`, csv: toCsv(PAYMENT_COLUMNS, rows) },
    { filename: `${stem}-totals.csv`, csv: toCsv(TOTAL_COLUMNS, [...providers, total]) },
    { filename: `${stem}-funders.csv`, csv: toCsv(FUNDER_COLUMNS, funderRows(rows)) },
    { filename: `${stem}-funder-totals.csv`, csv: toCsv(FUNDER_TOTAL_COLUMNS, funderTotals(rows)) },
  ];
}

/** Every provider's payments file with its link, for a council with more providers than a card can name. */
export function providerFilesIndex(providers: ProviderTotal[], urls: string[], period: Pick<Period, 'from' | 'to'>): PaymentFile {
  const columns: Column<{ t: ProviderTotal; url: string }>[] = [
    { name: 'provider_id', about: "the framework provider's id (empty for an off-contract placement)", value: (r) => r.t.providerId },
    { name: 'provider_name', about: "the provider's name", value: (r) => r.t.providerName, text: true },
    { name: 'payable_amount', about: 'what is payable to it for the periods (£)', value: (r) => r.t.payable.toFixed(2) },
    { name: 'file', about: 'the link to its CSV (works for a limited time)', value: (r) => r.url, text: true },
  ];
  return { filename: `payments-${period.from}-to-${period.to}-provider-files.csv`, csv: toCsv(columns, providers.map((t, i) => ({ t, url: urls[i] }))) };
}
