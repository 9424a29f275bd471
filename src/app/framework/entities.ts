import { z } from 'zod';
import { Criterion, Lot, Provider, Settings, User, Zone } from '../../domain/framework.js';
import { AdmissionQuestion } from '../../domain/admission.js';
import type { BrokerageTx } from '../../store/collections.js';
import { schemeTx } from '../approvals/scheme.js';

/**
 * The framework's reference data, one entry per kind the commissioner manages. Each says how
 * to validate an item and which other items it must refer to, so that saving, importing and the
 * admin cards share one set of rules.
 */
export interface EntityKind<T extends { id: string }> {
  collection: 'lots' | 'zones' | 'providers' | 'users' | 'criteria' | 'admissionQuestions';
  label: string;
  schema: z.ZodType<T, z.ZodTypeDef, unknown>;
  /** Field errors for references to things that do not exist. */
  references(tx: BrokerageTx, item: T): Promise<Record<string, string>>;
  /** Why the item cannot be removed, if something still refers to it. */
  inUse(tx: BrokerageTx, id: string): Promise<string | undefined>;
}

const missing = async (tx: BrokerageTx, collection: 'lots' | 'zones' | 'providers', ids: string[]) => {
  const found = await Promise.all(ids.map((id) => tx.get(collection, id)));
  return ids.filter((_, i) => !found[i]);
};

async function unknownRefs(tx: BrokerageTx, refs: [field: string, collection: 'lots' | 'zones' | 'providers', ids: string[]][]): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  for (const [field, collection, ids] of refs) {
    const bad = await missing(tx, collection, ids);
    if (bad.length) errors[field] = `unknown ${collection.replace(/s$/, '')}${bad.length > 1 ? 's' : ''}: ${bad.join(', ')}`;
  }
  return errors;
}

export const LOTS: EntityKind<Lot> = {
  collection: 'lots',
  label: 'lot',
  schema: Lot,
  references: async () => ({}),
  inUse: async (tx, id) => {
    const p = (await tx.list('providers')).filter((p) => p.lots.includes(id));
    const c = (await tx.list('criteria')).filter((c) => c.lots.includes(id));
    if (p.length) return `providers are admitted to it (${p.map((x) => x.name).join(', ')})`;
    if (c.length) return `checklist items point to it (${c.map((x) => x.id).join(', ')})`;
    return undefined;
  },
};

export const ZONES: EntityKind<Zone> = {
  collection: 'zones',
  label: 'zone',
  schema: Zone,
  references: async (tx, z) => {
    const errors = await unknownRefs(tx, [['neighbours', 'zones', z.neighbours.filter((n) => n !== z.id)]]);
    if (z.neighbours.includes(z.id)) errors.neighbours = 'a zone cannot neighbour itself';
    return errors;
  },
  inUse: async (tx, id) => {
    const p = (await tx.list('providers')).filter((p) => p.zones.includes(id));
    return p.length ? `providers cover it (${p.map((x) => x.name).join(', ')})` : undefined;
  },
};

export const PROVIDERS: EntityKind<Provider> = {
  collection: 'providers',
  label: 'provider',
  schema: Provider,
  references: async (tx, p) => {
    const errors = await unknownRefs(tx, [
      ['lots', 'lots', p.lots],
      ['zones', 'zones', p.zones],
    ]);
    if ((p.status === 'suspended' || p.status === 'left') && !p.statusReason) errors.statusReason = `say why the provider is ${p.status}`;
    const outside = p.tiers.filter((t) => !p.lots.includes(t.lot) || !p.zones.includes(t.zone));
    if (outside.length) errors.tiers = `tiers name lots or zones the provider is not admitted to: ${outside.map((t) => `${t.lot}/${t.zone}`).join(', ')}`;
    return errors;
  },
  inUse: async (tx, id) => {
    const u = (await tx.list('users')).filter((u) => u.providerId === id);
    return u.length ? `users belong to it (${u.map((x) => x.name).join(', ')}); set its status to "left" instead` : undefined;
  },
};

export const USERS: EntityKind<User> = {
  collection: 'users',
  label: 'user',
  schema: User,
  references: async (tx, u) => {
    const errors = await unknownRefs(tx, [['providerId', 'providers', u.providerId ? [u.providerId] : []]]);
    const levels = (await schemeTx(tx)).levels;
    if (u.approvalLevel && !levels.some((l) => l.id === u.approvalLevel)) errors.approvalLevel = `unknown approval level "${u.approvalLevel}" (the levels are ${levels.map((l) => l.id).join(', ')})`;
    return errors;
  },
  inUse: async () => undefined,
};

export const CRITERIA: EntityKind<Criterion> = {
  collection: 'criteria',
  label: 'checklist item',
  schema: Criterion,
  references: (tx, c) => unknownRefs(tx, [['lots', 'lots', c.lots]]),
  inUse: async () => undefined,
};

/** Admission questions: answered by applicants, marked pass/fail or 0–5 against a pass mark by evaluators. */
export const ADMISSION_QUESTIONS: EntityKind<AdmissionQuestion> = {
  collection: 'admissionQuestions',
  label: 'admission question',
  schema: AdmissionQuestion,
  references: async () => ({}),
  inUse: async (tx, id) => {
    const a = (await tx.list('applications')).filter((a) => a.state === 'submitted' && (a.answers?.[id] !== undefined || a.marks[id] !== undefined));
    return a.length ? `applications waiting for a decision answer it (${a.map((x) => x.id).join(', ')})` : undefined;
  },
};

export const ENTITY_KINDS = { lots: LOTS, zones: ZONES, providers: PROVIDERS, users: USERS, criteria: CRITERIA, admissionQuestions: ADMISSION_QUESTIONS } as const;
export type EntityKindName = keyof typeof ENTITY_KINDS;

export const SETTINGS_ID = 'settings';
export const DEFAULT_SETTINGS: Settings = Settings.parse({});
