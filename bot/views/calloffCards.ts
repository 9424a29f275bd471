import type { Bid } from '../../src/domain/calloff.js';
import { plainText } from '../../src/domain/plainText.js';
import { NOT_INTERESTED_REASONS } from '../../src/domain/calloff.js';
import type { PackageRequest } from '../../src/domain/request.js';
import { formatUk } from '../../src/domain/dates.js';
import { answerInput, BID_FIELD_KEYS, BID_FIELDS, type BidFieldKey } from '../../src/domain/bidFields.js';
import { criterionLine, questionHeading } from '../../src/domain/personQuestions.js';
import type { ProviderCallOff } from '../../src/app/calloffs/providerView.js';
import type { ProviderProfile } from '../../src/domain/anonymise.js';
import type { CardDelivery, OfferedCapacity } from '../../src/app/calloffs/status.js';
import { CardAction, FieldSpec, renderForm } from '../forms/form.js';
import { CARD_BUDGET_BYTES, CardJson, CardTooLargeError, render } from '../render.js';
import type { Lookups } from './requestCards.js';
import { cap, day, gbp } from './format.js';

/** A profile question as the person's-question helpers read it. */
const asked = (q: ProviderProfile['questions'][number]) => ({ text: q.text, byPerson: q.fromPerson, criterion: q.criterion });

const names = (l: Lookups, ids: string[]) => ids.map((id) => l.lots.find((x) => x.id === id)?.name ?? id).join(', ');
const zoneName = (l: Lookups, id: string) => l.zones.find((x) => x.id === id)?.name ?? id;
const actions = (xs: CardAction[]) => xs.map((a) => ({ title: a.title, verb: a.verb, data: a.data ?? {}, style: a.style ?? 'default' }));

/** The anonymised profile's facts: the view gets only what `providerProfile` allows. */
function profileFacts(v: ProviderCallOff, l: Lookups) {
  const p = v.profile;
  return [
    { title: 'Zone', value: zoneName(l, p.zone) },
    { title: 'Lots', value: names(l, p.lots) },
    { title: 'Age band', value: p.ageBand },
    { title: 'Hours', value: `${p.hoursPerWeek} a week` },
    { title: 'Visit pattern', value: p.visitPattern },
    { title: 'Start', value: day(p.startDate) },
    { title: 'Duration', value: p.durationWeeks ? `${p.durationWeeks} weeks` : 'ongoing' },
    { title: 'Carer gender', value: p.carerGender },
    { title: 'Scoring', value: `cost ${p.costWeight}% / quality ${p.qualityWeight}%` },
    { title: p.mode === 'sequential' ? 'Round closes' : 'Deadline', value: formatUk(v.deadline) },
    ...(p.budgetWeekly !== undefined ? [{ title: 'Indicative budget', value: `${gbp(p.budgetWeekly)} a week` }] : []),
  ];
}

export interface ProviderView {
  bid?: Bid;
  now: Date;
  notice?: string;
  error?: string;
  /** The bid's price is shown only in the bidder's own reply, never in the channel post. */
  showOwnPrice?: boolean;
}

const isOpen = (c: ProviderCallOff, now: Date) => c.state === 'open' && Date.parse(c.deadline) > now.getTime() && c.inCurrentRound;

