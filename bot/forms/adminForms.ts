import { PROVIDER_STATUSES, ROLE_LABELS, ROLES, TIERS } from '../../src/domain/framework.js';
import { QUESTION_KINDS, QUESTION_SECTIONS } from '../../src/domain/admission.js';
import type { EntityKindName } from '../../src/app/framework/entities.js';
import type { Collections } from '../../src/store/collections.js';
import { Choice, FieldSpec, list, optional } from './form.js';
import { someOf } from '../views/paging.js';

/** What the admin forms need to offer as choices. */
export interface Options {
  lots: Choice[];
  zones: Choice[];
  providers: Choice[];
}

/** Pick lists longer than this are searched as the user types (see FieldSpec.dataset). */
export const SEARCH_OVER = 50;
/** The Data.Query dataset of providers, answered by bot/routes/search.ts. */
export const PROVIDER_DATASET = 'providers';

const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Teams drops choices with an empty value, so "nothing chosen" is a real value mapped back on save. */
const NONE = 'none';
const chosen = (v: unknown) => (v === NONE ? undefined : optional(v));

export interface AdminForm<T> {
  title: string;
  plural: string;
  fields(o: Options, editing: boolean): FieldSpec[];
  /** Stored item → card values. */
  values(item: T): Record<string, unknown>;
  /** Card inputs → what the use case validates. */
  parse(inputs: Record<string, unknown>): unknown;
  /** One line for the list card. */
  row(item: T): { title: string; subtitle: string };
}

const idField = (example: string, editing: boolean): FieldSpec => ({
  id: 'id',
  label: 'Id',
  kind: 'text',
  required: true,
  placeholder: example,
  help: editing ? 'The id cannot be changed.' : 'Short and permanent: lower-case letters, digits and hyphens.',
});

