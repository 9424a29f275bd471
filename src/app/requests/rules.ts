import type { BrokerageTx } from '../../store/collections.js';
import { plainNumber } from '../../domain/numbers.js';
import { ageOn, isRealDate, ukDate, ukDateTime, HH_MM } from '../../domain/dates.js';

/**
 * Rules that need today's date or the framework, beyond what each field's schema checks. They
 * take the step as typed (possibly partly invalid) and check what they can, so the user sees
 * every problem at once rather than one per attempt.
 */
export async function personRules(tx: BrokerageTx, p: { zone?: unknown; dateOfBirth?: unknown }, now: Date): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const today = ukDate(now);
  if (typeof p.zone === 'string' && p.zone && !await tx.get('zones', p.zone)) errors.zone = `unknown zone "${p.zone}"`;
  if (typeof p.dateOfBirth === 'string' && isRealDate(p.dateOfBirth)) {
    if (p.dateOfBirth >= today) errors.dateOfBirth = 'date of birth must be in the past';
    else if (ageOn(p.dateOfBirth, today) > 120) errors.dateOfBirth = 'date of birth is more than 120 years ago; please check it';
  }
  return errors;
}

const numberOf = (v: unknown) => plainNumber(v);

export interface PackageLike {
  lots?: unknown;
  startDate?: unknown;
  deadlineDate?: unknown;
  deadlineTime?: unknown;
  costWeight?: unknown;
  qualityWeight?: unknown;
  questions?: { weight?: unknown }[];
}

export async function packageRules(tx: BrokerageTx, p: PackageLike, now: Date): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const today = ukDate(now);
  const lots = Array.isArray(p.lots) ? (p.lots as string[]) : [];
  const found = await Promise.all(lots.map((l) => tx.get('lots', l)));
  const unknown = lots.filter((_, i) => !found[i]);
  if (unknown.length) errors.lots = `unknown lot${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`;
  const start = typeof p.startDate === 'string' && isRealDate(p.startDate) ? p.startDate : undefined;
  if (start && start < today) errors.startDate = 'start date cannot be in the past';
  if (typeof p.deadlineDate === 'string' && isRealDate(p.deadlineDate) && typeof p.deadlineTime === 'string' && HH_MM.test(p.deadlineTime)) {
    const deadline = ukDateTime(p.deadlineDate, p.deadlineTime);
    if (deadline.getTime() <= now.getTime()) errors.deadlineDate = 'the bid deadline must be in the future';
    else if (start && p.deadlineDate >= start) errors.deadlineDate = 'the bid deadline must be before the start date, so there is time to award';
  }
  const cost = numberOf(p.costWeight);
  const quality = numberOf(p.qualityWeight);
  if (Number.isFinite(cost) && Number.isFinite(quality) && cost + quality !== 100) errors.costWeight = `cost and quality weights must add up to 100 (now ${cost} + ${quality} = ${cost + quality})`;
  const weights = (p.questions ?? []).map((q) => numberOf(q.weight));
  if (weights.length && weights.every(Number.isFinite)) {
    const total = weights.reduce((s, w) => s + w, 0);
    if (total !== 100) errors.questions = `the question weights must add up to 100 (now ${total})`;
  }
  return errors;
}
