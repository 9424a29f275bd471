import { panelBindings, type PanelCommon } from './panelBindings.js';
import type { BidEvaluation, Placement } from '../../src/domain/award.js';
import type { ApprovalNote } from '../../src/app/approvals/views.js';
import { decisionButtons, noteFacts, rateText } from './approvalCards.js';
import { plainText } from '../../src/domain/plainText.js';
import type { BidFieldKey } from '../../src/domain/bidFields.js';
import type { ProviderCallOff } from '../../src/app/calloffs/providerView.js';
import { formatUk } from '../../src/domain/dates.js';
import { SCORE_LABELS, show2, type RankedRow } from '../../src/domain/scoring.js';
import type { OpenCallOff } from '../../src/app/calloffs/access.js';
import type { BlindBid, Overview } from '../../src/app/award/evaluation.js';
import { commentInput, scoreInput } from '../../src/app/award/evaluation.js';
import type { ApprovalData } from '../../src/app/award/views.js';
import type { CascadePreview } from '../../src/app/award/cascade.js';
import type { RankingView } from '../../src/app/award/shared.js';
import { questionHeading } from '../../src/domain/personQuestions.js';
import { CardAction, FieldSpec, renderForm } from '../forms/form.js';
import { CardJson, render } from '../render.js';
import { cap, day, gbp } from './format.js';
import { NOT_TOP_REASONS, TOOK_PART, TOOK_PART_LABELS } from '../../src/domain/choice.js';
import { someOf } from './paging.js';
import type { ModelRate, RateCheck } from '../../src/domain/costModel.js';


interface Row {
  title: string;
  lines: string[];
  style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
  actions?: { title: string; verb: string; data: Record<string, unknown> }[];
}

interface AwardView extends PanelCommon {
  rowsTitle?: string;
  rows?: Row[];
  fields?: FieldSpec[];
  values?: Record<string, unknown>;
  /** Said under the downloads (the choice pack's links, shown only in the reply to the one who asked). */
  linksNote?: string;
}

/** The generic award card (cards/award.json): every binding filled, '' and [] for empty. */
export function awardCard(v: AwardView): CardJson {
  const errors = v.errors ?? {};
  return render('award', {
    ...panelBindings(v),
    rowsTitle: v.rowsTitle ?? '',
    rows: (v.rows ?? []).map((r) => ({ title: r.title, lines: r.lines.map((text) => ({ text })), style: r.style ?? 'default', actions: r.actions ?? [] })),
    fields: (v.fields ?? []).map((f) => ({
      id: f.id,
      label: f.label,
      kind: f.kind,
      required: f.required ?? false,
      help: f.help ?? '',
      choices: f.choices ?? [],
      value: v.values?.[f.id] === undefined || v.values?.[f.id] === null ? '' : Array.isArray(v.values[f.id]) ? (v.values[f.id] as unknown[]).join(',') : String(v.values[f.id]),
      error: errors[f.id] ?? '',
    })),
    linksNote: v.linksNote ?? '',
  });
}

// ───────────────────────────── blind evaluation ─────────────────────────────

const SCORE_CHOICES = SCORE_LABELS.map((label, i) => ({ title: `${i} ${label}`, value: String(i) }));

/** The blind fields this form words itself; any other blind field of bidFields.ts is listed as "label: value". */
export const WORDED_BLIND_FIELDS: readonly BidFieldKey[] = ['hoursPerWeek', 'earliestStart', 'supportPlan', 'meetsCarerGender', 'meetsLanguage'];
const otherBlindFields = (bid: BlindBid) => bid.fields.filter((f) => !WORDED_BLIND_FIELDS.includes(f.key)).map((f) => `${f.label}: ${plainText(f.value)}`);

