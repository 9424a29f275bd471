import type { Activity } from 'botbuilder';
import { noCard } from '../../src/app/notifications.js';
import type { FundingMessageView } from '../../src/app/notifications/render.js';
import type { PartnerList, PartnerPackageView } from '../../src/app/funding/views.js';
import type { PartnerSummary } from '../../src/app/funding/partners.js';
import type { SplitView } from '../../src/app/funding/split.js';
import { APPROVER_LEVEL, SENIOR_LEVEL } from '../../src/app/funding/partners.js';
import { BASIS_LABELS, FUNDING_BASES, PARTNER_KIND_LABELS, PARTNER_KINDS, splitWords } from '../../src/domain/funding.js';
import { formatUk } from '../../src/domain/dates.js';
import { plainText } from '../../src/domain/plainText.js';
import { renderForm } from '../forms/form.js';
import type { CardJson } from '../render.js';
import { awardCard } from './awardCards.js';
import { decisionButtons, noteFacts } from './approvalCards.js';
import { listCard } from './listCard.js';
import { card, gbp } from './format.js';

/**
 * Joint funding's cards (issue 24): a partner's approval card and its list of packages (drawn only
 * from what the partner may see: src/app/funding/views.ts), the social worker's split form, and
 * the commissioner's partners. Nothing here is ever drawn for a provider.
 */

type Opts = { notice?: string; error?: string; values?: Record<string, unknown>; errors?: Record<string, string> };

function personFacts(v: PartnerPackageView): { title: string; value: string }[] {
  if (v.person.kind === 'details') {
    return [
      { title: 'Person', value: `${v.person.name} (case ${v.person.caseRef}), born ${v.person.dateOfBirth}` },
      { title: 'Address', value: v.person.address },
      { title: 'Why you see this', value: `A lawful basis is recorded for your organisation on this package (${v.basis}).` },
    ];
  }
  const p = v.person.profile;
  return [
    { title: 'Person', value: `Anonymised: no lawful basis to share the person's details with your organisation is recorded for this package.` },
    { title: 'Profile', value: `Age ${p.ageBand}; zone ${p.zone}; ${p.lots.join(', ')}` },
    { title: 'Needs', value: p.needsSummary },
    { title: 'Hours', value: `${p.hoursPerWeek} a week (${p.visitPattern}) from ${p.startDate}` },
  ];
}

/** The card a partner's approver decides from, and what its people see of one package. */
export function partnerPackageCard(v: PartnerPackageView, o: Opts = {}): CardJson {
  const a = v.approval?.approval;
  const open = a?.status === 'waiting';
  const decided = a && !open ? (a.status === 'lapsed' ? `Closed without your decision: ${a.note ?? ''}` : `${a.status === 'approved' ? '✔ Approved' : '✖ Refused'} by ${a.decidedByName}${a.decidedForName ? ` for ${a.decidedForName}` : ''} for ${v.partner.name} on ${formatUk(a.decidedAt!)}.${a.note ? ` ${a.status === 'approved' ? 'Note' : 'Reason'}: ${a.note}` : ''}`) : undefined;
  return awardCard({
    title: a ? `${v.partner.name}: approve your share of ${v.ref}?` : `${v.ref}: ${v.partner.name}'s share`,
    subtitle: a ? v.approval!.what : v.status,
    status: decided ?? (open ? `Waiting for ${v.partner.name}'s approval. The award is made only when every funder has approved.` : v.status),
    statusStyle: a?.status === 'approved' ? 'good' : a?.status === 'rejected' ? 'attention' : 'accent',
    notice: o.notice,
    error: o.error,
    facts: [
      { title: 'Your share', value: v.share },
      { title: 'Basis', value: v.basis },
      { title: 'Split', value: v.split },
      ...(v.providerName ? [{ title: 'Provider', value: v.providerName }] : []),
      ...personFacts(v),
      ...(v.approval ? noteFacts(v.approval.note).filter((f) => f.title !== 'Cannot decide (separation of duties)') : []),
    ],
    fields: open ? [{ id: 'refuseReason', label: 'Reason, if your organisation does not agree to fund it (required to refuse; the council is told)', kind: 'multiline' }] : [],
    values: o.values,
    errors: o.errors,
    actions: open ? decisionButtons('funding.approve', 'funding.refuse', { id: a!.id }).map((b) => (b.verb === 'funding.refuse' ? { ...b, title: 'Refuse' } : b)) : [],
  });
}

