import type { AgreementVersion, ContractRules, DeliveredReturn, Element, PeriodKind, Suspension } from './agreement.js';

/**
 * The money rules of a service agreement, pure: planned hours and cost a day, periods, variance,
 * banking, the retainer during a suspension, and what is payable for a period. Days are ISO
 * calendar days ("2026-12-14"); amounts are rounded to pennies only at the end of a period, so a
 * period's figures add up the way a person working them by hand would add them.
 */

export const round2 = (x: number) => Math.round((x + Number.EPSILON) * 100) / 100;

export const weeklyCostOf = (els: Element[]) => round2(els.reduce((t, e) => t + e.hoursPerWeek * e.hourlyRate, 0));
export const hoursOf = (els: Element[]) => round2(els.reduce((t, e) => t + e.hoursPerWeek, 0));

/** What changed between two sets of terms, in words (e.g. "hours 21 → 28 a week; Waking night added (7 h at £22.00)"). */
export function termsChange(before: { elements: Element[]; endDate?: string }, after: { elements: Element[]; endDate?: string }): string {
  const parts: string[] = [];
  const same = (x: Element, y: Element) => x.name.toLowerCase() === y.name.toLowerCase();
  const hb = hoursOf(before.elements);
  const ha = hoursOf(after.elements);
  if (hb !== ha) parts.push(`hours ${hb} → ${ha} a week`);
  for (const e of after.elements) {
    const was = before.elements.find((b) => same(b, e));
    if (!was) parts.push(`${e.name} added (${e.hoursPerWeek} h at £${e.hourlyRate.toFixed(2)})`);
    else if (was.hourlyRate !== e.hourlyRate) parts.push(`${e.name} rate £${was.hourlyRate.toFixed(2)} → £${e.hourlyRate.toFixed(2)}`);
  }
  for (const b of before.elements) if (!after.elements.some((e) => same(e, b))) parts.push(`${b.name} removed`);
  if ((before.endDate ?? '') !== (after.endDate ?? '')) parts.push(`end date ${before.endDate || 'none'} → ${after.endDate || 'none'}`);
  return parts.join('; ') || 'no change to the terms';
}

const DAY_MS = 86_400_000;
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

export const periodLength = (kind: PeriodKind) => (kind === 'weekly' ? 7 : 28);

export interface Period {
  start: string;
  end: string;
}

/** The period (counted from the agreement's start) that holds `day`. */
export function periodContaining(start: string, kind: PeriodKind, day: string): Period {
  const len = periodLength(kind);
  const i = Math.floor(daysBetween(start, day) / len);
  const s = addDays(start, i * len);
  return { start: s, end: addDays(s, len - 1) };
}

/** The agreement's periods that start between `from` and `to` (both included). */
export function periodsStarting(start: string, kind: PeriodKind, from: string, to: string): Period[] {
  const out: Period[] = [];
  const len = periodLength(kind);
  let p = daysBetween(start, from) <= 0 ? start : periodContaining(start, kind, from).start;
  if (p < from) p = addDays(p, len);
  for (; p <= to; p = addDays(p, len)) out.push({ start: p, end: addDays(p, len - 1) });
  return out;
}

/** The terms in force on a day: the latest version (by number) already effective then. */
export function versionOn(versions: AgreementVersion[], day: string): AgreementVersion | undefined {
  let found: AgreementVersion | undefined;
  for (const v of versions) if (v.effectiveFrom <= day && (!found || v.version > found.version)) found = v;
  return found;
}

/** Every version in force on some day from `day` on: the one in force that day, then each later one that takes over. */
export function versionsFrom(versions: AgreementVersion[], day: string): AgreementVersion[] {
  const first = versionOn(versions, day);
  const later = versions.filter((v) => v.effectiveFrom > day && versionOn(versions, v.effectiveFrom) === v);
  return first ? [first, ...later] : later;
}

export interface DayPlan {
  day: string;
  hours: number;
  cost: number;
  /** The suspension that covers the day, and how many days into it the day falls (0 = first). */
  suspended?: { id: string; dayIndex: number };
  version: number;
}

/**
 * The plan for each day of a period: a seventh of the week's hours and cost, on days between the
 * start and the end (the latest version's), under the version in force that day.
 */
