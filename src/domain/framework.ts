import { numberInput } from './numbers.js';
import { z } from 'zod';

/** Short, stable, human-typable ids ("learning-disability", "ramsbottom"). */
export const Slug = z
  .string()
  .trim()
  .min(2, 'must be at least 2 characters')
  .max(40, 'must be at most 40 characters')
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use lower-case letters, digits and single hyphens, e.g. "bury-east"');

const Name = z.string().trim().min(2, 'must be at least 2 characters').max(120, 'must be at most 120 characters');

export const Lot = z.object({ id: Slug, name: Name });
export type Lot = z.infer<typeof Lot>;

export const Zone = z.object({ id: Slug, name: Name, neighbours: z.array(Slug).default([]) });
export type Zone = z.infer<typeof Zone>;

export const TIERS = ['lead', 'supplementary', 'contingency'] as const;
export const Tier = z.enum(TIERS);
export type Tier = z.infer<typeof Tier>;

export const PROVIDER_STATUSES = ['applied', 'admitted', 'suspended', 'left'] as const;
export const ProviderStatus = z.enum(PROVIDER_STATUSES);
export type ProviderStatus = z.infer<typeof ProviderStatus>;

/** CQC location/provider ids look like "1-123456789" (1- followed by 9 to 11 digits). */
export const CqcNumber = z
  .string()
  .trim()
  .regex(/^1-\d{9,11}$/, 'a CQC number looks like 1-123456789');

export const TierAssignment = z.object({ lot: Slug, zone: Slug, tier: Tier });
export type TierAssignment = z.infer<typeof TierAssignment>;

/**
 * Where the bot posts to a provider: a Teams channel's conversation reference, kept as plain data
 * so that src/ stays free of Teams types.
 */
/** A Teams channel's membership: only a shared channel can hold people from another organisation. */
export const ChannelKind = z.enum(['shared', 'private', 'standard']);
export type ChannelKind = z.infer<typeof ChannelKind>;

export const ChannelRef = z.object({
  conversationId: z.string(),
  teamId: z.string().optional(),
  tenantId: z.string().optional(),
  serviceUrl: z.string(),
  channelName: z.string().optional(),
  /** What Teams said the channel is when it was registered; unset when Teams did not say. */
  kind: ChannelKind.optional(),
  reference: z.record(z.unknown()),
  registeredBy: z.string(),
  registeredAt: z.string(),
  /** Set when the bot is removed from the team or from this shared channel, or the channel is deleted. */
  unreachableReason: z.string().optional(),
});
export type ChannelRef = z.infer<typeof ChannelRef>;

export const Provider = z.object({
  id: Slug,
  name: Name,
  cqcNumber: CqcNumber.optional(),
  status: ProviderStatus,
  statusReason: z.string().optional(),
  lots: z.array(Slug).default([]),
  zones: z.array(Slug).default([]),
  tiers: z.array(TierAssignment).default([]),
  channel: ChannelRef.optional(),
});
export type Provider = z.infer<typeof Provider>;

export const ROLES = ['social_worker', 'broker', 'manager', 'commissioner', 'provider', 'funding_approver', 'funding_viewer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const ROLE_LABELS: Record<Role, string> = {
  social_worker: 'social worker',
  broker: 'broker',
  manager: 'manager',
  commissioner: 'commissioner',
  provider: 'provider user',
  funding_approver: "funding partner's approver",
  funding_viewer: "funding partner's viewer",
};

/** A joint funder's people (issue 24): they hold these roles only, and only from their partner's own tenant. */
export const PARTNER_ROLES: readonly Role[] = ['funding_approver', 'funding_viewer'];

/** Entra ID object ids are GUIDs. */
export const AadObjectId = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'an Entra object id is a GUID like 00000000-0000-0000-0000-000000000000')
  .transform((s) => s.toLowerCase());