/** One bid, blind: support plan and answers, never the price or who bid. */
export function evaluationForm(r: OpenCallOff, bid: BlindBid, e: BidEvaluation, values: Record<string, unknown> = {}, errors: Record<string, string> = {}, notice = ''): CardJson {
  const locked = !!e.lockedAt;
  const stored: Record<string, unknown> = locked
    ? {
        ...Object.fromEntries(Object.entries(e.scores ?? {}).map(([q, s]) => [scoreInput(q), String(s)])),
        ...Object.fromEntries(Object.entries(e.comments ?? {}).map(([q, c]) => [commentInput(q), c])),
        meetsNeeds: e.meetsNeeds ? 'yes' : 'no',
        needsNote: e.needsNote ?? '',
      }
    : {};
  const fields: FieldSpec[] = [
    { id: 'mandatory', label: 'Mandatory needs', kind: 'heading', help: [`Hours offered: ${bid.hoursPerWeek} a week (requested ${r.package.hoursPerWeek}). Earliest start: ${day(bid.earliestStart)} (requested ${day(r.package.startDate)}).`, `Carer gender preference (${r.package.carerGender}): ${bid.meetsCarerGender}. Language and cultural needs${r.package.languageNeeds ? ` (${r.package.languageNeeds})` : ' (none stated)'}: ${bid.meetsLanguage}.`, bid.cannotMeet.length ? `⚠ Non-compliant whatever it scores: ${bid.cannotMeet.join('; ')}.` : '', ...otherBlindFields(bid)].filter(Boolean).join('\n\n') },
    ...bid.answers.flatMap((a, i): FieldSpec[] => [
      { id: `h_${a.questionId}`, label: `${questionHeading({ text: a.question, byPerson: a.byPerson }, i)} (weight ${a.weight})`, kind: 'heading', help: a.answer ? plainText(a.answer) : '(no answer)' },
      {
        id: scoreInput(a.questionId),
        label: a.byPerson ? `Score for question ${i + 1} against what the person said a good answer looks like: ${a.criterion}` : `Score for question ${i + 1} (0–5; a 0 makes the bid non-compliant)`,
        kind: 'choice',
        required: true,
        choices: SCORE_CHOICES,
      },
      { id: commentInput(a.questionId), label: 'Comment (optional)', kind: 'multiline' },
    ]),
    { id: 'needsHeading', label: "The person's needs", kind: 'heading' },
    { id: 'meetsNeeds', label: "Does this bid meet the person's needs?", kind: 'choice', required: true, choices: [{ title: 'Yes', value: 'yes' }, { title: 'No (the bid is then non-compliant)', value: 'no' }] },
    { id: 'needsNote', label: 'Why not, or anything to note', kind: 'multiline' },
  ];
  return renderForm({
    title: `${r.id}: evaluate bid ${bid.label} (blind)`,
    intro: `**Support plan** (the provider's words, shown as plain text): ${plainText(bid.supportPlan)}\n\nScored blind: you see neither the price nor the provider. Prices are revealed when every bid's scores are locked; locked scores cannot change.`,
    notice: locked ? `${notice ? `${notice} ` : ''}Locked on ${formatUk(e.lockedAt!)}.` : notice,
    formError: Object.keys(errors).length ? 'Please correct the highlighted fields; nothing you typed is lost.' : '',
    fields,
    values: { ...values, ...stored },
    errors,
    actions: locked
      ? [{ title: 'Evaluation overview', verb: 'evaluation.show', data: { ref: r.id }, inputs: 'none' }]
      : [
          { title: `Lock scores for bid ${bid.label}`, verb: 'evaluation.lock', data: { ref: r.id, bid: bid.label }, style: 'positive' },
          { title: 'Evaluation overview', verb: 'evaluation.show', data: { ref: r.id }, inputs: 'none' },
        ],
  });
}

/** Which bids are scored and locked (before prices are revealed). */
export function overviewCard(o: Overview, notice = ''): CardJson {
  const r = o.request;
  const left = o.items.filter((i) => !i.locked).length;
  return awardCard({
    title: `${r.id}: blind quality evaluation${r.evaluation!.round === 2 ? ' (cascade round)' : ''}`,
    subtitle: `${o.items.length} bid${o.items.length === 1 ? '' : 's'} to score. Prices stay hidden until every bid is locked.`,
    status: left ? `${left} of ${o.items.length} still to lock.` : 'Every bid is locked.',
    notice,
    rows: o.items.map((i) => ({
      title: `Bid ${i.label}`,
      lines: [i.locked ? `Locked on ${formatUk(i.lockedAt!)}` : 'Not locked yet'],
      style: i.locked ? 'good' : 'default',
      actions: [{ title: i.locked ? `View bid ${i.label}` : `Score bid ${i.label}`, verb: 'evaluation.form', data: { ref: r.id, bid: i.label } }],
    })),
  });
}