export function dayPlans(versions: AgreementVersion[], suspensions: Suspension[], p: Period): DayPlan[] {
  const last = versions.at(-1);
  if (!last) return [];
  const out: DayPlan[] = [];
  for (let d = p.start; d <= p.end; d = addDays(d, 1)) {
    if (d < last.startDate || (last.endDate && d > last.endDate)) continue;
    const v = versionOn(versions, d) ?? versions[0];
    const s = suspensions.find((x) => x.from <= d && d <= x.to);
    out.push({ day: d, hours: v.hoursPerWeek / 7, cost: v.weeklyCost / 7, version: v.version, suspended: s ? { id: s.id, dayIndex: daysBetween(s.from, d) } : undefined });
  }
  return out;
}

/**
 * What is wrong with a last day for an agreement (an ending, a hand-back, a re-brokering), if
 * anything: once started, not before the start; and not before the end of a period already
 * returned, which the ending would re-price (or drop from the payments export).
 */
export function lastDayProblem(a: { startDate: string; started: boolean; returned: string[]; period: PeriodKind }, on: string): string | undefined {
  if (a.started && on < a.startDate) return `the last day cannot be before the start (${a.startDate})`;
  const latest = [...a.returned].sort().map((start) => periodContaining(a.startDate, a.period, start)).filter((p) => on < p.end).at(-1);
  if (latest) return `the last day cannot be before ${latest.end}: the return for the period from ${latest.start} is in`;
  return undefined;
}

export interface Variance {
  planned: number;
  delivered: number;
  /** delivered − planned, in hours. */
  diff: number;
  /** diff as a percentage of planned (Infinity when nothing was planned but hours were delivered). */
  pct: number;
  beyond: boolean;
}

/** Delivered against planned; beyond tolerance when the difference is more than tolerancePct of the plan. */
export function variance(planned: number, delivered: number, tolerancePct: number): Variance {
  const diff = round2(delivered - planned);
  const pct = planned > 0 ? round2((diff / planned) * 100) : diff === 0 ? 0 : Infinity;
  return { planned: round2(planned), delivered: round2(delivered), diff, pct, beyond: Math.abs(pct) > tolerancePct };
}

/** Banked hours: each lot is kept apart so it can expire on its own date (first in, first out). */
export interface BankLot {
  hours: number;
  /** The last day these hours can be used (in a period that starts by then). */
  expires: string;
}

export interface BankStep {
  lots: BankLot[];
  /** Hours added to the bank from this period's under-delivery (within the limit). */
  banked: number;
  /** Under-delivered hours the limit would not take (lost, not paid). */
  forfeited: number;
  drawn: number;
  /** Delivered hours above plan the bank could not cover: these need a variation to be paid. */
  excess: number;
  expired: number;
  balance: number;
}

/**
 * One period's move on the bank. Expired lots go first; then under-delivery is banked up to
 * `bankMaxHours` in total, to last `bankMaxWeeks` from the period's end; over-delivery draws on
 * the oldest lots. Within those limits nothing needs approval: that is the flexibility the
 * council gives providers. Anything beyond is "excess" and waits for a variation.
 */
export function bankStep(lots: BankLot[], p: Period, planned: number, delivered: number, rules: Pick<ContractRules, 'bankMaxHours' | 'bankMaxWeeks'>): BankStep {
  const live = lots.filter((l) => l.expires >= p.start).map((l) => ({ ...l }));
  const expired = round2(lots.filter((l) => l.expires < p.start).reduce((t, l) => t + l.hours, 0));
  let balance = live.reduce((t, l) => t + l.hours, 0);
  let banked = 0;
  let forfeited = 0;
  let drawn = 0;
  let excess = 0;
  const diff = round2(delivered - planned);
  if (diff < 0) {
    const room = rules.bankMaxWeeks > 0 ? Math.max(0, rules.bankMaxHours - balance) : 0;
    banked = round2(Math.min(-diff, room));
    forfeited = round2(-diff - banked);
    if (banked > 0) live.push({ hours: banked, expires: addDays(p.end, rules.bankMaxWeeks * 7) });
  } else if (diff > 0) {
    let need = diff;
    for (const l of live) {
      const take = Math.min(l.hours, need);
      l.hours = round2(l.hours - take);
      need = round2(need - take);
      drawn += take;
      if (!need) break;
    }
    drawn = round2(drawn);
    excess = round2(need);
  }
  const left = live.filter((l) => l.hours > 0);
  balance = round2(left.reduce((t, l) => t + l.hours, 0));
  return { lots: left, banked, forfeited, drawn, excess, expired, balance };
}