/** The call-off as one provider sees it: its own bid status only, never anyone else's. */
export function providerCard(c: ProviderCallOff, l: Lookups, v: ProviderView): CardJson {
  const p = c.profile;
  const bid = v.bid?.status === 'active' ? v.bid : undefined;
  const last = bid?.versions.at(-1);
  const open = isOpen(c, v.now);
  let status: string;
  let statusStyle = 'emphasis';
  if (c.state === 'cancelled') {
    status = `Cancelled by the council on ${formatUk(c.cancelledAt!)}. No further action is needed.`;
    statusStyle = 'attention';
  } else if (outcomeStatus(c, !!bid)) {
    [status, statusStyle] = outcomeStatus(c, !!bid)!;
  } else if (!open) {
    status = c.acceptedBy
      ? c.acceptedBy === 'us' && bid
        ? `Your acceptance closed this offer on ${formatUk(c.closedAt!)}. The award still needs the council's approval.`
        : `Closed: another provider accepted this offer on ${formatUk(c.closedAt!)}.`
      : `Closed for bids at ${formatUk(c.closedAt ?? c.deadline)}.${bid ? ' Your bid is with the council for evaluation.' : ''}`;
  } else if (bid && last) {
    status = `✔ Your organisation's bid is in: version ${last.version}, received ${formatUk(last.at)}${v.showOwnPrice ? `, ${gbp(last.weeklyPrice)} a week` : ''}. You can amend or withdraw it until ${formatUk(c.deadline)}.`;
    statusStyle = 'good';
  } else if (c.declined) {
    status = `You told us you are not interested (${c.declined.reason}). You can still bid until ${formatUk(c.deadline)}.`;
  } else {
    status = `Open for bids until ${formatUk(c.deadline)}.`;
    statusStyle = 'accent';
  }
  if (v.bid?.status === 'withdrawn' && open) status = `Your bid was withdrawn on ${formatUk(v.bid.withdrawnAt!)}. You can bid again until ${formatUk(c.deadline)}.`;
  const executeActions: CardAction[] = [];
  if (open) {
    executeActions.push({ title: bid ? 'View or amend our bid' : p.mode === 'sequential' ? 'Accept and bid' : 'Bid', verb: 'bid.form', data: { ref: p.ref }, style: 'positive' });
    if (bid) executeActions.push({ title: 'Withdraw our bid', verb: 'bid.withdraw', data: { ref: p.ref }, style: 'destructive' });
  }
  return render('calloff-provider', {
    ref: p.ref,
    title: `Call-off ${p.ref}: ${names(l, p.lots)} in ${zoneName(l, p.zone)}`,
    subtitle: p.mode === 'sequential' ? `Sequential offer${c.roundTier ? `, ${c.roundTier} providers' round` : ''}: the first provider to accept and meet the request is put forward for approval.` : 'Competition: every eligible provider may bid; bids are sealed until the deadline.',
    status,
    statusStyle,
    notice: v.notice ?? '',
    error: v.error ?? '',
    facts: profileFacts(c, l),
    needsSummary: p.needsSummary,
    outcomes: p.outcomes,
    languageNeeds: p.languageNeeds,
    questionsText: p.questions.map((q, i) => [`${questionHeading(asked(q), i)} (${q.weight})`, criterionLine(asked(q))].filter(Boolean).join('\n\n')).join('\n\n'),
    clarifications: c.clarifications.map((q) => ({ question: q.question, answer: q.answer })),
    executeActions: actions(executeActions),
    canAsk: open,
    canDecline: open && !bid && !c.declined,
    declineReasons: NOT_INTERESTED_REASONS.map((x) => ({ title: cap(x), value: x })),
  });
}

export interface CardRefresh {
  /** The post every copy of the card belongs to. */
  postId: string;
  /** The provider's users (Entra object ids). */
  userIds: string[];
}

/** Teams refreshes a card automatically for at most this many users; others get a Refresh option. */
const REFRESH_USERS_MAX = 60;

/**
 * The channel's call-off card with Universal Actions `refresh`: when one of the provider's users
 * sees any copy of it, Teams asks the bot (`calloff.refresh`) and shows that user the card as the
 * store has it now, so a copy the bot lost track of never offers a Bid that is no longer open.
 */
export function withRefresh(card: CardJson, ref: string, r: CardRefresh): CardJson {
  const refresh = { action: { type: 'Action.Execute', verb: 'calloff.refresh', data: { ref, postId: r.postId } }, userIds: r.userIds.slice(0, REFRESH_USERS_MAX).map((id) => `8:orgid:${id}`) };
  const out = { ...card, refresh };
  const bytes = Buffer.byteLength(JSON.stringify(out));
  if (bytes > CARD_BUDGET_BYTES) throw new CardTooLargeError('calloff-provider', bytes);
  return out;
}