// ───────────────────────────── ranking and choice ─────────────────────────────

function flagText(row: RankedRow, r: OpenCallOff, minHourlyRate: number): string[] {
  const out: string[] = [];
  if (row.flags.overBudget) out.push(`⚠ over budget (${gbp(row.weeklyPrice - r.package.budgetWeekly)} a week above ${gbp(r.package.budgetWeekly)})`);
  if (row.flags.unsustainable) out.push(`⚠ unsustainable price (${gbp(row.hourlyRate)}/h is below the ${gbp(minHourlyRate)}/h minimum)`);
  return out;
}

/** A bid's hourly rate against the cost-of-care model (issue 25): flagged when below it. */
const rateLine = (c: RateCheck | undefined): string[] => (c ? [rateText(c)] : []);

export function rankingRows(r: OpenCallOff, ranking: RankingView, names: Map<string, string>): Row[] {
  const label = (id: string) => ranking.evaluation.bids.find((b) => b.bidId === id)?.label ?? '?';
  const rows: Row[] = ranking.rows.map((row) => ({
    title: row.compliant ? `${row.rank}. ${names.get(row.bidId) ?? row.bidId} (bid ${label(row.bidId)}): total ${show2(row.total)}` : `Not ranked: ${names.get(row.bidId) ?? row.bidId} (bid ${label(row.bidId)})`,
    lines: [
      `${gbp(row.weeklyPrice)} a week (${gbp(row.hourlyRate)}/h) · price ${show2(row.priceScore)} of ${r.package.costWeight} · quality ${show2(row.qualityScore)} of ${r.package.qualityWeight}`,
      ...(row.compliant ? [] : [`Non-compliant: ${row.reasons.join('; ')}.`]),
      ...flagText(row, r, ranking.minHourlyRate),
      ...rateLine(ranking.rateChecks.get(row.bidId)),
    ],
    style: row.compliant ? (row.rank === 1 ? 'good' : 'default') : 'attention',
  }));
  for (const x of ranking.evaluation.excluded) rows.push({ title: `Out of the choice: ${names.get(x.bidId) ?? x.bidId} (bid ${label(x.bidId)})`, lines: [`${x.why} on ${formatUk(x.at)}`], style: 'warning' });
  return rows;
}

export function rankingFacts(r: OpenCallOff, ranking: RankingView) {
  return [
    { title: 'Scoring', value: `cost ${r.package.costWeight} / quality ${r.package.qualityWeight}; totals to 2 dp, ranked on the exact value` },
    { title: 'Lowest compliant price', value: ranking.lowestCompliantPrice === undefined ? 'none' : `${gbp(ranking.lowestCompliantPrice)} a week` },
    { title: 'Indicative budget', value: `${gbp(r.package.budgetWeekly)} a week` },
    ...(ranking.model ? [{ title: 'Cost-of-care model', value: modelRateText(ranking.model) }] : []),
  ];
}

/** "£32.14/h (Learning disability: the council default); `cost of care` shows the workings" */
const modelRateText = (m: ModelRate) => `${gbp(m.rate)}/h (${m.lotName ?? m.lot}: ${m.own ? 'its own model' : 'the council default'}${m.upliftPct ? `, ${m.upliftPct}% uplift in ${m.zone}` : ''}); \`cost of care\` shows the workings`;

export interface RankingOptions {
  canChoose: boolean;
  notice?: string;
  error?: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  /** The choice pack just made for the social worker who asked (its links are theirs alone). */
  pack?: { links: { title: string; url: string }[]; expiresAt: Date };
}

const TOOK_PART_CHOICES = TOOK_PART.map((value) => ({ title: TOOK_PART_LABELS[value], value }));
const REASON_CHOICES = NOT_TOP_REASONS.map((value) => ({ title: cap(value), value }));

