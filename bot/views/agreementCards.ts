import { panelBindings, type PanelCommon } from './panelBindings.js';
import type { Agreement, AgreementStatus, Ending, Variation } from '../../src/domain/agreement.js';
import { current, elementsText } from '../../src/domain/agreement.js';
import { versionOn, type Settlement } from '../../src/domain/agreementRules.js';
import type { AgreementView, CouncilAgreementView } from '../../src/app/agreements/views.js';
import { termsOf, type ProviderAgreementView, type ProviderHistory, type ProviderRules, type ProviderTerms } from '../../src/app/agreements/providerView.js';
import type { PeriodsSoFar } from '../../src/app/agreements/settlement.js';
import type { CardAction } from '../forms/form.js';
import { CardJson, render } from '../render.js';
import { day, gbp } from './format.js';
import { plainText } from '../../src/domain/plainText.js';
import type { ApprovalNote } from '../../src/app/approvals/views.js';
import { decisionButtons, noteFacts } from './approvalCards.js';

/**
 * Free text on an agreement (reasons, notes, element names, version summaries that quote them) may
 * have been typed by the provider; staff see it as plain text: no live links, images or markdown.
 */
const said = (s: string) => plainText(s);
const elementsShown = (els: Variation['elements']) => elementsText(els.map((e) => ({ ...e, name: said(e.name) }))).replace(/\n/g, '; ');

/**
 * Service-agreement cards (the agreement, the manager's approval), drawn from the view models in
 * src/app/agreements; the forms are in agreementForms.ts. Provider-bound cards
 * carry the package reference, terms, periods and money only: nothing about the person beyond
 * what the accepted provider already holds, and no council-only figures (budget, finance codes).
 */

interface Row {
  title: string;
  lines: string[];
  style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning';
}

export interface Panel extends PanelCommon {
  rows?: Row[];
  /** Free-text inputs (a decision note); shown with their errors. */
  fields?: { id: string; label: string }[];
  values?: Record<string, unknown>;
}

export function panel(v: Panel): CardJson {
  const errors = v.errors ?? {};
  return render('agreement', {
    ...panelBindings(v),
    rows: (v.rows ?? []).map((r) => ({ title: r.title, lines: r.lines.map((text) => ({ text })), style: r.style ?? 'default' })),
    fields: (v.fields ?? []).map((f) => ({ id: f.id, label: f.label, value: v.values?.[f.id] == null ? '' : String(v.values[f.id]), error: errors[f.id] ?? '' })),
  });
}

const STATUS: Record<AgreementStatus, string> = { awaiting_start: 'Waiting for the provider to confirm the start', active: 'Active', ended: 'Ended' };
const ENDED: Record<Ending['kind'], string> = { ended: 'Ended', 'handed back': 'Handed back by the provider', 're-brokered': 'Re-brokered' };
const hrs = (n: number) => `${Number(n.toFixed(2))} h`;
const pct = (n: number) => (Number.isFinite(n) ? `${n > 0 ? '+' : ''}${n}%` : 'n/a');

export const periodLine = (p: Settlement) =>
  `${day(p.start)} – ${day(p.end)}: planned ${hrs(p.plannedHours)} (${gbp(p.plannedCost)})` +
  (p.delivered === undefined ? ', no return yet' : `, delivered ${hrs(p.delivered)} (${pct(p.variance!.pct)}${p.variance!.beyond ? ', beyond tolerance' : ''})`) +
  (p.bank.banked ? `, ${hrs(p.bank.banked)} banked` : '') +
  (p.bank.drawn ? `, ${hrs(p.bank.drawn)} from the bank` : '') +
  (p.bank.excess ? `, ${hrs(p.bank.excess)} not payable without a variation` : '') +
  (p.suspendedDays ? `, ${p.suspendedDays} day(s) suspended (retainer ${gbp(p.retainer)})` : '') +
  `; payable ${gbp(p.payable)}`;

/** A variation as a line: the council's (with who decided for whom) or the provider's view of it. */
type VariationShown = Pick<Variation, 'n' | 'elements' | 'effectiveFrom' | 'endDate' | 'weeklyBefore' | 'weeklyAfter' | 'status' | 'decidedByName' | 'decisionNote' | 'reason'> & Partial<Pick<Variation, 'decidedForName'>>;

/** A decision note may end its own sentence ("returned.", not "returned.."). */
const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

