import { z } from 'zod';
import { boundedNumber } from './numbers.js';
import { Slug } from './framework.js';

/**
 * A fair cost of care: the council's costing model for an hour of care delivered (a "contact
 * hour"), in the parts of the Homecare Association's Minimum Price method. `costOfCare` returns
 * the sustainable hourly rate with its workings, one line per part, each rounded to the penny
 * (halves up) and worked from the rounded lines above it, so anyone can check a card's figures
 * with a calculator. Pure: no store, no clock.
 *
 *   pay        = hourly pay × (1 h contact + travel minutes ÷ 60 + training minutes ÷ 60)
 *   holiday    = holiday % × pay
 *   gross      = pay + holiday
 *   NI         = effective employer NI % × gross   (NI % of earnings above the yearly threshold,
 *   pension    = effective pension % × gross        for a care worker paid `paidHoursPerWeek`)
 *   mileage    = miles per contact hour × pence per mile
 *   direct     = gross + NI + pension + mileage
 *   cost       = direct + overheads (business costs per contact hour)
 *   surplus    = surplus % × cost
 *   rate       = (cost + surplus) × (1 + the zone's uplift %)
 *
 * The defaults reproduce the Homecare Association's published totals for 2025/26 (docs/market.md
 * says where each one comes from): £22.71 direct care worker costs and £32.14 an hour.
 */

const pct = (what: string, max: number) => boundedNumber(what, 0, max, { percent: true });
const amount = (what: string, min: number, max: number) => boundedNumber(what, min, max, { money: true });

/** The parts of the model a council sets. */
export const CostParameters = z.object({
  payPerHour: amount('care worker hourly pay (£)', 1, 100),
  holidayPct: pct('holiday pay (%)', 30),
  employerNiPct: pct('employer National Insurance (%)', 30),
  niThresholdYearly: amount('National Insurance threshold (£ a year)', 0, 100_000),
  pensionPct: pct('employer pension (%)', 20),
  pensionThresholdYearly: amount('pension threshold (£ a year)', 0, 100_000),
  paidHoursPerWeek: amount('a care worker’s paid hours a week', 1, 60),
  travelMinutesPerHour: amount('travel minutes per contact hour', 0, 60),
  trainingMinutesPerHour: amount('training and supervision minutes per contact hour', 0, 60),
  milesPerHour: amount('miles per contact hour', 0, 60),
  pencePerMile: amount('pence per mile', 0, 200),
  overheadsPerHour: amount('overheads (£ per contact hour)', 0, 100),
  surplusPct: pct('surplus (%)', 50),
});
export type CostParameters = z.infer<typeof CostParameters>;

/** Zone uplifts as a card sends them: one a line, `zone: percent` (e.g. `ramsbottom: 5`). */
export const UpliftsText = z.string().default('').transform((s, ctx): Record<string, number> => {
  const out: Record<string, number> = {};
  s.split(/\r?\n|;|,/)
    .map((l) => l.trim())
    .filter(Boolean)
    .forEach((line, i) => {
      const m = /^([a-z0-9-]+)\s*[:=]\s*(-?[\d.]+)\s*%?$/i.exec(line);
      const value = m ? Number(m[2]) : NaN;
      if (!m || !/^\d+(\.\d+)?$/.test(m[2])) return ctx.addIssue({ code: 'custom', message: `line ${i + 1} ("${line.slice(0, 40)}") must read "zone id: percent", e.g. "ramsbottom: 5"` });
      if (value > 100) return ctx.addIssue({ code: 'custom', message: `line ${i + 1}: an uplift must be at most 100%` });
      out[m[1].toLowerCase()] = value;
    });
  return out;
});

/**
 * A costing model as the council keeps it: `default` for every lot without its own, or a lot's
 * id. Each carries its own zone uplifts (percent on the rate, e.g. for rural travel).
 */