export function rankingCard(r: OpenCallOff, ranking: RankingView, names: Map<string, string>, o: RankingOptions): CardJson {
  const compliant = ranking.rows.filter((x) => x.compliant);
  const choosing = o.canChoose && r.state === 'evaluated' && compliant.length > 0;
  const current = r.choices?.at(-1);
  let status = '';
  if (r.state === 'awaiting_approval' && current) status = `The person chose ${names.get(current.bidId) ?? current.bidId}; waiting for a manager's approval.`;
  else if (r.state === 'awarded' && r.award) status = `Awarded to ${r.award.providerName}${r.award.status === 'accepted' ? ' (accepted)' : ', waiting for the provider to accept'}.`;
  else if (r.state === 'evaluated' && !compliant.length) status = 'No compliant bid: the brokers have been offered the cascade.';
  else if (r.state === 'evaluated') status = 'Prices revealed. Make a choice pack for the person and their carers, then record the offer they chose, in their words.';
  const rejected = r.decisions?.filter((d) => d.outcome === 'rejected').at(-1);
  const packs = (r.choicePacks ?? []).filter((p) => p.round === ranking.evaluation.round);
  const actions: CardAction[] = choosing
    ? [
        { title: "Record the person's choice", verb: 'award.choose', data: { ref: r.id }, style: 'positive' },
        { title: packs.length ? 'Make the choice pack again' : 'Make a choice pack (PDF)', verb: 'choice.pack', data: { ref: r.id }, inputs: 'none' },
      ]
    : [{ title: 'Refresh', verb: 'evaluation.show', data: { ref: r.id }, inputs: 'none' }];
  return awardCard({
    title: `${r.id}: ranking${ranking.evaluation.round === 2 ? ' (cascade round)' : ''}`,
    subtitle: `Revealed ${formatUk(ranking.evaluation.revealedAt!)}. Non-compliant bids are shown but not ranked.`,
    status,
    statusStyle: r.state === 'evaluated' && compliant.length ? 'accent' : 'emphasis',
    notice: o.notice,
    error: o.error ?? (r.state === 'evaluated' && rejected && rejected.n === current?.n ? `The manager rejected the last choice: ${plainText(rejected.reason ?? '')}` : ''),
    facts: [...rankingFacts(r, ranking), ...(packs.length ? [{ title: 'Choice pack', value: `made ${formatUk(packs.at(-1)!.at)}${packs.length > 1 ? ` (${packs.length} times)` : ''}` }] : [])],
    rowsTitle: 'Bids',
    rows: rankingRows(r, ranking, names),
    fields: choosing
      ? [
          { id: 'choice', label: "The offer the person (or their carers) chose", kind: 'choice', required: true, choices: compliant.map((x) => ({ title: `${x.rank}. ${names.get(x.bidId) ?? x.bidId} (total ${show2(x.total)}, ${gbp(x.weeklyPrice)} a week)`, value: x.bidId })) },
          { id: 'tookPart', label: 'Who took part in the choice', kind: 'multichoice', required: true, choices: TOOK_PART_CHOICES },
          { id: 'personWords', label: "The person's reasons, in their own words", kind: 'multiline', required: true, help: "Write what they said, as they said it. For a best-interests decision: what is known of their wishes and feelings, and why this offer is in their best interests." },
          { id: 'choiceReasonCategory', label: 'If not number 1: the main reason', kind: 'choice', choices: REASON_CHOICES },
          { id: 'choiceReason', label: 'If not number 1: why, for the managers', kind: 'multiline', help: 'Required when the person chooses other than number 1.' },
        ]
      : [],
    values: o.values ?? (choosing ? { choice: compliant[0].bidId } : {}),
    errors: o.errors,
    footer: choosing ? 'The choice goes to the managers for approval. The choice pack names the person: it is for you to print or share with them, not for providers.' : '',
    links: o.pack?.links,
    linksNote: o.pack ? `The choice pack for the person and their carers (the links work until ${formatUk(o.pack.expiresAt)}; make it again for new ones):` : '',
    actions,
  });
}

// ───────────────────────────── approval ─────────────────────────────