const variationLine = (x: VariationShown) =>
  `${x.n}. ${elementsShown(x.elements)} from ${day(x.effectiveFrom)}${x.endDate ? `, ending ${day(x.endDate)}` : ''}: ${gbp(x.weeklyBefore)} → ${gbp(x.weeklyAfter)} a week. ${sentence(x.status === 'awaiting_approval' ? 'Waiting for a manager' : x.status === 'awaiting_agreement' ? "Waiting for the council's agreement" : x.status === 'applied' ? 'Applied (within limits)' : `${x.status[0].toUpperCase()}${x.status.slice(1)} by ${x.decidedByName ?? 'a manager'}${x.decidedForName ? ` for ${x.decidedForName}` : ''}${x.decisionNote ? `: ${said(x.decisionNote)}` : ''}`)} Reason: ${said(x.reason)}`;

/**
 * Why a variation waits for a manager, or that it applied, in the words of the view it is drawn
 * from: the council's reasons for staff, the provider's (no budget unless shown) for the provider.
 */
export function variationNotice(x: { n: number; status: Variation['status']; effectiveFrom: string }, reasons: string[], unchanged: boolean): string {
  if (unchanged) return `Variation ${x.n} was already ${x.status === 'awaiting_approval' ? 'sent for approval' : x.status === 'awaiting_agreement' ? "sent for the council's agreement" : 'applied'}; nothing changed.`;
  if (x.status === 'awaiting_agreement') return `Variation ${x.n} reduces the care the person gets, so the social worker or a broker must agree to it first; it has been sent to them. Nothing changes until they do.${reasons.length ? ` If they agree, it then needs a manager's approval (${reasons.join('; ')}).` : ''}`;
  if (x.status !== 'awaiting_approval') return `Variation ${x.n} is within the limits and applies from ${x.effectiveFrom}.`;
  return reasons.length ? `Variation ${x.n} needs a manager's approval (${reasons.join('; ')}); it has been sent.` : `Variation ${x.n} needs a manager's approval; it has been sent. You will be told the outcome.`;
}

/** What both audiences see: status, start and last day, the plan and its elements, the return rules, the bank. */
function termsFacts(x: { status: AgreementStatus; terms: ProviderTerms; ending?: { on: string; kind: Ending['kind']; reason?: string } }, v: PeriodsSoFar & { rules: ProviderRules }) {
  const t = x.terms;
  return [
    { title: 'Status', value: STATUS[x.status] + (x.ending ? ` (${x.ending.kind} ${day(x.ending.on)}${x.ending.reason ? `: ${said(x.ending.reason)}` : ''})` : '') },
    { title: 'Start', value: `${day(t.startDate)}${x.status === 'awaiting_start' ? ' (to be confirmed)' : ''}${t.endDate ? `; last day ${day(t.endDate)}` : ''}` },
    { title: 'Planned', value: `${hrs(t.hoursPerWeek)} a week, ${gbp(t.weeklyCost)} a week` },
    ...t.elements.map((e) => ({ title: `· ${said(e.name)}`, value: `${hrs(e.hoursPerWeek)} at ${gbp(e.hourlyRate)}` })),
    { title: 'Returns', value: `${v.rules.period}, tolerance ${v.rules.tolerancePct}%; banking up to ${v.rules.bankMaxHours} h for ${v.rules.bankMaxWeeks} weeks` },
    { title: 'Bank', value: hrs(v.periods.at(-1)?.bank.balance ?? 0) },
  ];
}

const statusOf = (pending: Pick<Variation, 'n' | 'status'> | undefined, status: AgreementStatus) =>
  (pending ? `Variation ${pending.n} is waiting for ${pending.status === 'awaiting_agreement' ? "the social worker's or a broker's agreement" : "a manager's approval"}.` : status === 'awaiting_start' ? 'Confirm the start date to begin the agreement.' : '');

/** The agreement: terms, the periods so far, history; actions for what this person may do. */
export function agreementCard(v: AgreementView, extra: { notice?: string; error?: string } = {}): CardJson {
  return v.audience === 'council' ? councilCard(v, extra) : providerCard(v, extra);
}