export const CostModel = CostParameters.extend({
  id: z.union([z.literal('default'), Slug]),
  zoneUplifts: z.record(z.number().min(0).max(100)).default({}),
  /** Where the figures come from, in the council's words (e.g. its Fair Cost of Care exercise). */
  source: z.string().trim().max(300, 'source must be at most 300 characters').default(''),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type CostModel = z.infer<typeof CostModel>;

export const DEFAULT_MODEL_ID = 'default';

/** The Homecare Association's Minimum Price 2025/26 in the model's parts (docs/market.md: the source of each). */
export const HCA_2025_26: CostParameters = {
  payPerHour: 12.21,
  holidayPct: 12.07,
  employerNiPct: 15,
  niThresholdYearly: 5000,
  pensionPct: 3,
  pensionThresholdYearly: 6240,
  paidHoursPerWeek: 30,
  travelMinutesPerHour: 18,
  trainingMinutesPerHour: 5,
  milesPerHour: 2.9,
  pencePerMile: 45,
  overheadsPerHour: 8.49,
  surplusPct: 3,
};
export const HCA_SOURCE = 'Homecare Association Minimum Price for Homecare 2025/26 (£32.14 an hour at the £12.21 National Living Wage)';

export const DEFAULT_COST_MODEL: CostModel = { id: DEFAULT_MODEL_ID, ...HCA_2025_26, zoneUplifts: {}, source: HCA_SOURCE };

/** The National Living Wage (21 and over) by the day it took effect (GOV.UK). */
export const NATIONAL_LIVING_WAGE = [
  { from: '2024-04-01', rate: 11.44 },
  { from: '2025-04-01', rate: 12.21 },
  { from: '2026-04-01', rate: 12.71 },
] as const;

/** The National Living Wage in force on a UK day (the earliest known before the table starts). */
export function livingWageOn(day: string): { from: string; rate: number } {
  return [...NATIONAL_LIVING_WAGE].reverse().find((w) => w.from <= day) ?? NATIONAL_LIVING_WAGE[0];
}

/** To the penny, halves up (1.305 → 1.31): the binary fraction of 1.305 sits just below it. */
export const toPence = (x: number): number => Math.round(x * 100 + 1e-6) / 100;
/** A rate to 4 decimals (0.1106 = 11.06%), halves up. */
const toRate = (x: number): number => Math.round(x * 10000 + 1e-9) / 10000;

export interface WorkingLine {
  /** What the line is, e.g. "Travel time". */
  label: string;
  /** How it was worked out, in words and figures, e.g. "£12.21 × 18 min ÷ 60". */
  working: string;
  amount: number;
  /** A subtotal (shown in bold on a card). */
  subtotal?: boolean;
}

export interface CostOfCare {
  /** The sustainable hourly rate, £ per contact hour. */
  rate: number;
  /** Before the zone uplift. */
  baseRate: number;
  upliftPct: number;
  /** Direct care worker costs (pay, on-costs and mileage). */
  direct: number;
  lines: WorkingLine[];
}

const gbp = (n: number) => `£${n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const num = (n: number) => n.toLocaleString('en-GB', { maximumFractionDigits: 4 });
const pctOf = (rate: number) => `${num(Math.round(rate * 1_000_000) / 10_000)}%`;

/** The effective rate of a charge of `pct`% on yearly earnings above `threshold`. */
function effective(pct: number, threshold: number, yearly: number): number {
  return yearly > 0 ? toRate((pct / 100) * Math.max(0, 1 - threshold / yearly)) : 0;
}

/** The figures of the workings, without the words: what a report over many cells needs. */
function parts(m: CostParameters, upliftPct: number) {
  const contact = toPence(m.payPerHour);
  const travel = toPence((m.payPerHour * m.travelMinutesPerHour) / 60);
  const training = toPence((m.payPerHour * m.trainingMinutesPerHour) / 60);
  const pay = toPence(contact + travel + training);
  const holiday = toPence((m.holidayPct / 100) * pay);
  const gross = toPence(pay + holiday);
  const yearly = toPence(m.payPerHour * m.paidHoursPerWeek * 52);
  const niRate = effective(m.employerNiPct, m.niThresholdYearly, yearly);
  const pensionRate = effective(m.pensionPct, m.pensionThresholdYearly, yearly);
  const ni = toPence(niRate * gross);
  const pension = toPence(pensionRate * gross);
  const mileage = toPence((m.milesPerHour * m.pencePerMile) / 100);
  const direct = toPence(gross + ni + pension + mileage);
  const overheads = toPence(m.overheadsPerHour);
  const cost = toPence(direct + overheads);
  const surplus = toPence((m.surplusPct / 100) * cost);
  const baseRate = toPence(cost + surplus);
  const uplift = toPence((upliftPct / 100) * baseRate);
  return { contact, travel, training, pay, holiday, gross, yearly, niRate, pensionRate, ni, pension, mileage, direct, overheads, cost, surplus, baseRate, uplift, rate: toPence(baseRate + uplift) };
}

/** The sustainable hourly rate alone (the same figure costOfCare works out). */
export const sustainableRate = (m: CostParameters, upliftPct = 0): number => parts(m, upliftPct).rate;

/** The sustainable hourly rate of a model, with its workings; `upliftPct` is the zone's uplift. */
export function costOfCare(m: CostParameters, upliftPct = 0): CostOfCare {
  const { contact, travel, training, pay, holiday, gross, yearly, niRate, pensionRate, ni, pension, mileage, direct, overheads, cost, surplus, baseRate, uplift, rate } = parts(m, upliftPct);
  const earns = `a care worker paid ${num(m.paidHoursPerWeek)} h a week earns ${gbp(yearly)} a year`;
  const lines: WorkingLine[] = [
    { label: 'Contact time', working: `${gbp(m.payPerHour)} × 1 h`, amount: contact },
    { label: 'Travel time', working: `${gbp(m.payPerHour)} × ${num(m.travelMinutesPerHour)} min ÷ 60`, amount: travel },
    { label: 'Training and supervision', working: `${gbp(m.payPerHour)} × ${num(m.trainingMinutesPerHour)} min ÷ 60`, amount: training },
    { label: 'Care worker pay', working: 'contact + travel + training', amount: pay, subtotal: true },
    { label: 'Holiday pay', working: `${num(m.holidayPct)}% × ${gbp(pay)}`, amount: holiday },
    { label: 'Gross pay', working: 'pay + holiday', amount: gross, subtotal: true },
    { label: 'Employer National Insurance', working: `${num(m.employerNiPct)}% above ${gbp(m.niThresholdYearly)} a year (${earns}): ${pctOf(niRate)} × ${gbp(gross)}`, amount: ni },
    { label: 'Employer pension', working: `${num(m.pensionPct)}% above ${gbp(m.pensionThresholdYearly)} a year: ${pctOf(pensionRate)} × ${gbp(gross)}`, amount: pension },
    { label: 'Mileage', working: `${num(m.milesPerHour)} miles × ${num(m.pencePerMile)}p`, amount: mileage },
    { label: 'Direct care worker costs', working: 'gross pay + NI + pension + mileage', amount: direct, subtotal: true },
    { label: 'Overheads', working: 'business costs per contact hour (office, registered manager, rent, IT, insurance, CQC fees, recruitment)', amount: overheads },
    { label: 'Surplus', working: `${num(m.surplusPct)}% × ${gbp(cost)}`, amount: surplus },
  ];
  if (uplift || upliftPct) {
    lines.push({ label: 'Rate before the zone uplift', working: 'direct + overheads + surplus', amount: baseRate, subtotal: true });
    lines.push({ label: 'Zone uplift', working: `${num(upliftPct)}% × ${gbp(baseRate)}`, amount: uplift });
  }
  lines.push({ label: 'Sustainable hourly rate', working: uplift || upliftPct ? 'before the uplift + uplift' : 'direct + overheads + surplus', amount: rate, subtotal: true });
  return { rate, baseRate, upliftPct, direct, lines };
}

// ───────────────────────────── which model, and a rate against it ─────────────────────────────

/** The model a lot uses: its own, or the council's default (the HCA figures when none is kept). */
export function modelForLot(models: readonly CostModel[], lot: string): CostModel {
  return models.find((m) => m.id === lot) ?? models.find((m) => m.id === DEFAULT_MODEL_ID) ?? DEFAULT_COST_MODEL;
}

export interface ModelRate {
  rate: number;
  /** The lot whose model gave it (its name when the caller knows it), and whether that is the lot's own model or the default. */
  lot: string;
  lotName?: string;
  own: boolean;
  zone: string;
  upliftPct: number;
}

/**
 * The model rate for a package in these lots and zone: each lot's model with the zone's uplift,
 * and the highest of them (a package in two lots needs the skills of the more demanding one).
 */
export function modelRateFor(models: readonly CostModel[], lots: readonly string[], zone: string): ModelRate {
  let best: ModelRate | undefined;
  for (const lot of lots.length ? lots : [DEFAULT_MODEL_ID]) {
    const m = modelForLot(models, lot);
    const upliftPct = m.zoneUplifts[zone] ?? 0;
    const rate = sustainableRate(m, upliftPct);
    if (!best || rate > best.rate) best = { rate, lot, own: m.id === lot, zone, upliftPct };
  }
  return best!;
}

export interface RateCheck {
  hourlyRate: number;
  modelRate: number;
  /** Below the model: a risk to quality and continuity (care workers cannot be paid what the model pays). */
  below: boolean;
  /** How far below (positive) or above (negative) the model, £ an hour and % of the model rate. */
  gap: number;
  gapPct: number;
}

export function checkRate(hourlyRate: number, modelRate: number): RateCheck {
  const gap = toPence(modelRate - hourlyRate);
  return { hourlyRate, modelRate, below: hourlyRate < modelRate, gap, gapPct: modelRate > 0 ? Math.round((gap / modelRate) * 1000) / 10 : 0 };
}

/** "£24.00/h is £8.14 (25.3%) below the cost-of-care model's £32.14/h: a risk to quality and continuity" */
export function rateCheckText(c: RateCheck): string {
  if (c.below) return `${gbp(c.hourlyRate)}/h is ${gbp(c.gap)} (${c.gapPct}%) below the cost-of-care model's ${gbp(c.modelRate)}/h: a risk to quality and continuity`;
  return `${gbp(c.hourlyRate)}/h is at or above the cost-of-care model's ${gbp(c.modelRate)}/h${c.gap < 0 ? ` (by ${gbp(-c.gap)}, ${-c.gapPct}%)` : ''}`;
}
