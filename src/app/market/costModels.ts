import { costOfCare, CostModel, DEFAULT_COST_MODEL, DEFAULT_MODEL_ID, livingWageOn, modelForLot, UpliftsText, type CostOfCare } from '../../domain/costModel.js';
import { ukDate } from '../../domain/dates.js';
import type { Lot, Zone } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import { listOf } from '../../store/reading.js';
import { requirePermission, type Who } from '../actor.js';
import { fieldErrors, invalid, notFound } from '../errors.js';
import { can } from '../permissions.js';

/**
 * The council's cost-of-care models (issue 25): one `default` for every lot without its own, and
 * a lot's own where the commissioner set one. Council staff see the workings (a social worker sees
 * rates against the model on the ranking card, and may ask where it comes from); the commissioner
 * sets them. A model carries its own zone uplifts.
 */
export interface CostOfCareView {
  /** The model shown: the default, or a lot's (its own, or the default it uses). */
  model: CostModel;
  lot?: Pick<Lot, 'id' | 'name'>;
  /** Whether the lot has a model of its own (always true for the default). */
  own: boolean;
  workings: CostOfCare;
  uplifts: { zone: string; name: string; pct: number; rate: number }[];
  /** Every lot and its rate (no uplift), for the overview. */
  lots: { id: string; name: string; rate: number; own: boolean }[];
  zones: Pick<Zone, 'id' | 'name'>[];
  /** The National Living Wage in force today, when the model pays less. */
  belowWage?: { rate: number; from: string };
  canManage: boolean;
}

async function models(store: BrokerageStore): Promise<CostModel[]> {
  return listOf(store, 'costModels');
}

export async function costOfCareView(store: BrokerageStore, who: Who, lotId: string | undefined, now: Date): Promise<CostOfCareView> {
  const user = await requirePermission(store, who, 'request.view');
  const [all, lots, zones] = await Promise.all([models(store), listOf(store, 'lots'), listOf(store, 'zones')]);
  const id = lotId?.trim().toLowerCase() || DEFAULT_MODEL_ID;
  const lot = id === DEFAULT_MODEL_ID ? undefined : lots.find((l) => l.id === id);
  if (id !== DEFAULT_MODEL_ID && !lot) throw notFound(`There is no lot "${id}". \`framework\` lists the lots.`);
  const model = lot ? modelForLot(all, lot.id) : (all.find((m) => m.id === DEFAULT_MODEL_ID) ?? DEFAULT_COST_MODEL);
  const zoneName = new Map(zones.map((z) => [z.id, z.name]));
  const wage = livingWageOn(ukDate(now));
  return {
    model,
    lot: lot && { id: lot.id, name: lot.name },
    own: !lot || model.id === lot.id,
    workings: costOfCare(model),
    uplifts: Object.entries(model.zoneUplifts)
      .map(([zone, pct]) => ({ zone, name: zoneName.get(zone) ?? zone, pct, rate: costOfCare(model, pct).rate }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    lots: lots.map((l) => {
      const m = modelForLot(all, l.id);
      return { id: l.id, name: l.name, rate: costOfCare(m).rate, own: m.id === l.id };
    }),
    zones: zones.map((z) => ({ id: z.id, name: z.name })),
    belowWage: model.payPerHour < wage.rate ? wage : undefined,
    canManage: can(user, 'market.manage'),
  };
}

/**
 * Saves the default model or a lot's own, from the card's inputs (numbers as typed, uplifts one a
 * line). Every field is checked; an uplift for a zone the framework does not have is refused.
 */
export async function saveCostModel(store: BrokerageStore, who: Who, lotId: string, raw: Record<string, unknown>, now: Date): Promise<{ model: CostModel; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'market.manage');
  const id = lotId.trim().toLowerCase() || DEFAULT_MODEL_ID;
  const uplifts = UpliftsText.safeParse(typeof raw.zoneUplifts === 'string' ? raw.zoneUplifts : '');
  const parsed = CostModel.safeParse({ ...raw, id, zoneUplifts: uplifts.success ? uplifts.data : {}, source: typeof raw.source === 'string' ? raw.source : '' });
  const errors = parsed.success ? {} : fieldErrors(parsed.error);
  if (!uplifts.success) errors.zoneUplifts = uplifts.error.issues[0].message;
  if (Object.keys(errors).length || !parsed.success) throw invalid(errors);
  return store.transact({ actor: user.id, action: 'market.costModel' }, async (tx) => {
    if (id !== DEFAULT_MODEL_ID && !(await tx.get('lots', id))) throw notFound(`There is no lot "${id}".`);
    const zones = new Set((await tx.list('zones')).map((z) => z.id));
    const unknown = Object.keys(parsed.data.zoneUplifts).filter((z) => !zones.has(z));
    if (unknown.length) throw invalid({ zoneUplifts: `unknown zone${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (use the zone ids \`framework\` lists)` });
    const before = await tx.get('costModels', id);
    if (before && figures(before) === figures(parsed.data)) return { model: before, unchanged: true };
    const model: CostModel = { ...parsed.data, updatedAt: now.toISOString(), updatedBy: user.id };
    tx.put('costModels', model);
    return { model, unchanged: false };
  });
}

/** What a model says, without who changed it when: a repeated save of the same figures changes nothing. */
const figures = ({ updatedAt: _at, updatedBy: _by, ...m }: CostModel) => JSON.stringify(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));

/** A lot goes back to the council's default model. */
export async function useDefaultModel(store: BrokerageStore, who: Who, lotId: string): Promise<{ removed: boolean }> {
  const user = await requirePermission(store, who, 'market.manage');
  const id = lotId.trim().toLowerCase();
  if (!id || id === DEFAULT_MODEL_ID) throw invalid({ lot: 'choose a lot' }, 'The council default cannot be removed; change its figures instead.');
  return store.transact({ actor: user.id, action: 'market.costModel.reset' }, async (tx) => {
    if (!(await tx.get('costModels', id))) return { removed: false };
    tx.delete('costModels', id);
    return { removed: true };
  });
}