/** The approval as the brokerage computed it (src/app/award/views.ts), with this reply's notice or form state. */
export interface ApprovalView extends ApprovalData {
  notice?: string;
  error?: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

export function approvalCard(v: ApprovalView): CardJson {
  const r = v.request;
  const c = v.chosen;
  const diff = c.weeklyPrice - r.package.budgetWeekly;
  const top = c.choice.topBidId && c.choice.topBidId !== c.choice.bidId ? v.names.get(c.choice.topBidId) ?? c.choice.topBidId : undefined;
  const flags = [c.overBudget ? 'over budget' : '', c.unsustainable ? `unsustainable price (below ${gbp(v.minHourlyRate)}/h)` : ''].filter(Boolean);
  const councilApproved = !v.decision && !v.stale ? v.funding?.councilApproved : undefined;
  const open = !v.decision && !v.stale && !councilApproved;
  const status = councilApproved
    ? `✔ Approved for the council by ${councilApproved}. The award is made once ${v.funding!.waitingFor.join(' and ')} ${v.funding!.waitingFor.length > 1 ? 'approve their shares' : 'approves its share'}.`
    : v.decision
    ? `${v.decision.outcome === 'approved' ? '✔ Approved' : '✖ Rejected'} by ${v.decision.byName}${v.decision.forName ? ` for ${v.decision.forName}` : ''} on ${formatUk(v.decision.at)}.${v.decision.reason ? ` Reason: ${plainText(v.decision.reason)}` : ''}${v.decision.justification ? ` Justification: ${v.decision.justification}` : ''}`
    : v.stale ?? 'Waiting for a manager’s decision.';
  return awardCard({
    title: `Approve the award of ${r.id}?`,
    subtitle: c.choice.sequential ? 'Sequential offer: the first provider to accept on terms that meet the request (no competition scoring).' : `Competition: cost ${r.package.costWeight} / quality ${r.package.qualityWeight}.`,
    status,
    statusStyle: v.decision ? (v.decision.outcome === 'approved' ? 'good' : 'attention') : v.stale ? 'emphasis' : 'accent',
    notice: v.notice,
    error: v.error,
    facts: [
      { title: 'Chosen', value: `${v.providerName}${c.row?.rank ? ` (ranked ${c.row.rank}, total ${show2(c.row.total)})` : ''}` },
      { title: 'Weekly price', value: `${gbp(c.weeklyPrice)} (${gbp(c.hourlyRate)}/h)` },
      { title: 'Budget', value: `${gbp(r.package.budgetWeekly)} a week: ${diff > 0 ? `${gbp(diff)} over` : diff < 0 ? `${gbp(-diff)} under` : 'exactly on budget'}` },
      { title: 'Flags', value: flags.length ? `⚠ ${flags.join('; ')}` : 'none' },
      ...(top ? [{ title: 'Top-ranked was', value: `${top}; the person chose otherwise (${c.choice.reasonCategory ?? 'reason not grouped'}): ${c.choice.reason ?? ''}` }] : []),
      ...(c.choice.tookPart?.length ? [{ title: 'Who took part', value: c.choice.tookPart.map((t) => TOOK_PART_LABELS[t]).join('; ') }] : []),
      ...(c.choice.personWords ? [{ title: "In the person's words", value: c.choice.personWords }] : []),
      { title: 'Hours', value: `${r.package.hoursPerWeek} a week from ${day(r.package.startDate)}` },
      ...(v.funding ? [{ title: 'Joint funding', value: `${v.funding.split}${!v.decision && v.funding.waitingFor.length ? ` Still to approve: ${v.funding.waitingFor.join(', ')}.` : ''}` }] : []),
      ...noteFacts(v.note),
    ],
    rowsTitle: v.ranking ? 'Ranking' : '',
    rows: v.ranking ? rankingRows(r, v.ranking, v.names) : [],
    fields: open
      ? [
          ...(c.overBudget ? [{ id: 'justification', label: 'Justification for approving over budget (required to approve)', kind: 'multiline' as const }] : []),
          { id: 'rejectReason', label: 'Reason, if you reject (required to reject)', kind: 'multiline' },
        ]
      : [],
    values: v.values,
    errors: v.errors,
    actions: open ? decisionButtons('award.approve', 'award.reject', { ref: r.id, n: v.n }) : [],
  });
}

// ───────────────────────────── provider side ─────────────────────────────

/** The award offer in the winner's channel: its own bid only, nothing that identifies the person. */
export function awardOfferCard(c: ProviderCallOff, o: { notice?: string; error?: string; values?: Record<string, unknown>; errors?: Record<string, string> }): CardJson {
  const a = c.ownAward;
  const open = c.state === 'awarded' && a?.status === 'offered';
  const status = !a
    ? 'This award is no longer open to your organisation.'
    : a.status === 'accepted'
      ? `✔ Accepted on ${formatUk(a.acceptedAt!)}. The person's referral details have been posted in this channel.`
      : a.status === 'declined'
        ? `You declined on ${formatUk(a.declinedAt!)}: ${a.declineReason ?? ''}`
        : `Approved by the council on ${formatUk(a.approvedAt!)}. Please accept or decline.`;
  return awardCard({
    title: `Award of call-off ${c.profile.ref} to your organisation`,
    subtitle: 'The person chose your bid and a manager approved the award.',
    status,
    statusStyle: a?.status === 'accepted' ? 'good' : a?.status === 'declined' ? 'attention' : 'accent',
    notice: o.notice,
    error: o.error,
    facts: [
      { title: 'Your weekly price', value: a ? gbp(a.weeklyPrice) : '—' },
      { title: 'Hours', value: `${c.profile.hoursPerWeek} a week` },
      { title: 'Start', value: day(c.profile.startDate) },
    ],
    fields: open ? [{ id: 'declineReason', label: 'If you decline, why? (the council chooses again without your bid)', kind: 'multiline' }] : [],
    values: o.values,
    errors: o.errors,
    footer: open ? "On acceptance the person's referral details are posted in this channel." : '',
    actions: open
      ? [
          { title: 'Accept the award', verb: 'award.accept', data: { ref: c.profile.ref }, style: 'positive', inputs: 'none' },
          { title: 'Decline', verb: 'award.decline', data: { ref: c.profile.ref }, style: 'destructive' },
        ]
      : [],
  });
}

// ───────────────────────────── cascade ─────────────────────────────

export function cascadeCard(r: OpenCallOff, preview: CascadePreview | undefined, o: { notice?: string; error?: string } = {}): CardJson {
  const offer = r.cascadeOffer;
  const step = offer?.next;
  let status = '';
  if (r.state === 'awarded' && r.award?.offContract) status = `Placed off-contract with ${r.award.providerName} at ${gbp(r.award.weeklyPrice)} a week (${r.award.reason}).`;
  else if (r.state === 'awarded') status = `Awarded to ${r.award?.providerName}.`;
  else if (r.state === 'open' && r.calloff.cascade) status = `The cascade round is open to ${r.calloff.cascade.providerIds.length} neighbouring-zone provider(s) until ${formatUk(r.calloff.deadline)}.`;
  else if (!offer) status = `${r.id} is ${r.state.replace('_', ' ')}; no cascade is needed.`;
  else if (r.placements?.at(-1)?.status === 'awaiting_approval') status = `The off-contract placement with ${plainText(r.placements.at(-1)!.providerName)} at ${gbp(r.placements.at(-1)!.weeklyPrice)} a week is waiting for approval.`;
  else status = `No compliant bid: ${offer.why}. ${step === 'round' ? 'Next: offer it to providers in neighbouring zones.' : 'Next: a temporary off-contract placement.'}`;
  const actions: CardAction[] = [];
  if (step === 'round' && r.state !== 'awarded') actions.push({ title: 'Offer to neighbouring zones', verb: 'cascade.form', data: { ref: r.id }, style: 'positive' });
  if (step === 'off-contract' && r.state !== 'awarded' && r.placements?.at(-1)?.status !== 'awaiting_approval') actions.push({ title: 'Record an off-contract placement', verb: 'offcontract.form', data: { ref: r.id }, style: 'positive' });
  return awardCard({
    title: `${r.id}: cascade`,
    subtitle: 'The Kent model: with no compliant bid, offer the call-off to neighbouring zones; after that, a temporary off-contract placement.',
    status,
    statusStyle: step ? 'attention' : 'emphasis',
    notice: o.notice,
    error: o.error,
    facts: preview && step === 'round' ? [{ title: 'Neighbouring zones', value: preview.zones.join(', ') || 'none' }, { title: 'Would reach', value: someOf(preview.providers.map((p) => p.name), 10) || 'nobody' }] : [],
    actions,
  });
}

export function cascadeForm(p: CascadePreview, values: Record<string, unknown> = {}, errors: Record<string, string> = {}): CardJson {
  return awardCard({
    title: `${p.request.id}: offer to neighbouring zones`,
    subtitle: `Goes to ${someOf(p.providers.map((x) => x.name), 10) || 'nobody'} (${p.zones.join(', ')}), with the same anonymised call-off and a new deadline. Earlier bidders cannot bid again.`,
    fields: [
      { id: 'cascadeDate', label: 'New deadline date', kind: 'date', required: true },
      { id: 'cascadeTime', label: 'Time (UK)', kind: 'time', required: true },
    ],
    values: { cascadeTime: '17:00', ...values },
    errors,
    actions: [
      { title: 'Offer to neighbouring zones', verb: 'cascade.round', data: { ref: p.request.id }, style: 'positive' },
      { title: 'Back', verb: 'cascade.show', data: { ref: p.request.id }, inputs: 'none' },
    ],
  });
}

/** An off-contract placement waiting for (or given) approval: the provider, price, reason and who may decide. */
export function placementApprovalCard(r: OpenCallOff, p: Placement, o: { note?: ApprovalNote; notice?: string; error?: string; values?: Record<string, unknown>; errors?: Record<string, string> } = {}): CardJson {
  const open = p.status === 'awaiting_approval' && r.state !== 'cancelled';
  const diff = p.weeklyPrice - r.package.budgetWeekly;
  return awardCard({
    title: `Approve the off-contract placement of ${r.id}?`,
    subtitle: 'A temporary placement outside the framework after the cascade; reported to commissioning as off-contract and re-brokered later.',
    status: open ? 'Waiting for an approver.' : p.status === 'awaiting_approval' ? `${r.id} was cancelled.` : `${p.status === 'approved' ? '✔ Approved' : '✖ Rejected'} by ${p.decidedByName}${p.forName ? ` for ${p.forName}` : ''} on ${formatUk(p.decidedAt!)}.${p.decisionNote ? ` ${plainText(p.decisionNote)}` : ''}`,
    statusStyle: open ? 'accent' : p.status === 'approved' ? 'good' : 'attention',
    notice: o.notice,
    error: o.error,
    facts: [
      { title: 'Provider', value: plainText(p.providerName) },
      { title: 'Weekly price', value: gbp(p.weeklyPrice) },
      { title: 'Budget', value: `${gbp(r.package.budgetWeekly)} a week: ${diff > 0 ? `${gbp(diff)} over` : diff < 0 ? `${gbp(-diff)} under` : 'exactly on budget'}` },
      { title: 'Why off-contract', value: plainText(p.reason) },
      { title: 'Recorded', value: `${formatUk(p.recordedAt)}` },
      ...noteFacts(o.note),
    ],
    fields: open ? [{ id: 'decisionNote', label: 'Reason, if you reject (required to reject)', kind: 'multiline' }] : [],
    values: o.values,
    errors: o.errors,
    actions: open ? decisionButtons('offcontract.approve', 'offcontract.reject', { ref: r.id, n: p.n }) : [],
  });
}

export function offContractForm(r: OpenCallOff, values: Record<string, unknown> = {}, errors: Record<string, string> = {}): CardJson {
  return awardCard({
    title: `${r.id}: off-contract placement`,
    subtitle: `A temporary placement outside the framework, reported to commissioning as off-contract. Budget: ${gbp(r.package.budgetWeekly)} a week.`,
    fields: [
      { id: 'providerName', label: 'Provider', kind: 'text', required: true },
      { id: 'weeklyPrice', label: 'Weekly price (£)', kind: 'number', required: true },
      { id: 'reason', label: 'Why off-contract', kind: 'multiline', required: true },
    ],
    values,
    errors,
    actions: [
      { title: 'Record the placement', verb: 'offcontract.record', data: { ref: r.id }, style: 'positive' },
      { title: 'Back', verb: 'cascade.show', data: { ref: r.id }, inputs: 'none' },
    ],
  });
}
