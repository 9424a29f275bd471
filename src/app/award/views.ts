/**
 * The award's read side: the council's ranking (with the bidders' names) and a manager's approval,
 * as plain data computed here, where the rules live. Each view is a pure function of a call-off
 * and a synchronous reader, so a use case returns it from inside its transaction (the reply needs
 * no second read), and the queries below build it from one snapshot read.
 */
import { awardFundingOf } from '../funding/views.js';
import { bidId, type Bid } from '../../domain/calloff.js';
import type { Decision } from '../../domain/award.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../framework/entities.js';
import { notFound } from '../errors.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { providerCallOff, type ProviderCallOff } from '../calloffs/providerView.js';
import { chosenBid, rankingOfTx, type ChosenBid, type RankingView } from './shared.js';
import { approvalNoteOf, type ApprovalNote } from '../approvals/views.js';
import { DEFAULT_MODEL_ID } from '../../domain/costModel.js';

/** What the views read: a transaction, or a snapshot of one call-off's bids, providers and settings. */
export type Reader = Pick<BrokerageTx, 'get'>;

/** Provider names by bid id (council eyes only, after prices are revealed). */
export async function bidNamesOf(read: Reader, r: OpenCallOff): Promise<Map<string, string>> {
  return new Map(await Promise.all(r.calloff.offers.map(async (o) => [bidId(r.id, o.providerId), (await read.get('providers', o.providerId))?.name ?? o.providerId] as const)));
}

/** The ranking as the social worker sees it, once prices are revealed. */
export interface CouncilRanking {
  request: OpenCallOff;
  ranking: RankingView;
  names: Map<string, string>;
}

export async function councilRankingOf(read: Reader, r: OpenCallOff): Promise<CouncilRanking | undefined> {
  const ranking = await rankingOfTx(read, r);
  return ranking && { request: r, ranking, names: await bidNamesOf(read, r) };
}

/** The approval of choice `n` as it stands: open, decided, or out of date. */
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
  /** Who may decide it under the scheme of delegation (src/app/approvals/), when recorded. */
  note?: ApprovalNote;
  /** Joint funding (issue 24): the split, and the funders still to approve. */
  funding?: Awaited<ReturnType<typeof awardFundingOf>>;
}

export async function approvalOf(read: Reader, r: OpenCallOff, n: number, now: Date): Promise<ApprovalData | undefined> {
  const choice = r.choices?.find((c) => c.n === n);
  if (!choice) return undefined;
  const bid = await read.get('bids', choice.bidId);
  if (!bid) return undefined;
  const settings = await read.get('settings', SETTINGS_ID) ?? DEFAULT_SETTINGS;
  const ranking = choice.sequential ? undefined : await rankingOfTx(read, r);
  const decision = r.decisions?.find((d) => d.n === n);
  const current = r.choices!.at(-1)!.n === n;
  const stale = decision ? undefined : r.state === 'cancelled' ? `${r.id} was cancelled: ${r.cancelled?.reason ?? ''}` : !current || r.state !== 'awaiting_approval' ? 'This approval card is out of date.' : undefined;
  return {
    request: r,
    n,
    chosen: chosenBid(r, choice, bid, settings.minHourlyRate, ranking?.rowsById.get(choice.bidId)),
    providerName: (await read.get('providers', choice.providerId))?.name ?? choice.providerId,
    ranking,
    names: await bidNamesOf(read, r),
    decision,
    stale,
    minHourlyRate: settings.minHourlyRate,
    note: await approvalNoteOf(read, 'award', r.id, n, now),
    funding: await awardFundingOf(read, r, n),
  };
}

// ───────────────────────────── queries ─────────────────────────────

/** One read of everything a call-off's council views draw on: every offered provider, its bid, the settings, the cost-of-care models of its lots. */
export async function callOffSnapshot(store: BrokerageStore, r: OpenCallOff): Promise<Reader> {
  const ids = r.calloff.offers.map((o) => o.providerId);
  const modelIds = [...new Set([...r.package.lots, DEFAULT_MODEL_ID])];
  const [providers, bids, settings, models, lots] = await Promise.all([
    Promise.all(ids.map((id) => store.get('providers', id))),
    Promise.all(ids.map((id) => store.get('bids', bidId(r.id, id)))),
    store.get('settings', SETTINGS_ID),
    Promise.all(modelIds.map((id) => store.get('costModels', id))),
    Promise.all(r.package.lots.map((id) => store.get('lots', id))),
  ]);
  const rows: Record<string, Map<string, unknown>> = {
    providers: new Map(providers.flatMap((p) => (p ? [[p.id, p] as const] : []))),
    bids: new Map(bids.flatMap((b): [string, Bid][] => (b ? [[b.id, b]] : []))),
    settings: new Map(settings ? [[SETTINGS_ID, settings]] : []),
    costModels: new Map(models.flatMap((m) => (m ? [[m.id, m] as const] : []))),
    lots: new Map(lots.flatMap((l) => (l ? [[l.id, l] as const] : []))),
  };
  // Approval records and schemes (and, for the rate on an approval card, the request) are read as asked: few, and only for approval cards.
  return { get: ((collection: string, id: string) => (rows[collection] ? rows[collection].get(id) : store.get(collection as 'approvals', id))) as Reader['get'] };
}

export async function loadCallOffByRef(store: BrokerageStore, ref: string): Promise<OpenCallOff> {
  const r = (await store.get('requests', ref)) as OpenCallOff | undefined;
  if (!r?.calloff) throw notFound(`There is no call-off ${ref}.`);
  return r;
}

export async function councilRanking(store: BrokerageStore, r: OpenCallOff): Promise<CouncilRanking | undefined> {
  return councilRankingOf(await callOffSnapshot(store, r), r);
}

export async function approvalView(store: BrokerageStore, r: OpenCallOff, n: number, now: Date): Promise<ApprovalData | undefined> {
  return await approvalOf(await callOffSnapshot(store, r), r, n, now);
}

/** The winning (or declining) provider's view of its award notice: its own price only; a refusal text when it was never offered the call-off. */
export async function providerOffer(store: BrokerageStore, providerId: string, ref: string): Promise<ProviderCallOff | string> {
  const r = await loadCallOffByRef(store, ref);
  if (!r.calloff.offers.some((o) => o.providerId === providerId)) return `${ref} was not offered to your organisation.`;
  return providerCallOff(r, providerId);
}