export function partnerListCard(l: PartnerList, notice = ''): CardJson {
  return listCard({
    title: `${l.viewer.partner.name}: packages you fund`,
    notice,
    intro: 'Only the packages your organisation has a share of are listed. The council is lead commissioner: providers never see who pays.',
    empty: 'No package has a share for your organisation yet.',
    rows: l.rows.map((r) => ({ title: r.ref, subtitle: [r.share, r.status, r.waiting].filter(Boolean).join(' · '), attention: !!r.waiting, actions: [{ title: 'Open', verb: 'funding.show', data: { ref: r.ref } }] })),
  });
}

/** The social worker's (or broker's) split form on a request or an agreement. */
export function splitCard(v: SplitView, o: Opts = {}): CardJson {
  const r = v.request;
  const names = (id: string) => v.partners.find((p) => p.id === id)?.name ?? id;
  const onAgreement = !!v.agreement;
  const waiting = v.waiting ? `Waiting for the partners whose share changes: ${splitWords(v.waiting, names)} from ${v.waiting.from}.` : '';
  const refused = v.agreement?.funding?.filter((s) => s.status === 'refused').at(-1);
  const share = v.split?.shares[0];
  const values = o.values ?? (share ? { partnerId: share.partnerId, shareKind: share.elements?.length ? 'elements' : 'percent', percent: share.percent ?? '', elements: share.elements?.join(', ') ?? '', basis: share.basis, lawfulBasis: share.lawfulBasis } : { partnerId: 'none', shareKind: 'percent' });
  return renderForm({
    title: `Funding of ${r.id}`,
    intro: [
      `Now: ${splitWords(v.split, names)}${v.split?.reason ? ` Reason: ${v.split.reason}` : ''}`,
      waiting,
      refused?.refusal ? `Last change refused by ${refused.refusal.partnerName} (${refused.refusal.byName}): ${plainText(refused.refusal.reason)}` : '',
      v.locked ?? (onAgreement ? 'A new split applies from the day you give; it goes to every partner whose share it changes, and applies once they approve.' : 'The council is lead commissioner and pays what the partners do not. Each partner approves its share before the award is made.'),
      v.partners.length ? '' : 'No funding partner is registered yet: a commissioner adds them with `funding partners`.',
    ].filter(Boolean).join('\n\n'),
    notice: o.notice,
    formError: o.error,
    fields: v.locked
      ? []
      : [
          { id: 'partnerId', label: 'Partner', kind: 'choice', required: true, choices: [{ title: 'None: the council pays all', value: 'none' }, ...v.partners.map((p) => ({ title: p.name, value: p.id }))] },
          { id: 'shareKind', label: "The partner's share is", kind: 'choice', choices: [{ title: 'A percentage of the whole', value: 'percent' }, ...(onAgreement ? [{ title: 'Named elements (e.g. the waking nights)', value: 'elements' }] : [])] },
          { id: 'percent', label: "Partner's share (%)", kind: 'number', help: 'e.g. 40 for 40%; the council pays the rest.' },
          ...(onAgreement ? [{ id: 'elements', label: 'Elements the partner pays for', kind: 'text' as const, help: `The agreement's elements: ${v.agreement!.versions.at(-1)!.elements.map((e) => e.name).join(', ')}` }] : []),
          { id: 'basis', label: 'Basis', kind: 'choice', choices: FUNDING_BASES.map((b) => ({ title: BASIS_LABELS[b], value: b })) },
          { id: 'lawfulBasis', label: "The partner has a lawful basis recorded for this package to see the person's details (otherwise it sees the anonymised profile)", kind: 'toggle' },
          ...(onAgreement ? [{ id: 'from', label: 'First day of the new split', kind: 'date' as const, required: true }] : []),
          { id: 'reason', label: 'Reason (e.g. the CHC eligibility decision, the s117 aftercare plan)', kind: 'multiline', required: true },
        ],
    values,
    errors: o.errors,
    actions: v.locked ? [] : [{ title: 'Save the split', verb: 'funding.split.save', data: { ref: r.id }, style: 'positive' }],
  });
}

