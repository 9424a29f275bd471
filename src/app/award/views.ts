import type { Decision } from '../../domain/award.js';
import { bidId } from '../../domain/calloff.js';
import type { BrokerageStore } from '../../store/collections.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../framework/entities.js';
import { chosenBid, type ChosenBid } from './decision.js';
import { rankingOf, type RankingView } from './shared.js';

/** Provider names for a set of bids, by bid id (council eyes only, after prices are revealed). */
export async function bidNames(store: BrokerageStore, r: OpenCallOff): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const o of r.calloff.offers) names.set(bidId(r.id, o.providerId), (await store.get('providers', o.providerId))?.name ?? o.providerId);
  return names;
}

/** The ranking as it stands, with the bidders' names; undefined before there is one. */
export interface RankingWithNames {
  request: OpenCallOff;
  ranking: RankingView;
  names: Map<string, string>;
}

export async function loadRanking(store: BrokerageStore, r: OpenCallOff): Promise<RankingWithNames | undefined> {
  const ranking = await rankingOf(store, r);
  if (!ranking) return undefined;
  return { request: r, ranking, names: await bidNames(store, r) };
}

/** What a manager approves for choice `n`, as it stands now: open, decided, or out of date. */
export interface ApprovalData {
  request: OpenCallOff;
  n: number;
  chosen: ChosenBid;
  providerName: string;
  ranking?: RankingView;
  names: Map<string, string>;
  decision?: Decision;
  /** When the card is no longer current (a newer choice, a cancellation). */
  stale?: string;
  minHourlyRate: number;
}

export async function loadApproval(store: BrokerageStore, r: OpenCallOff, n: number): Promise<ApprovalData | undefined> {
  const choice = r.choices?.find((c) => c.n === n);
  if (!choice) return undefined;
  const bid = await store.get('bids', choice.bidId);
  if (!bid) return undefined;
  const settings = (await store.get('settings', SETTINGS_ID)) ?? DEFAULT_SETTINGS;
  const ranking: RankingView | undefined = choice.sequential ? undefined : await rankingOf(store, r);
  const decision = r.decisions?.find((d) => d.n === n);
  const current = r.choices!.at(-1)!.n === n;
  const stale = decision ? undefined : r.state === 'cancelled' ? `${r.id} was cancelled: ${r.cancelled?.reason ?? ''}` : !current || r.state !== 'awaiting_approval' ? 'This approval card is out of date.' : undefined;
  return {
    request: r,
    n,
    chosen: chosenBid(r, choice, bid, settings.minHourlyRate, ranking?.rowsById.get(choice.bidId)),
    providerName: (await store.get('providers', choice.providerId))?.name ?? choice.providerId,
    ranking,
    names: await bidNames(store, r),
    decision,
    stale,
    minHourlyRate: settings.minHourlyRate,
  };
}