function councilCard(v: CouncilAgreementView, extra: { notice?: string; error?: string }): CardJson {
  const a = v.agreement;
  const c = current(a);
  const ref = { ref: a.ref };
  const rows: Row[] = [];
  if (v.periods.length) rows.push({ title: 'Periods', lines: v.periods.slice(-6).map(periodLine) });
  if (a.suspensions.length) rows.push({ title: 'Suspensions', lines: a.suspensions.map((s) => `${day(s.from)} – ${day(s.to)}: ${said(s.reason)}`) });
  if (a.variations.length) rows.push({ title: 'Variations', lines: a.variations.slice(-4).map(variationLine) });
  if (a.reviews.length) rows.push({ title: 'Review needed', style: 'warning', lines: a.reviews.slice(-4).map((r) => `${r.kind}: ${r.text}`) });
  rows.push({ title: `History (${a.versions.length} versions)`, lines: a.versions.slice(-6).map((x) => `v${x.version} ${day(x.at.slice(0, 10))}: ${said(x.summary)}${x.reason ? ` (${said(x.reason)})` : ''}`) });
  const open = a.status !== 'ended';
  const actions: CardAction[] = [
    ...(v.canManage && open ? [{ title: 'Review date and codes', verb: 'agreement.terms.form', data: ref }, { title: 'Propose a variation', verb: 'agreement.vary.form', data: ref }, { title: 'Record a suspension', verb: 'agreement.suspend.form', data: ref }, { title: 'End the package', verb: 'agreement.end.form', data: ref }] : []),
    ...(v.canRebroker ? [{ title: 'Re-broker to the framework', verb: 'agreement.rebroker.form', data: ref }] : []),
  ];
  return panel({
    title: `Service agreement ${a.ref}${a.offContract ? ' (off-contract)' : ''}`,
    subtitle: `${a.providerName} · ${a.zone} · ${a.lots.join(', ')}`,
    status: statusOf(v.pending, a.status),
    statusStyle: 'warning',
    ...extra,
    facts: [
      ...termsFacts({ status: a.status, terms: termsOf(a), ending: a.ending }, v),
      { title: 'Review date', value: c.reviewDate ? day(c.reviewDate) : 'not set' },
      { title: 'Personal budget', value: `${gbp(a.budgetWeekly)} a week` },
      { title: 'Finance codes', value: `cost centre ${c.financeCodes.costCentre || 'not set'}; provider finance id ${c.financeCodes.providerFinanceId || 'not set'}` },
    ],
    rows,
    actions: actions.slice(0, 5),
  });
}

/** A change in the provider's history, written from the terms (never the council's summary line). */
function historyLine(h: ProviderHistory): string {
  const what = (() => {
    switch (h.change) {
      case 'created':
        return `Agreed from the award: ${hrs(h.hoursPerWeek)} a week, ${gbp(h.weeklyCost)} a week`;
      case 'start confirmed':
        return `Start confirmed for ${day(h.startDate)}`;
      case 'variation':
        return `New terms from ${day(h.effectiveFrom)}: ${said(h.what)}; ${gbp(h.weeklyCost)} a week${h.reason ? ` (${said(h.reason)})` : ''}`;
      case 'suspension':
        return `Suspended ${day(h.from)} – ${day(h.to)} (${h.kind})`;
      default:
        return `${ENDED[h.change]}: last day ${day(h.on)}${h.reason ? ` (${said(h.reason)})` : ''}`;
    }
  })();
  return `${day(h.at.slice(0, 10))}: ${what}`;
}

/** The provider's card, from the provider's view only: it holds no budget, finance codes, review date or council notes to show. */
function providerCard(v: ProviderAgreementView, extra: { notice?: string; error?: string }): CardJson {
  const a = v.agreement;
  const ref = { ref: a.ref };
  const rows: Row[] = [];
  if (v.periods.length) rows.push({ title: 'Periods', lines: v.periods.slice(-6).map(periodLine) });
  if (a.suspensions.length) rows.push({ title: 'Suspensions', lines: a.suspensions.map((s) => `${day(s.from)} – ${day(s.to)}: ${s.kind}`) });
  if (a.variations.length) rows.push({ title: 'Variations', lines: a.variations.slice(-4).map(variationLine) });
  rows.push({ title: 'History', lines: a.history.slice(-6).map(historyLine) });
  const actions: CardAction[] = [
    ...(a.status === 'awaiting_start' ? [{ title: 'Confirm the start', verb: 'agreement.start.form', data: ref }] : []),
    ...(a.status !== 'awaiting_start' && v.owed.length ? [{ title: 'Return delivered hours', verb: 'agreement.return.form', data: { ...ref, periodStart: v.owed[0] } }] : []),
    ...(a.status === 'active' ? [{ title: 'Ask for a variation', verb: 'agreement.vary.form', data: ref }, { title: 'Hand the package back', verb: 'agreement.handback.form', data: ref }] : []),
  ];
  return panel({
    title: `Service agreement ${a.ref}`,
    subtitle: a.providerName,
    status: statusOf(v.pending, a.status),
    statusStyle: 'warning',
    ...extra,
    facts: termsFacts(a, v),
    rows,
    actions,
  });
}