/** After the close: the award as this provider may see it (never anyone else's price). */
function outcomeStatus(c: ProviderCallOff, hasBid: boolean): [string, string] | undefined {
  const a = c.award;
  if (c.state === 'awarded' && a?.kind === 'off-contract') return [`Closed: the council made a placement outside the framework on ${formatUk(a.at)}.`, 'emphasis'];
  const own = c.ownAward;
  if (c.state === 'awarded' && a?.kind === 'ours' && own) {
    return own.status === 'accepted' ? [`✔ Awarded to your organisation; you accepted on ${formatUk(own.acceptedAt!)}. The referral details are in this channel.`, 'good'] : [`Awarded to your organisation on ${formatUk(own.approvedAt!)}: accept or decline from the award notice in this channel.`, 'accent'];
  }
  if (own?.status === 'declined') return [`Your organisation declined the award on ${formatUk(own.declinedAt!)}.`, 'emphasis'];
  if (c.state === 'awarded' && a?.kind === 'another' && a.accepted) return [hasBid ? `Not successful: awarded to another provider on ${formatUk(a.at!)}. Your own scores are in the outcome notice in this channel.` : `Awarded to another provider on ${formatUk(a.at!)}.`, 'emphasis'];
  if (c.state === 'open' && !c.inCurrentRound) return [`Closed for bids at ${formatUk(c.cascadeOpenedAt!)}. ${hasBid ? 'Your bid was considered; ' : ''}the council has offered it to neighbouring zones.`, 'emphasis'];
  return undefined;
}

const YES_NO = [{ title: 'Yes', value: 'yes' }, { title: 'No', value: 'no' }];

/** Each bid field's form input (bidFields.ts says which fields there are, in which order and section). */
const BID_FORM: { [K in BidFieldKey]: (p: ProviderCallOff['profile']) => Omit<FieldSpec, 'id'> } = {
  weeklyPrice: () => ({ label: 'Weekly price (£)', kind: 'number', required: true }),
  hourlyRate: () => ({ label: 'Hourly rate (£)', kind: 'number', required: true }),
  hoursPerWeek: (p) => ({ label: `Hours per week (requested: ${p.hoursPerWeek})`, kind: 'number', required: true }),
  priceNote: () => ({ label: 'If the weekly price is not hourly rate × hours, say why (e.g. sleep-in rate)', kind: 'text' }),
  earliestStart: (p) => ({ label: `Earliest start date (requested: ${day(p.startDate)})`, kind: 'date', required: true }),
  supportPlan: () => ({ label: 'Support plan summary', kind: 'multiline', required: true, help: 'How you would support this person; scored blind (without your price) by the social worker.' }),
  meetsCarerGender: (p) => ({ label: `Can you meet the carer gender preference (${p.carerGender})?`, kind: 'choice', required: true, choices: YES_NO }),
  meetsLanguage: (p) => ({ label: p.languageNeeds ? `Can you meet the language, cultural and religious needs (${p.languageNeeds})?` : 'Can you meet the language, cultural and religious needs (none stated)?', kind: 'choice', required: true, choices: YES_NO }),
};

const bidFields = (p: ProviderCallOff['profile'], section: 'offer' | 'needs'): FieldSpec[] => BID_FIELD_KEYS.filter((k) => BID_FIELDS[k].section === section).map((k) => ({ id: k, ...BID_FORM[k](p) }));

/** The bid form, shown only to the provider user who clicked (the invoke reply replaces their view only). */
export function bidForm(c: ProviderCallOff, l: Lookups, values: Record<string, unknown>, errors: Record<string, string> = {}): CardJson {
  const p = c.profile;
  const fields: FieldSpec[] = [
    ...bidFields(p, 'offer'),
    { id: 'answersHeading', label: 'Quality questions', kind: 'heading' },
    ...p.questions.map((q, i): FieldSpec => ({ id: answerInput(q.id), label: `${questionHeading(asked(q), i)} (weight ${q.weight})`, kind: 'multiline', required: true, help: criterionLine(asked(q)) })),
    { id: 'needsHeading', label: 'Mandatory needs', kind: 'heading' },
    ...bidFields(p, 'needs'),
  ];
  return renderForm({
    title: `Bid for ${p.ref}: ${names(l, p.lots)} in ${zoneName(l, p.zone)}`,
    intro: `Only your organisation sees this bid. The deadline is ${formatUk(c.deadline)}; you can amend or withdraw until then and the last version counts.`,
    fields,
    values,
    errors,
    formError: Object.keys(errors).length ? 'Please correct the highlighted fields; nothing you typed is lost.' : '',
    actions: [
      { title: 'Submit bid', verb: 'bid.submit', data: { ref: p.ref }, style: 'positive' },
      { title: 'Back to the call-off', verb: 'calloff.view', data: { ref: p.ref }, inputs: 'none' },
    ],
  });
}

