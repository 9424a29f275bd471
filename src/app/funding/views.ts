import { providerProfile, type ProviderProfile } from '../../domain/anonymise.js';
import { current, agreementId, type Agreement } from '../../domain/agreement.js';
import { approvalId, COUNCIL_BODY, type Approval } from '../../domain/approvals.js';
import { formatUk } from '../../domain/dates.js';
import { BASIS_LABELS, splitPounds, splitWords, weeklyWeights, fundersOf, type FundingPartner, type FundingSplit } from '../../domain/funding.js';
import type { PackageRequest } from '../../domain/request.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { noteOf, type ApprovalNote } from '../approvals/views.js';
import { schemeTx } from '../approvals/scheme.js';
import { checkFunds, shareAsked, shareSeen, viewerOf, type Viewer } from './access.js';
import { notFound } from '../errors.js';
import type { Who } from '../actor.js';

type Read = Pick<BrokerageTx, 'get'>;

/**
 * What a funding partner's people see of a package (the card their approvers decide from): their
 * share and its basis, the split, the provider it is bought from, and the person: their details
 * only where a lawful basis is recorded for this partner on this package (CHC, s117, a joint
 * agreement), otherwise the anonymised profile providers see. Built here, from the request and
 * agreement, so no council-only field (budget, notes, other partners' reasons) is drawn.
 */
export interface PartnerPackageView {
  partner: FundingPartner;
  ref: string;
  basis: string;
  split: string;
  /** The partner's weekly share in words: "40% of £525.00 a week: £210.00 a week". */
  share: string;
  providerName?: string;
  person: { kind: 'details'; name: string; caseRef: string; dateOfBirth: string; address: string } | { kind: 'anonymised'; profile: PartnerProfile };
  /** The package's stage as the partner may read it. */
  status: string;
  approval?: { approval: Approval; note: ApprovalNote; what: string };
}

/** The anonymised profile as a partner reads it: the providers' one without the council's budget. */
export type PartnerProfile = Omit<ProviderProfile, 'budgetWeekly'>;