/** The commissioner's partners: who they are, their tenant, levels and people; a form to add either. */
export function partnersCard(list: PartnerSummary[], o: Opts & { form?: 'partner' | 'person' } = {}): CardJson {
  if (o.form === 'partner') {
    return renderForm({
      title: 'Add a funding partner',
      intro: "An ICB or another council that shares packages' costs. Its people work in its own Microsoft 365 tenant and are bound to it.",
      notice: o.notice,
      formError: o.error,
      fields: [
        { id: 'name', label: 'Name', kind: 'text', required: true, placeholder: 'NHS Example Integrated Care Board' },
        { id: 'id', label: 'Short id', kind: 'text', required: true, placeholder: 'nhs-example-icb' },
        { id: 'kind', label: 'Kind', kind: 'choice', required: true, choices: PARTNER_KINDS.map((k) => ({ title: PARTNER_KIND_LABELS[k], value: k })) },
        { id: 'tenantId', label: 'Its Microsoft 365 tenant id', kind: 'text', required: true },
        { id: 'weeklyLimit', label: 'Most its funding approvers approve a week (£ of its share; blank: no limit)', kind: 'number' },
      ],
      values: o.values ?? { kind: 'icb' },
      errors: o.errors,
      actions: [{ title: 'Save the partner', verb: 'funding.partner.save', style: 'positive' }],
    });
  }
  if (o.form === 'person') {
    return renderForm({
      title: "Add a partner's person",
      intro: "Bound to their Entra object id in the partner's own tenant; they never hold a council role.",
      notice: o.notice,
      formError: o.error,
      fields: [
        { id: 'partnerId', label: 'Partner', kind: 'choice', required: true, choices: list.map((s) => ({ title: s.partner.name, value: s.partner.id })) },
        { id: 'name', label: 'Name', kind: 'text', required: true },
        { id: 'id', label: 'Entra object id', kind: 'text', required: true },
        { id: 'role', label: 'Role', kind: 'choice', required: true, choices: [{ title: 'Funding approver', value: 'funding_approver' }, { title: 'Viewer', value: 'funding_viewer' }] },
        { id: 'level', label: 'Approver level', kind: 'choice', choices: [{ title: 'Funding approver', value: APPROVER_LEVEL }, { title: 'Senior funding approver (above the weekly limit)', value: SENIOR_LEVEL }] },
      ],
      values: o.values ?? { role: 'funding_approver', level: APPROVER_LEVEL },
      errors: o.errors,
      actions: [{ title: 'Save the person', verb: 'funding.person.save', style: 'positive' }],
    });
  }
  return listCard({
    title: 'Funding partners',
    notice: o.notice,
    intro: 'Bodies that share packages’ costs with the council (the lead commissioner). Each approves its own share under its own levels, from its own tenant.',
    empty: 'No funding partner yet.',
    rows: list.map((s) => ({
      title: `${s.partner.name} (${PARTNER_KIND_LABELS[s.partner.kind]})`,
      subtitle: `Tenant ${s.partner.tenantId} · levels: ${s.scheme?.levels.map((l) => `${l.name}${l.weeklyLimit ? ` up to ${gbp(l.weeklyLimit)} a week` : ''}`).join(', ') ?? 'none'} · people: ${s.people.map((u) => `${u.name} (${u.roles.includes('funding_approver') ? 'approver' : 'viewer'})`).join(', ') || 'none yet'} · ${s.partner.packages.length} package(s)`,
    })),
    actions: [
      { title: 'Add a partner', verb: 'funding.partner.form', data: {} },
      ...(list.length ? [{ title: "Add a partner's person", verb: 'funding.person.form', data: {} }] : []),
    ],
  });
}

/** funding.approval, to a partner's approver (and updated once decided). */
export function drawFundingMessage(v: FundingMessageView): Partial<Activity> | 'skip' {
  const m = v.message;
  switch (m.kind) {
    case 'funding.approval':
      return card(partnerPackageCard(v.view));
    default:
      return noCard(m.kind);
  }
}