export const ADMIN_FORMS: { [K in EntityKindName]: AdminForm<Collections[K]> } = {
  lots: {
    title: 'lot',
    plural: 'Lots (specialisms)',
    fields: (_o, editing) => [idField('learning-disability', editing), { id: 'name', label: 'Name', kind: 'text', required: true, placeholder: 'Learning disability' }],
    values: (l) => ({ ...l }),
    parse: (i) => ({ id: i.id, name: i.name }),
    row: (l) => ({ title: l.name, subtitle: l.id }),
  },
  zones: {
    title: 'zone',
    plural: 'Zones',
    fields: (o, editing) => [
      idField('bury-east', editing),
      { id: 'name', label: 'Name', kind: 'text', required: true, placeholder: 'Bury East' },
      { id: 'neighbours', label: 'Neighbouring zones', kind: 'multichoice', choices: o.zones, help: 'Used for the cascade when a zone has no provider. Neighbours are kept mutual.' },
    ],
    values: (z) => ({ ...z }),
    parse: (i) => ({ id: i.id, name: i.name, neighbours: list(i.neighbours) }),
    row: (z) => ({ title: z.name, subtitle: `${z.id} · neighbours: ${z.neighbours.join(', ') || 'none'}` }),
  },
  providers: {
    title: 'provider',
    plural: 'Providers',
    fields: (o, editing) => [
      idField('caring-hands', editing),
      { id: 'name', label: 'Name', kind: 'text', required: true },
      { id: 'cqcNumber', label: 'CQC registration number', kind: 'text', placeholder: '1-123456789' },
      { id: 'status', label: 'Status', kind: 'choice', required: true, choices: PROVIDER_STATUSES.map((s) => ({ title: titleCase(s), value: s })) },
      { id: 'statusReason', label: 'Reason for the status', kind: 'text', help: 'Required when suspended or left.' },
      { id: 'lots', label: 'Lots', kind: 'multichoice', choices: o.lots },
      { id: 'zones', label: 'Zones', kind: 'multichoice', choices: o.zones },
      {
        id: 'tier',
        label: 'Tier (sequential offers)',
        kind: 'choice',
        choices: [{ title: 'Not ranked', value: NONE }, ...TIERS.map((t) => ({ title: titleCase(t), value: t }))],
        help: 'Applies to every lot and zone above; rank per lot and zone with `npm run import`.',
      },
    ],
    values: (p) => ({ ...p, tier: p.tiers.length && p.tiers.every((t) => t.tier === p.tiers[0].tier) ? p.tiers[0].tier : NONE }),
    parse: (i) => {
      const lots = list(i.lots);
      const zones = list(i.zones);
      const tier = chosen(i.tier);
      return {
        id: i.id,
        name: i.name,
        cqcNumber: optional(i.cqcNumber),
        status: i.status,
        statusReason: optional(i.statusReason),
        lots,
        zones,
        tiers: tier ? lots.flatMap((lot) => zones.map((zone) => ({ lot, zone, tier }))) : [],
      };
    },
    row: (p) => ({
      title: `${p.name} (${p.status})`,
      subtitle: `${p.id} · lots: ${someOf(p.lots, 4) || 'none'} · zones: ${someOf(p.zones, 4) || 'none'} · channel: ${p.channel ? (p.channel.unreachableReason ? `unreachable (${p.channel.unreachableReason})` : p.channel.channelName ?? 'registered') : 'not registered'}`,
    }),
  },
  users: {
    title: 'user',
    plural: 'Users and roles',
    fields: (o, editing) => [
      { id: 'id', label: 'Entra object id (aadObjectId)', kind: 'text', required: true, placeholder: '00000000-0000-0000-0000-000000000000', help: editing ? 'The id cannot be changed.' : 'The person can see theirs by typing `whoami` to the bot.' },
      { id: 'name', label: 'Name', kind: 'text', required: true },
      { id: 'roles', label: 'Roles', kind: 'multichoice', required: true, choices: ROLES.map((r) => ({ title: titleCase(ROLE_LABELS[r]), value: r })) },
      {
        id: 'providerId',
        label: 'Provider (provider users only)',
        kind: 'choice',
        choices: [{ title: 'None (council staff)', value: NONE }, ...o.providers],
        // A council's hundreds of providers: searched as you type instead of one huge drop-down.
        dataset: o.providers.length > SEARCH_OVER ? PROVIDER_DATASET : undefined,
        help: o.providers.length > SEARCH_OVER ? 'Type part of the provider’s name or id to find it.' : undefined,
      },
      { id: 'tenantId', label: 'Tenant id (external provider users)', kind: 'text', help: 'Leave empty for users in the council’s own tenant.' },
      { id: 'approvalLevel', label: 'Approval level (managers only)', kind: 'text', placeholder: 'manager', help: 'The level’s id in `approval levels`, e.g. manager, head-of-service, director. Empty: the lowest level.' },
    ],
    values: (u) => ({ ...u, providerId: u.providerId ?? NONE }),
    parse: (i) => ({ id: i.id, name: i.name, roles: list(i.roles), providerId: chosen(i.providerId), tenantId: optional(i.tenantId), approvalLevel: optional(i.approvalLevel) }),
    row: (u) => ({ title: u.name, subtitle: `${u.roles.map((r) => ROLE_LABELS[r]).join(', ')}${u.approvalLevel ? ` (${u.approvalLevel})` : ''}${u.providerId ? ` · ${u.providerId}` : ''} · ${u.id}` }),
  },
  criteria: {
    title: 'checklist item',
    plural: 'Specialist-need checklist',
    fields: (o, editing) => [
      idField('epilepsy-rescue', editing),
      { id: 'question', label: 'Question', kind: 'multiline', required: true, placeholder: 'Needs a specialist skill such as epilepsy rescue medication or PEG feeding?' },
      { id: 'lots', label: 'Lots a "yes" points to', kind: 'multichoice', choices: o.lots },
    ],
    values: (c) => ({ ...c }),
    parse: (i) => ({ id: i.id, question: i.question, lots: list(i.lots) }),
    row: (c) => ({ title: c.question, subtitle: `${c.id} · lots: ${c.lots.join(', ') || 'none'}` }),
  },
  admissionQuestions: {
    title: 'admission question',
    plural: 'Admission questions',
    fields: (_o, editing) => [
      idField('safeguarding-policy', editing),
      { id: 'section', label: 'Section', kind: 'choice', required: true, choices: QUESTION_SECTIONS.map((s) => ({ title: s === 'due-diligence' ? 'Due diligence' : 'Quality', value: s })) },
      { id: 'text', label: 'Question for applicants', kind: 'multiline', required: true },
      { id: 'kind', label: 'How it is marked', kind: 'choice', required: true, choices: QUESTION_KINDS.map((k) => ({ title: k === 'pass-fail' ? 'Pass / fail' : 'Scored 0–5', value: k })) },
      { id: 'passMark', label: 'Pass mark (scored questions, 1–5)', kind: 'number' },
    ],
    values: (q) => ({ ...q }),
    parse: (i) => ({ id: i.id, section: i.section, text: i.text, kind: i.kind, passMark: optional(i.passMark) }),
    row: (q) => ({ title: q.text, subtitle: `${q.id} · ${q.section} · ${q.kind === 'scored' ? `scored 0–5, pass mark ${q.passMark}` : 'pass/fail'}` }),
  },
};
