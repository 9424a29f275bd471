import { AadObjectId, User } from '../../domain/framework.js';
import { ApprovalScheme } from '../../domain/approvals.js';
import { FundingPartnerInput, type FundingPartner } from '../../domain/funding.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, invalid, parseOrThrow } from '../errors.js';
import { z } from 'zod';

/**
 * Funding partners (issue 24): a commissioner registers a body that shares packages' costs (an
 * ICB, another council), bound to its own Microsoft 365 tenant, with its own approval levels (a
 * scheme in the approvals room under the partner's id), and then its people: each bound to their
 * object id and the partner's tenant, as a funding approver (at a level) or a viewer. They never
 * hold a council role (src/app/actor.ts).
 */
export const APPROVER_LEVEL = 'funding-approver';
export const SENIOR_LEVEL = 'senior-funding-approver';

/** The partner's scheme: its funding approvers up to its weekly limit (of its own share), its senior approvers above. */
export function partnerScheme(p: Pick<FundingPartner, 'id' | 'name' | 'tenantId'>, weeklyLimit?: number): ApprovalScheme {
  const levels = weeklyLimit
    ? [{ id: APPROVER_LEVEL, name: 'Funding approver', weeklyLimit }, { id: SENIOR_LEVEL, name: 'Senior funding approver' }]
    : [{ id: APPROVER_LEVEL, name: 'Funding approver' }];
  return ApprovalScheme.parse({ id: p.id, name: p.name, tenantId: p.tenantId, levels });
}

export interface PartnerSummary {
  partner: FundingPartner;
  scheme?: ApprovalScheme;
  people: User[];
}

export async function listPartners(store: BrokerageStore, who: Who): Promise<PartnerSummary[]> {
  const user = await requirePermission(store, who, 'funding.partners');
  return store.transact({ actor: user.id, action: 'funding.partners.view' }, async (tx) => {
    const partners = (await tx.list('fundingPartners')).sort((a, b) => a.name.localeCompare(b.name));
    const people = [...(await tx.usersWithRole('funding_approver')), ...(await tx.usersWithRole('funding_viewer'))];
    return Promise.all(partners.map(async (partner) => ({ partner, scheme: await tx.get('approvalSchemes', partner.id), people: [...new Map(people.filter((u) => u.partnerId === partner.id).map((u) => [u.id, u])).values()] })));
  });
}

/** Registers a partner (or changes its name and weekly limit; its tenant, once set, stays: its people are bound to it). */
export async function savePartner(store: BrokerageStore, who: Who, raw: Record<string, unknown>, now: Date): Promise<FundingPartner> {
  const user = await requirePermission(store, who, 'funding.partners');
  const input = parseOrThrow(FundingPartnerInput, raw);
  return store.transact({ actor: user.id, action: 'funding.partner.save' }, async (tx) => {
    if (input.id === 'council') throw invalid({ id: '"council" is the council itself: give the partner another id' });
    const before = await tx.get('fundingPartners', input.id);
    if (before && before.tenantId !== input.tenantId) throw invalid({ tenantId: `${before.name}'s people are bound to tenant ${before.tenantId}; register a new partner for another tenant` });
    const partner: FundingPartner = { id: input.id, name: input.name, kind: input.kind, tenantId: input.tenantId, packages: before?.packages ?? [], addedBy: before?.addedBy ?? user.id, at: before?.at ?? now.toISOString() };
    tx.put('fundingPartners', partner);
    tx.put('approvalSchemes', partnerScheme(partner, input.weeklyLimit));
    return partner;
  });
}

const PersonInput = z.object({
  partnerId: z.string().trim().min(1, 'choose the partner'),
  id: AadObjectId,
  name: z.string().trim().min(2, 'the name needs at least 2 characters').max(120),
  role: z.enum(['funding_approver', 'funding_viewer'], { errorMap: () => ({ message: 'choose approver or viewer' }) }),
  level: z.enum([APPROVER_LEVEL, SENIOR_LEVEL]).default(APPROVER_LEVEL),
});

/** Adds (or changes) one of a partner's people, bound to their object id and the partner's tenant. */
export async function savePartnerPerson(store: BrokerageStore, who: Who, raw: Record<string, unknown>): Promise<{ person: User; partner: FundingPartner }> {
  const user = await requirePermission(store, who, 'funding.partners');
  const input = parseOrThrow(PersonInput, raw);
  return store.transact({ actor: user.id, action: 'funding.person.save' }, async (tx) => {
    const partner = await tx.get('fundingPartners', input.partnerId);
    if (!partner) throw invalid({ partnerId: 'that partner is not registered' });
    const existing = await tx.get('users', input.id);
    if (existing && existing.partnerId !== partner.id) throw conflict(`${existing.name} (${input.id}) already has a role here${existing.partnerId ? ` with another partner` : ''}; a partner's people hold partner roles only.`);
    const scheme = await tx.get('approvalSchemes', partner.id);
    const senior = input.role === 'funding_approver' && input.level === SENIOR_LEVEL && scheme?.levels.some((l) => l.id === SENIOR_LEVEL);
    const person = User.parse({ id: input.id, name: input.name, tenantId: partner.tenantId, roles: [input.role], partnerId: partner.id, ...(input.role === 'funding_approver' ? { approvalLevel: senior ? SENIOR_LEVEL : APPROVER_LEVEL } : {}) });
    tx.put('users', person);
    return { person, partner };
  });
}