const gbp = (x: number) => `£${x.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export const partnerNames = async (read: Read, split: FundingSplit | undefined) => {
  const names = new Map<string, string>();
  for (const id of fundersOf(split)) names.set(id, id === COUNCIL_BODY ? 'The council' : ((await read.get('fundingPartners', id))?.name ?? id));
  return (id: string) => names.get(id) ?? id;
};

/** A partner's weekly share of a weekly cost under a split, in words and pounds. */
export function shareOf(split: FundingSplit, partnerId: string, weekly: number, elements = [{ name: 'Support', hoursPerWeek: 1, hourlyRate: weekly }]): { weekly: number; words: string } {
  const i = fundersOf(split).indexOf(partnerId);
  const s = split.shares.find((x) => x.partnerId === partnerId);
  if (i < 0 || !s) return { weekly: 0, words: 'no share' };
  const amount = splitPounds(weekly, weeklyWeights(split, elements))[i];
  return { weekly: amount, words: `${s.elements?.length ? s.elements.join(', ') : `${s.percent}%`} of ${gbp(weekly)} a week: ${gbp(amount)} a week` };
}

function statusOf(r: PackageRequest, a?: Agreement): string {
  if (a) return a.status === 'ended' ? `The package ended on ${a.ending?.on ?? current(a).endDate ?? ''}.` : a.status === 'active' ? `Running since ${current(a).startDate} with ${a.providerName}.` : `Awarded to ${a.providerName}; waiting for the provider to confirm the start.`;
  const words: Record<string, string> = { awaiting_approval: 'The award is waiting for its funders’ approval.', awarded: 'Awarded; waiting for the provider to accept.', cancelled: 'The request was cancelled.' };
  return words[r.state] ?? 'Being brokered: providers are bidding or the person is choosing.';
}

/** A variation as its partner's card says it: the terms and the share before and after; its reason only with a lawful basis (it is the council's free text). */
function variationWords(a: Agreement | undefined, approval: Approval, lawful: boolean): string {
  const v = a?.variations.find((x) => x.n === approval.n);
  if (!v) return `Variation ${approval.n} of ${approval.ref}.`;
  const share = approval.amounts;
  return `Variation ${v.n}: ${gbp(v.weeklyBefore)} → ${gbp(v.weeklyAfter)} a week from ${v.effectiveFrom}${v.endDate ? `, ending ${v.endDate}` : ''}; your share ${gbp(share.weeklyBefore ?? 0)} → ${gbp(share.weekly)} a week.${lawful ? ` Reason: ${v.reason}` : ''}`;
}

/** The view of one package for a partner, with the approval the card decides when given; undefined when the partner may not see it. */
export async function partnerPackageOf(read: Read, partner: FundingPartner, ref: string, now: Date, approval?: Approval): Promise<PartnerPackageView | undefined> {
  const r = await read.get('requests', ref);
  if (!r?.person || !r.package) return undefined;
  const a = await read.get('agreements', agreementId(ref));
  const held = await shareSeen(read, partner.id, r, a, now.toISOString().slice(0, 10), approval);
  // Its own card is redrawn once decided (refused, or closed), even when that ended its access: then never with the person's details.
  const shown = held ?? (approval?.body === partner.id ? shareAsked(r, a, approval) : undefined);
  if (!shown) return undefined;
  const { split, share: mine } = shown;
  const lawful = !!held && mine.lawfulBasis;
  const pending = approval?.kind === 'funding' ? a?.funding?.find((s) => s.n === approval.n) : undefined;
  const choice = r.choices?.at(-1);
  // The council's budget is never the partner's: before a price is chosen the share is a percentage only.
  const weekly = a ? current(a).weeklyCost : choice ? (await read.get('bids', choice.bidId))?.versions.at(-1)?.weeklyPrice : undefined;
  const names = await partnerNames(read, split);
  const providerName = a?.providerName ?? (choice ? ((await read.get('providers', choice.providerId))?.name ?? choice.providerId) : undefined);
  const share = weekly === undefined ? `${mine.percent}% of the weekly cost (no provider is chosen yet)` : shareOf(split, partner.id, weekly, a ? current(a).elements : undefined).words;
  let approvalView: PartnerPackageView['approval'];
  if (approval) {
    const scheme = await schemeTx(read, approval.body);
    approvalView = {
      approval,
      note: noteOf(approval, scheme, now),
      // A change's reason, like a variation's, is the council's free text: shown only with a lawful basis.
      what: approval.kind === 'funding' ? `A change of funding from ${pending?.from ?? ''}: ${splitWords(pending, names)}${lawful && pending ? ` Reason: ${pending.reason}` : ''}` : approval.kind === 'variation' ? variationWords(a, approval, lawful) : `The award to ${providerName ?? 'the chosen provider'} (${weekly === undefined ? '' : `${gbp(weekly)} a week`}${r.package.durationWeeks ? ` for ${r.package.durationWeeks} weeks` : ', open-ended'}).`,
    };
  }
  return {
    partner,
    ref,
    basis: BASIS_LABELS[mine.basis],
    split: splitWords(split, names),
    share,
    providerName,
    person: lawful ? { kind: 'details', name: r.person.name, caseRef: r.person.caseRef, dateOfBirth: r.person.dateOfBirth, address: `${r.person.address}, ${r.person.postcode}` } : { kind: 'anonymised', profile: withoutBudget(providerProfile(r as PackageRequest & { package: NonNullable<PackageRequest['package']>; person: NonNullable<PackageRequest['person']> }, r.ageBand ?? '')) },
    status: statusOf(r, a),
    approval: approvalView,
  };
}

/** The providers' profile carries the budget where the council shows it to providers; a partner never reads it. */
const withoutBudget = ({ budgetWeekly: _budget, ...profile }: ProviderProfile): PartnerProfile => profile;

/** The card a partner's approver gets (funding.approval), as the store is when it is drawn. */
export async function partnerApprovalView(read: Read, approvalIdText: string, now: Date): Promise<PartnerPackageView | undefined> {
  const approval = await read.get('approvals', approvalIdText);
  if (!approval) return undefined;
  const partner = await read.get('fundingPartners', approval.body);
  return partner ? partnerPackageOf(read, partner, approval.ref, now, approval) : undefined;
}

/** One package as a partner's person asks for it (`funding PKG-…`): refused and audited when their body does not fund it. */
export async function partnerPackage(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<PartnerPackageView> {
  const v = await viewerOf(store, who);
  return store.transact({ actor: v.user.id, action: 'funding.package.view' }, async (tx) => {
    const waiting = v.partner ? (await tx.waitingApprovals()).find((x) => x.body === v.partner!.id && x.ref === ref) : undefined;
    checkFunds(tx, v, ref, v.partner && (await shareSeen(tx, v.partner.id, await tx.get('requests', ref), await tx.get('agreements', agreementId(ref)), now.toISOString().slice(0, 10), waiting)));
    if (!v.partner) throw notFound('Council staff see the split on the request: `funding PKG-…` as the social worker or a broker.');
    const view = await partnerPackageOf(tx, v.partner, ref, now, waiting);
    if (!view) throw notFound(`There is no package ${ref} for ${v.partner.name}.`);
    return view;
  });
}

/** A partner's list: the packages it funds, newest first, with what waits for its approvers. */
export interface PartnerList {
  viewer: Viewer & { partner: FundingPartner };
  rows: { ref: string; share: string; status: string; waiting?: string; approvalId?: string }[];
}

export async function partnerList(store: BrokerageStore, who: Who, now: Date): Promise<PartnerList> {
  const v = await viewerOf(store, who);
  if (!v.partner) throw notFound('This list is for a funding partner’s people.');
  const partner = v.partner;
  return store.transact({ actor: v.user.id, action: 'funding.list' }, async (tx) => {
    const waiting = (await tx.waitingApprovals()).filter((x) => x.body === partner.id);
    const rows: PartnerList['rows'] = [];
    for (const ref of [...partner.packages].reverse()) {
      const w = waiting.find((x) => x.ref === ref);
      const view = await partnerPackageOf(tx, partner, ref, now, w);
      if (!view) continue;
      rows.push({ ref, share: view.share, status: view.status, waiting: w ? `Waiting for your approvers: ${w.subject}` : undefined, approvalId: w?.id });
    }
    return { viewer: { ...v, partner }, rows };
  });
}

/** The funders (their names) whose approval of choice n is still missing, the council's included. */
export async function awaitingFunders(read: Read, r: PackageRequest, n: number): Promise<string[]> {
  const out: string[] = [];
  const council = await read.get('approvals', approvalId('award', r.id, n));
  if (council && council.status !== 'approved') out.push('the council');
  for (const s of r.funding?.shares ?? []) if ((await read.get('approvals', approvalId('award', r.id, n, s.partnerId)))?.status !== 'approved') out.push((await read.get('fundingPartners', s.partnerId))?.name ?? s.partnerId);
  return out;
}

/** What the council's award approval card says of joint funding: the split and who has yet to approve. */
export async function awardFundingOf(read: Read, r: PackageRequest, n: number): Promise<{ split: string; waitingFor: string[]; councilApproved?: string } | undefined> {
  if (!r.funding?.shares.length) return undefined;
  const council = await read.get('approvals', approvalId('award', r.id, n));
  return {
    split: splitWords(r.funding, await partnerNames(read, r.funding)),
    waitingFor: await awaitingFunders(read, r, n),
    councilApproved: council?.status === 'approved' ? `${council.decidedByName}${council.decidedForName ? ` for ${council.decidedForName}` : ''} on ${formatUk(council.decidedAt!)}` : undefined,
  };
}