/** Card values for an existing bid, for amending it. */
export function bidValues(c: ProviderCallOff, bid?: Bid): Record<string, unknown> {
  const v = bid?.status === 'active' ? bid.versions.at(-1) : undefined;
  if (!v) return { hoursPerWeek: c.profile.hoursPerWeek, earliestStart: c.profile.startDate };
  return {
    ...Object.fromEntries(BID_FIELD_KEYS.map((k) => [k, v[k]])),
    ...Object.fromEntries(Object.entries(v.answers).map(([q, a]) => [answerInput(q), a])),
  };
}

export interface SealedCounts {
  bids: number;
  declined: { reason: string; detail: string }[];
  offered: number;
  deliveries?: CardDelivery[];
  /** Offered providers that said they can take new packages in the zone (issue 25). */
  capacity?: OfferedCapacity;
}

/** Up to this many offers the card lists every provider; beyond it, only those not yet delivered. */
const LIST_ALL_UP_TO = 25;

/** Why a delivered card may be in its channel twice, and why that misleads nobody. */
const MAY_SHOW_TWICE = 'an instance stopped while posting it and another posted it again, so the channel may show it twice; a provider user who opens either copy sees it as it stands now';

const DELIVERY_TEXT: Record<CardDelivery['state'], [string, string]> = {
  delivered: ['delivered', 'Good'],
  sending: ['being sent', 'Default'],
  retrying: ['retrying', 'Warning'],
  failed: ['not delivered', 'Attention'],
};

/**
 * Beyond LIST_ALL_UP_TO offers, at most this many undelivered rows (failed first): a framework's
 * call-off can go to 200 providers, and 200 rows with their reasons came to 71 KB, so the broker got
 * "too long to show" instead of the delivery report exactly when most posts had failed.
 */
const LIST_UNDELIVERED_UP_TO = 15;
const URGENCY: Record<CardDelivery['state'], number> = { failed: 0, retrying: 1, sending: 2, delivered: 3 };

/** The delivery report: each offered provider's card, delivered, on its way (and why it waits), or failed and why. */
function deliveryRows(ref: string, deliveries: CardDelivery[]) {
  const undelivered = deliveries.filter((d) => d.state !== 'delivered' || d.mayShowTwice).sort((a, b) => URGENCY[a.state] - URGENCY[b.state] || a.name.localeCompare(b.name));
  const shown = deliveries.length <= LIST_ALL_UP_TO ? deliveries : undelivered.slice(0, LIST_UNDELIVERED_UP_TO);
  const rows: { ref: string; providerId: string; text: string; color: string; canResend: boolean }[] = shown.map((d) => {
    const [state, color] = DELIVERY_TEXT[d.state];
    const why = d.why ? ` (${d.unreachable ? 'channel unreachable: ' : ''}${d.why})` : d.mayShowTwice ? ` (${MAY_SHOW_TWICE})` : '';
    const next = d.unreachable && !d.canResend ? ' Register the channel again, then send again.' : '';
    return { ref, providerId: d.providerId, text: `**${d.name}**: ${state}${why}.${next}`, color: d.mayShowTwice ? 'Warning' : color, canResend: !!d.canResend };
  });
  if (deliveries.length > LIST_ALL_UP_TO && undelivered.length) {
    const count = (state: CardDelivery['state']) => undelivered.filter((d) => d.state === state).length;
    const parts = (['failed', 'retrying', 'sending'] as const).filter((s) => count(s)).map((s) => `${count(s)} ${DELIVERY_TEXT[s][0]}`);
    const twice = undelivered.filter((d) => d.mayShowTwice).length;
    if (twice) parts.push(`${twice} delivered but may show twice`);
    const listed = undelivered.length > shown.length ? ` The first ${shown.length} are listed, failed first; Refresh shows the next as these are sorted out.` : '';
    rows.unshift({ ref, providerId: '', text: `Of ${deliveries.length} channels: ${parts.join(', ')}.${listed}`, color: count('failed') ? 'Attention' : 'Default', canResend: false });
  }
  return rows;
}

