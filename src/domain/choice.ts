import { z } from 'zod';

/**
 * The person's decision, in their words (SPEC "The person's choice"). Who took part matters in law:
 * under the Mental Capacity Act 2005 a best-interests decision is made for a person who lacks
 * capacity to decide, and must still weigh their wishes; an advocate may support them.
 */
export const TOOK_PART = ['person', 'carer', 'advocate', 'best-interests'] as const;
export type TookPart = (typeof TOOK_PART)[number];
export const TOOK_PART_LABELS: Record<TookPart, string> = {
  person: 'The person',
  carer: 'A carer or family member',
  advocate: 'An advocate',
  'best-interests': 'A best-interests decision (the person lacks capacity to decide this)',
};

/** Why the person chose other than the top-ranked offer, in groups a report can count. */
export const NOT_TOP_REASONS = [
  'the support plan suits them better',
  'they know or prefer the provider or its staff',
  'it can start sooner',
  'carer gender or language',
  'cost to them (no top-up)',
  'other',
] as const;
export type NotTopReason = (typeof NOT_TOP_REASONS)[number];

export const MIN_REASON = 10;

/** What the social worker records; rules that need the ranking (top-ranked or not) are in recordChoice. */
export const ChoiceInput = z.object({
  bidId: z.string().trim().min(1, 'choose the offer the person chose'),
  tookPart: z.array(z.enum(TOOK_PART, { errorMap: () => ({ message: 'choose who took part from the list' }) })).min(1, 'say who took part in the choice'),
  personWords: z.string().trim().min(5, "write the person's reasons in their own words (at least 5 characters)").max(2000, 'at most 2,000 characters'),
  reasonCategory: z.enum(NOT_TOP_REASONS, { errorMap: () => ({ message: 'choose the main reason from the list' }) }).optional(),
  reason: z.string().trim().max(1000, 'at most 1,000 characters').default(''),
});
export type ChoiceInput = z.infer<typeof ChoiceInput>;