/** The manager's approval card for a variation: the figures, the reasons it needs approval, who may decide it, the buttons until decided. */
export function variationApprovalCard(a: Agreement, x: Variation, f: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string; error?: string; note?: ApprovalNote } = {}): CardJson {
  // Joint funding (issue 24): the council's approval given, the variation still waits for a partner whose share it changes.
  const councilDone = x.status === 'awaiting_approval' && !!f.note?.decided;
  const decided = x.status !== 'awaiting_approval' || councilDone;
  return panel({
    title: `Approve a variation of ${a.ref}`,
    subtitle: `${a.providerName}; proposed by ${x.proposedByName} (${x.side}) on ${day(x.at.slice(0, 10))}`,
    status: councilDone ? '✔ Approved for the council (the decision is below); it applies once every funding partner whose share it changes has approved.' : decided ? `${x.status === 'approved' ? '✔ Approved' : x.status === 'rejected' ? '✖ Rejected' : 'Applied'} by ${x.decidedByName ?? 'the bot'}${x.decidedForName ? ` for ${x.decidedForName}` : ''}${x.decisionNote ? `: ${said(x.decisionNote)}` : ''}` : `Needs approval: ${x.approvalReasons.join('; ')}.`,
    statusStyle: decided ? (x.status === 'approved' ? 'good' : 'attention') : 'warning',
    notice: f.notice,
    error: f.error,
    facts: [
      { title: 'Weekly cost', value: `${gbp(x.weeklyBefore)} → ${gbp(x.weeklyAfter)} (personal budget ${gbp(a.budgetWeekly)})` },
      { title: 'Elements', value: elementsShown(x.elements) },
      { title: 'From', value: `${day(x.effectiveFrom)}${x.endDate ? `, ending ${day(x.endDate)}` : ''}` },
      { title: 'Reason', value: said(x.reason) },
      ...(x.agreedByName ? [{ title: "Council's agreement", value: `${x.agreedByName} agreed to the provider's change` }] : []),
      ...noteFacts(f.note),
    ],
    fields: decided ? [] : [{ id: 'decisionNote', label: 'Note (required to reject)' }],
    values: f.values,
    errors: f.errors,
    actions: decided ? [] : decisionButtons('agreement.variation.approve', 'agreement.variation.reject', { ref: a.ref, n: x.n }),
  });
}

/** A provider's cut (fewer hours, an earlier end) put to the social worker and brokers: agree or decline. */
export function providerChangeCard(a: Agreement, x: Variation, f: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string; error?: string } = {}): CardJson {
  const open = x.status === 'awaiting_agreement';
  // The terms the cut replaces: those in force on its first day (a later rise may already be applied).
  const c = versionOn(a.versions, x.effectiveFrom) ?? current(a);
  const answered = x.agreedByName ? `${x.status === 'rejected' ? '✖ Not agreed' : '✔ Agreed'} by ${x.agreedByName}${x.agreementNote ? `: ${said(x.agreementNote)}` : ''}.` : `No longer open (${x.decisionNote ?? 'the package ended'}).`;
  return panel({
    title: `${a.providerName} asks to cut ${a.ref}`,
    subtitle: `Variation ${x.n}, asked by ${x.proposedByName} on ${day(x.at.slice(0, 10))}. Nothing changes unless the council agrees.`,
    status: open ? `A provider cannot reduce a person's hours or end a package early on its own: the social worker or a broker must agree first.` : answered,
    statusStyle: open ? 'warning' : x.status === 'rejected' ? 'attention' : 'good',
    notice: f.notice,
    error: f.error,
    facts: [
      { title: 'Before the change', value: `${c.hoursPerWeek} hours, ${gbp(c.weeklyCost)} a week${c.endDate ? `, ending ${day(c.endDate)}` : ''}` },
      { title: 'Asked for', value: `${elementsShown(x.elements)}${x.endDate ? `, ending ${day(x.endDate)}` : ''}, from ${day(x.effectiveFrom)}: ${gbp(x.weeklyAfter)} a week` },
      { title: "Provider's reason", value: said(x.reason) },
      ...(open && x.approvalReasons.length ? [{ title: 'If agreed', value: `it then needs approval: ${x.approvalReasons.join('; ')}` }] : []),
    ],
    fields: open ? [{ id: 'agreementNote', label: 'Note (required if you do not agree; the provider is told)' }] : [],
    values: f.values,
    errors: f.errors,
    actions: open
      ? [
          { title: 'Agree to the change', verb: 'agreement.variation.agree', data: { ref: a.ref, n: x.n }, style: 'positive' },
          { title: 'Do not agree', verb: 'agreement.variation.decline', data: { ref: a.ref, n: x.n }, style: 'destructive' },
          { title: `Show ${a.ref}`, verb: 'agreement.show', data: { ref: a.ref }, inputs: 'none' },
        ]
      : [{ title: `Show ${a.ref}`, verb: 'agreement.show', data: { ref: a.ref }, inputs: 'none' }],
  });
}
