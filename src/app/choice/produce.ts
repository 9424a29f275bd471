import { conflict } from '../errors.js';
import { requirePermission, type Who } from '../actor.js';
import type { BrokerageStore } from '../../store/collections.js';
import { checkEvaluator, loadCallOff, rankingOfTx } from '../award/shared.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { choicePackContent, type ChoicePack } from './pack.js';

/**
 * The social worker asks for the choice pack once prices are revealed. Producing it is recorded
 * on the request (and so audited: who, when, which offers), because it names the person and the
 * reports count how often a pack was used before the choice.
 */
export async function produceChoicePack(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<{ request: OpenCallOff; pack: ChoicePack }> {
  const user = await requirePermission(store, who, 'evaluation.score');
  return store.transact({ actor: user.id, action: 'choice.pack' }, async (tx) => {
    const r = await loadCallOff(tx, ref);
    checkEvaluator(user, r);
    if (r.state !== 'evaluated') throw conflict(`${r.id} is ${r.state.replace('_', ' ')}: a choice pack is made while the person is choosing, after every quality score is locked and before the choice goes for approval.`);
    const ranking = await rankingOfTx(tx, r);
    if (!ranking) throw conflict(`${r.id}'s prices are not revealed yet.`);
    const names = new Map(await Promise.all([...ranking.bids.values()].map(async (b) => [b.providerId, (await tx.get('providers', b.providerId))?.name ?? b.providerId] as const)));
    const pack = choicePackContent(r, ranking, names, user.name, now);
    if (!pack.offers.length) throw conflict(`${r.id} has no offer that meets the person's needs, so there is nothing to put in a choice pack.`);
    const next: OpenCallOff = {
      ...r,
      choicePacks: [...(r.choicePacks ?? []), { round: ranking.evaluation.round, at: now.toISOString(), by: user.id, bidIds: ranking.rows.filter((x) => x.compliant).map((x) => x.bidId) }],
      updatedAt: now.toISOString(),
    };
    tx.put('requests', next);
    return { request: next, pack };
  });
}