/** The retainer for one suspended day: a share of that day's cost while within the retainer weeks. */
export function retainerFor(dayCost: number, dayIndex: number, rules: Pick<ContractRules, 'retainerPct' | 'retainerWeeks'>): number {
  return dayIndex < rules.retainerWeeks * 7 ? (dayCost * rules.retainerPct) / 100 : 0;
}

export interface Settlement extends Period {
  plannedHours: number;
  plannedCost: number;
  /** The versions in force during the period, e.g. [2, 3] when a variation starts mid-period. */
  versions: number[];
  suspendedDays: number;
  retainer: number;
  /** undefined: no return yet. */
  delivered?: number;
  returnSource?: DeliveredReturn['source'];
  variance?: Variance;
  bank: Omit<BankStep, 'lots'>;
  payableHours: number;
  /** Payable for delivered hours (at the period's planned rate) plus the retainer. */
  payable: number;
}

/**
 * The agreement's periods up to `until` (the period holding it), each settled in turn: the bank
 * carries from one to the next. Suspended days are out of the plan (the provider is not expected
 * to deliver) and earn the retainer instead. Delivered hours are paid at the period's average
 * planned rate (planned cost ÷ planned hours), up to the plan plus what the bank covers. A period
 * with no return pays only its retainer until the return comes in. A period that was returned is
 * never dropped, even where the last day was later put before it (an old hand-back could): it
 * shows its hours, with nothing planned and nothing payable without a variation.
 */
export function settle(
  a: { versions: AgreementVersion[]; suspensions: Suspension[]; returns: DeliveredReturn[] },
  rules: Pick<ContractRules, 'period' | 'tolerancePct' | 'bankMaxHours' | 'bankMaxWeeks' | 'retainerPct' | 'retainerWeeks'>,
  until: string,
): Settlement[] {
  const last = a.versions.at(-1);
  if (!last) return [];
  const lastReturned = a.returns.map((r) => r.periodStart).filter((d) => d <= until).sort().at(-1) ?? '';
  const ends = last.endDate && last.endDate < until ? last.endDate : until;
  const stop = lastReturned > ends ? lastReturned : ends;
  const out: Settlement[] = [];
  let lots: BankLot[] = [];
  for (const p of periodsStarting(last.startDate, rules.period, last.startDate, stop)) {
    const days = dayPlans(a.versions, a.suspensions, p);
    const active = days.filter((d) => !d.suspended);
    const plannedHours = active.reduce((t, d) => t + d.hours, 0);
    const plannedCost = active.reduce((t, d) => t + d.cost, 0);
    const retainer = days.reduce((t, d) => t + (d.suspended ? retainerFor(d.cost, d.suspended.dayIndex, rules) : 0), 0);
    const ret = a.returns.find((r) => r.periodStart === p.start);
    let payableHours = 0;
    let bank: Omit<BankStep, 'lots'> = { banked: 0, forfeited: 0, drawn: 0, excess: 0, expired: 0, balance: round2(lots.reduce((t, l) => t + l.hours, 0)) };
    let v: Variance | undefined;
    if (ret) {
      const step = bankStep(lots, p, plannedHours, ret.hours, rules);
      lots = step.lots;
      bank = { banked: step.banked, forfeited: step.forfeited, drawn: step.drawn, excess: step.excess, expired: step.expired, balance: step.balance };
      payableHours = Math.min(ret.hours, plannedHours + step.drawn);
      v = variance(plannedHours, ret.hours, rules.tolerancePct);
    }
    const rate = plannedHours > 0 ? plannedCost / plannedHours : 0;
    out.push({
      ...p,
      plannedHours: round2(plannedHours),
      plannedCost: round2(plannedCost),
      versions: [...new Set(days.map((d) => d.version))],
      suspendedDays: days.length - active.length,
      retainer: round2(retainer),
      delivered: ret?.hours,
      returnSource: ret?.source,
      variance: v,
      bank,
      payableHours: round2(payableHours),
      payable: round2(payableHours * rate + retainer),
    });
  }
  return out;
}