/** "2 of 5 offered (about 60 hours a week); 1 more said so over 8 weeks ago (stale)" */
const capacityText = (c: OfferedCapacity, offered: number) =>
  `${c.said} of ${offered} offered${c.hours ? ` (about ${c.hours} hours a week)` : ''}${c.stale ? `; ${c.stale} more said so over ${c.weeks} weeks ago (stale)` : ''}`;

/** What council staff see of a call-off: sealed, so counts only, never a price or who bid. */
export function councilCard(r: PackageRequest, l: Lookups, counts: SealedCounts, o: { notice?: string; error?: string; canManage: boolean; now: Date }): CardJson {
  const c = r.calloff!;
  const open = r.state === 'open';
  const executeActions: CardAction[] = [{ title: 'Refresh', verb: 'calloff.status', data: { ref: r.id } }, { title: 'Request', verb: 'request.show', data: { ref: r.id } }];
  const deadlineTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(c.deadline));
  return render('calloff-council', {
    ref: r.id,
    title: `Call-off ${r.id}: ${r.state === 'open' ? 'open' : r.state}`,
    subtitle: `${names(l, r.package!.lots)} in ${zoneName(l, r.person!.zone)} · published ${formatUk(c.publishedAt)} · ${r.package!.mode === 'sequential' ? 'sequential offer' : 'competition'}`,
    notice: o.notice ?? '',
    error: o.error ?? '',
    facts: [
      { title: r.package!.mode === 'sequential' && open ? 'Round closes' : 'Deadline', value: formatUk(c.deadline) },
      { title: 'Offered to', value: `${counts.offered} provider${counts.offered === 1 ? '' : 's'}` },
      { title: 'Bids received', value: open ? `${counts.bids} (sealed until the deadline)` : String(counts.bids) },
      { title: 'Not interested', value: counts.declined.length ? counts.declined.map((d) => d.reason).join(', ') : 'none' },
      ...(counts.capacity ? [{ title: 'Said they have capacity', value: capacityText(counts.capacity, counts.offered) }] : []),
      ...(counts.deliveries ? [{ title: 'Card delivered to', value: `${counts.deliveries.filter((d) => d.state === 'delivered').length} of ${counts.deliveries.length} channels` }] : []),
      ...(c.rounds.length ? [{ title: 'Rounds', value: c.rounds.map((x) => x.tier).join(' → ') }] : []),
      ...(c.extensions.length ? [{ title: 'Extended', value: c.extensions.map((e) => `to ${formatUk(e.to)} (${e.reason})`).join('; ') }] : []),
    ],
    deliveries: deliveryRows(r.id, counts.deliveries ?? []),
    questions: c.clarifications.map((q) => ({ ref: r.id, id: q.id, question: plainText(q.question), answerText: q.answer ? `Answered: ${q.answer.text}` : 'Not answered yet', open: open && !q.answer && o.canManage })),
    executeActions: actions(executeActions),
    canExtend: open && o.canManage,
    canCancel: open && o.canManage,
    deadlineTime,
  });
}

export function answerForm(r: PackageRequest, questionId: string, values: Record<string, unknown>, errors: Record<string, string> = {}): CardJson {
  const q = r.calloff!.clarifications.find((c) => c.id === questionId)!;
  return renderForm({
    title: `Answer ${q.id} on ${r.id}`,
    intro: `Asked ${formatUk(q.askedAt)}. The question as worded below and your answer go to every provider offered ${r.id}; who asked is never shared. Reword the question if it gives the asker away.`,
    fields: [
      { id: 'questionAsShown', label: 'Question, as providers will see it', kind: 'multiline', required: true },
      { id: 'answer', label: 'Answer', kind: 'multiline', required: true },
    ],
    values: { questionAsShown: q.question, ...values },
    errors,
    actions: [
      { title: 'Send answer to all providers', verb: 'calloff.answer', data: { ref: r.id, questionId }, style: 'positive' },
      { title: 'Back', verb: 'calloff.status', data: { ref: r.id }, inputs: 'none' },
    ],
  });
}