/** A person the bot knows, keyed by aadObjectId. A provider user belongs to exactly one provider. */
export const User = z
  .object({
    id: AadObjectId,
    name: Name,
    /** External (shared-channel) users come from their own tenant: bind both. */
    tenantId: z.string().trim().min(1).optional(),
    roles: z.array(Role).min(1, 'choose at least one role'),
    providerId: Slug.optional(),
    /** A funding partner's person (an ICB's staff): the partner they belong to (src/app/funding/). */
    partnerId: Slug.optional(),
    /** An approver's level in the scheme of delegation (src/domain/approvals.ts); unset: the lowest. */
    approvalLevel: Slug.optional(),
  })
  .superRefine((u, ctx) => {
    if (u.approvalLevel && !u.roles.includes('manager') && !u.roles.includes('funding_approver')) {
      ctx.addIssue({ code: 'custom', path: ['approvalLevel'], message: 'only approvers (the manager role) have an approval level' });
    }
    const partnerRoles = u.roles.filter((r) => PARTNER_ROLES.includes(r));
    if (partnerRoles.length && (!u.partnerId || !u.tenantId)) {
      ctx.addIssue({ code: 'custom', path: ['partnerId'], message: "a funding partner's person belongs to a partner and its tenant: add them from `funding partners`" });
    }
    if (partnerRoles.length && partnerRoles.length < u.roles.length) {
      ctx.addIssue({ code: 'custom', path: ['roles'], message: "a funding partner's person cannot also hold a council or provider role" });
    }
    if (!partnerRoles.length && u.partnerId) {
      ctx.addIssue({ code: 'custom', path: ['partnerId'], message: "only a funding partner's people belong to a partner" });
    }
    if (u.roles.includes('provider') && !u.providerId) {
      ctx.addIssue({ code: 'custom', path: ['providerId'], message: 'a provider user must belong to a provider' });
    }
    if (u.roles.includes('provider') && u.roles.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['roles'], message: 'a provider user cannot also hold a council role' });
    }
    if (!u.roles.includes('provider') && u.providerId) {
      ctx.addIssue({ code: 'custom', path: ['providerId'], message: 'only provider users belong to a provider' });
    }
  });
export type User = z.infer<typeof User>;

/** One item of the council's agreed definition of "specialist". */
export const Criterion = z.object({
  id: Slug,
  question: z.string().trim().min(5, 'must be at least 5 characters').max(300),
  /** Lots a "yes" points to; empty means it counts towards "specialist" without pointing to a lot. */
  lots: z.array(Slug).default([]),
});
export type Criterion = z.infer<typeof Criterion>;

export const Settings = z.object({
  id: z.literal('settings').default('settings'),
  councilName: Name.default('Demo Council'),
  /** Floor below which an hourly rate is flagged "unsustainable price" (GBP). */
  minHourlyRate: z.preprocess(numberInput({ money: true }), z.number({ invalid_type_error: 'must be a number' })).pipe(z.number().positive('must be more than 0').max(200, 'must be at most 200')).default(21.5),
  /** Publish a submitted request straight away instead of waiting for a broker. */
  publishOnSubmit: z.boolean().default(false),
  /** Sequential offers: how long each tier has to accept before the next tier is asked. */
  sequentialRoundHours: z.preprocess(numberInput(), z.number({ invalid_type_error: 'must be a number' })).pipe(z.number().min(1, 'at least 1 hour').max(336, 'at most 2 weeks')).default(24),
  /**
   * Examples shown in the request cards, in the council's own formats (a postcode in its area, a
   * case reference as its case-management system writes them). Empty: the cards give no example.
   */
  postcodeExample: z.string().trim().max(10, 'at most 10 characters').default(''),
  caseRefExample: z.string().trim().max(30, 'at most 30 characters').default(''),
});
export type Settings = z.infer<typeof Settings>;

/** An installation of the bot in a conversation (team, group chat or 1:1). */
export const Installation = z.object({
  id: z.string(),
  kind: z.enum(['personal', 'groupChat', 'channel']),
  teamId: z.string().optional(),
  tenantId: z.string().optional(),
  serviceUrl: z.string(),
  reference: z.record(z.unknown()),
  installedAt: z.string(),
  removedAt: z.string().optional(),
  /** For a 1:1 chat: whose it is (aadObjectId), so the bot can message that person later. */
  userId: z.string().optional(),
});
export type Installation = z.infer<typeof Installation>;
