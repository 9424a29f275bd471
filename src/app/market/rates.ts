import { checkRate, DEFAULT_MODEL_ID, modelRateFor, type CostModel, type ModelRate, type RateCheck } from '../../domain/costModel.js';
import { agreementId, type Agreement, type Variation } from '../../domain/agreement.js';
import type { Approval } from '../../domain/approvals.js';
import type { BrokerageTx } from '../../store/collections.js';

type Read = Pick<BrokerageTx, 'get'>;

/**
 * Rates against the council's cost-of-care model (issue 25): the model rate for a package's lots
 * and zone, read by id (each lot's own model, else the default), so a view that holds only a
 * snapshot reader can ask for it. Nothing is stored: a change to the model shows at once.
 */
export async function modelRateOf(read: Read, lots: readonly string[], zone: string): Promise<ModelRate> {
  const ids = [...new Set([...lots, DEFAULT_MODEL_ID])];
  const models = (await Promise.all(ids.map((id) => read.get('costModels', id)))).filter((m): m is CostModel => !!m);
  const rate = modelRateFor(models, lots, zone);
  return { ...rate, lotName: (await read.get('lots', rate.lot))?.name ?? rate.lot };
}

/** A variation's rate against the model: its weekly cost over its hours (the elements' average rate). */
export async function variationRateCheck(read: Read, a: Pick<Agreement, 'lots' | 'zone'>, x: Pick<Variation, 'elements' | 'weeklyAfter'>): Promise<RateCheck | undefined> {
  const hours = x.elements.reduce((t, e) => t + e.hoursPerWeek, 0);
  if (!hours) return undefined;
  const model = await modelRateOf(read, a.lots, a.zone);
  return checkRate(Math.round((x.weeklyAfter / hours) * 100) / 100, model.rate);
}

/** The rate an approval card shows against the model, and what the rate is when it is not a bid's own. */
export interface ApprovalRate extends RateCheck {
  basis?: string;
}

/**
 * The rate a decision under the scheme of delegation commits to, against the model (council-only:
 * it is drawn on approval cards, never in a provider's view): the chosen bid's hourly rate, a
 * variation's elements' average rate, an off-contract placement's weekly price over the package's
 * hours. Undefined when there is no rate to compare (no hours, or the subject is gone).
 */
export async function approvalRate(read: Read, a: Pick<Approval, 'kind' | 'ref' | 'n'>): Promise<ApprovalRate | undefined> {
  if (a.kind === 'variation') {
    const agreement = await read.get('agreements', agreementId(a.ref));
    const x = agreement?.variations.find((v) => v.n === a.n);
    const check = agreement && x ? await variationRateCheck(read, agreement, x) : undefined;
    return check && { ...check, basis: "the elements' average rate" };
  }
  const r = await read.get('requests', a.ref);
  if (!r?.package || !r.person) return undefined;
  const model = () => modelRateOf(read, r.package!.lots, r.person!.zone);
  if (a.kind === 'award') {
    const choice = r.choices?.find((c) => c.n === a.n);
    const rate = choice && (await read.get('bids', choice.bidId))?.versions.at(-1)?.hourlyRate;
    return rate === undefined ? undefined : checkRate(rate, (await model()).rate);
  }
  const p = r.placements?.find((x) => x.n === a.n);
  const hours = r.package.hoursPerWeek;
  if (!p || !hours) return undefined;
  return { ...checkRate(Math.round((p.weeklyPrice / hours) * 100) / 100, (await model()).rate), basis: `its weekly price over the package's ${hours} hours a week` };
}
