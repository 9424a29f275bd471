import { checkRate, DEFAULT_MODEL_ID, modelRateFor, type CostModel, type ModelRate, type RateCheck } from '../../domain/costModel.js';
import type { Agreement, Variation } from '../../domain/agreement.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';

/**
 * Rates against the council's cost-of-care model (issue 25): the model rate for a package's lots
 * and zone, read by id (each lot's own model, else the default), so a view that holds only a
 * snapshot reader can ask for it. Nothing is stored: a change to the model shows at once.
 */
export async function modelRateOf(read: Pick<BrokerageTx, 'get'>, lots: readonly string[], zone: string): Promise<ModelRate> {
  const ids = [...new Set([...lots, DEFAULT_MODEL_ID])];
  const models = (await Promise.all(ids.map((id) => read.get('costModels', id)))).filter((m): m is CostModel => !!m);
  const rate = modelRateFor(models, lots, zone);
  return { ...rate, lotName: (await read.get('lots', rate.lot))?.name ?? rate.lot };
}

/** A variation's rate against the model: its weekly cost over its hours (the elements' average rate). */
export async function variationRateCheck(store: BrokerageStore, a: Pick<Agreement, 'lots' | 'zone'>, x: Pick<Variation, 'elements' | 'weeklyAfter'>): Promise<RateCheck | undefined> {
  const hours = x.elements.reduce((t, e) => t + e.hoursPerWeek, 0);
  if (!hours) return undefined;
  const model = await modelRateOf(store, a.lots, a.zone);
  return checkRate(Math.round((x.weeklyAfter / hours) * 100) / 100, model.rate);
}
