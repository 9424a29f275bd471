import { z } from 'zod';
import { numberInput } from './numbers.js';
import { Slug } from './framework.js';
import { HH_MM, isRealDate } from './dates.js';
import type { CallOff } from './calloff.js';
import type { FundingSplit } from './funding.js';
import type { Award, CascadeOffer, Choice, ChoicePackRecord, Decision, Evaluation, Placement } from './award.js';

/**
 * A package request as the social worker builds it, step by step. Each step's schema checks
 * what a field alone can tell; rules that need "today", the framework or another step live in
 * src/app/requests/validate.ts.
 */

const text = (min: number, max: number, what = 'this') =>
  z.string({ required_error: `${what} is required` }).trim().min(min, min <= 1 ? `${what} is required` : `${what} needs at least ${min} characters`).max(max, `${what} must be at most ${max} characters`);

const date = (what: string) => z.string({ required_error: `${what} is required` }).trim().min(1, `${what} is required`).refine(isRealDate, `${what} must be a date (YYYY-MM-DD)`);

/** Numbers arrive from cards as strings; "" is "not given", not 0. */
const num = (what: string) =>
  z.preprocess(numberInput(), z.number({ required_error: `${what} is required`, invalid_type_error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a number`));

/** Amounts of money may carry a £ and thousands commas. */
const money = (what: string) =>
  z.preprocess(numberInput({ money: true }), z.number({ required_error: `${what} is required`, invalid_type_error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a number`));

export const GENDERS = ['female', 'male', 'non-binary', 'prefer not to say'] as const;
export const DISABILITY_CATEGORIES = [
  'learning disability',
  'autism',
  'mental health',
  'physical disability',
  'sensory impairment',
  'acquired brain injury',
  'dementia',
  'other',
] as const;

export const UK_POSTCODE = /^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})$/i;

export const PersonStep = z.object({
  name: text(2, 120, 'name'),
  caseRef: text(3, 30, 'case reference').regex(/^[A-Za-z0-9/-]+$/, 'case reference: letters, digits, / and - only'),
  dateOfBirth: date('date of birth'),
  address: text(5, 300, 'address'),
  postcode: z
    .string({ required_error: 'postcode is required' })
    .trim()
    .regex(UK_POSTCODE, 'postcode must be a full UK postcode (area, district, space, sector and unit)')
    .transform((p) => p.toUpperCase().replace(/^(.+?)\s*(\d[A-Z]{2})$/, '$1 $2')),
  zone: z.string({ required_error: 'choose a zone' }).trim().min(1, 'choose a zone'),
  gender: z.enum(GENDERS, { errorMap: () => ({ message: 'choose a gender (or "prefer not to say")' }) }),
  disabilityCategory: z.enum(DISABILITY_CATEGORIES, { errorMap: () => ({ message: 'choose the main disability category' }) }),
});
export type PersonStep = z.infer<typeof PersonStep>;

export const ChecklistStep = z.object({
  /** criterion id → yes/no, for every criterion the commissioner maintains. */
  answers: z.record(z.boolean()),
  /** Set by a broker who raises a request that does not meet the definition. */
  override: z.object({ reason: text(10, 500, 'override reason'), by: z.string(), at: z.string() }).optional(),
});
export type ChecklistStep = z.infer<typeof ChecklistStep>;

export const CARER_GENDERS = ['no preference', 'female', 'male'] as const;
export const MODES = ['competition', 'sequential'] as const;
/** Enough for the council's questions and a few of the person's own; the card shows only the slots in use. */
export const MAX_QUESTIONS = 8;

/**
 * A quality question. `byPerson` marks a question the person set in their own words (Doncaster:
 * "working with their social worker to set questions with a clear criterion for evaluation"); its
 * `criterion` says what a good answer looks like, so providers know what the person is looking for
 * and the social worker scores against it.
 */
export const QualityQuestion = z
  .object({
    id: z.string(),
    text: text(10, 300, 'question'),
    weight: num('weight').pipe(z.number().int('weight must be a whole number').min(1, 'weight must be at least 1').max(100, 'weight must be at most 100')),
    // Optional: requests stored before the person's questions have neither (they are the council's).
    byPerson: z.boolean().optional(),
    criterion: z.string().trim().max(500, 'what a good answer looks like must be at most 500 characters').optional(),
  })
  .superRefine((q, ctx) => {
    if (q.byPerson && (q.criterion ?? '').length < 5) ctx.addIssue({ code: 'custom', path: ['criterion'], message: "say what a good answer to the person's question looks like (at least 5 characters)" });
  });
export type QualityQuestion = z.infer<typeof QualityQuestion>;

export const PackageStep = z.object({
  lots: z.array(Slug).min(1, 'choose at least one lot'),
  needsSummary: text(20, 2000, 'needs summary'),
  outcomes: text(10, 2000, 'outcomes'),
  hoursPerWeek: num('hours per week').pipe(z.number().min(0.5, 'hours per week must be at least 0.5').max(168, 'hours per week must be at most 168 (a whole week)')),
  visitPattern: text(3, 500, 'visit pattern'),
  startDate: date('start date'),
  durationWeeks: z.preprocess(numberInput(), z.number({ invalid_type_error: 'duration must be a number of weeks' }).int('duration must be whole weeks').min(1, 'duration must be at least 1 week').max(520, 'duration must be at most 520 weeks').optional()),
  carerGender: z.enum(CARER_GENDERS, { errorMap: () => ({ message: 'choose a carer gender preference' }) }),
  languageNeeds: z.string().trim().max(500, 'at most 500 characters').default(''),
  budgetWeekly: money('weekly budget').pipe(z.number().gt(0, 'weekly budget must be more than £0').max(20000, 'weekly budget must be at most £20,000')),
  showBudget: z.boolean().default(false),
  mode: z.enum(MODES, { errorMap: () => ({ message: 'choose competition or sequential offer' }) }),
  costWeight: num('cost weight').pipe(z.number().int('cost weight must be a whole number').min(0).max(100, 'cost weight must be 0–100')),
  qualityWeight: num('quality weight').pipe(z.number().int('quality weight must be a whole number').min(0).max(100, 'quality weight must be 0–100')),
  questions: z.array(QualityQuestion).min(1, 'add at least one quality question').max(MAX_QUESTIONS),
  deadlineDate: date('deadline date'),
  deadlineTime: z.string().trim().regex(HH_MM, 'deadline time must be HH:MM'),
});
export type PackageStep = z.infer<typeof PackageStep>;

export const REQUEST_STATES = ['draft', 'submitted', 'open', 'closed', 'evaluated', 'chosen', 'awaiting_approval', 'awarded', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const STEPS = ['person', 'checklist', 'package', 'review'] as const;
export type Step = (typeof STEPS)[number];

export interface PackageRequest {
  /** PKG-<year>-<seq>, the reference everyone uses. */
  id: string;
  state: RequestState;
  /** aadObjectId of the social worker (or broker) who raised it. */
  owner: string;
  ownerName: string;
  createdAt: string;
  updatedAt: string;
  /** Where a resumed draft picks up. */
  step: Step;
  /** What was last typed on each step, valid or not, so nothing is lost between sessions. */
  inputs: Partial<Record<Step, Record<string, unknown>>>;
  person?: PersonStep;
  checklist?: ChecklistStep & { meetsDefinition: boolean; suggestedLots: string[] };
  package?: PackageStep & { deadline: string };
  submittedAt?: string;
  /** Derived at submission from the date of birth, for the anonymised profile. */
  ageBand?: string;
  cancelled?: { reason: string; by: string; at: string; fromState: RequestState };
  /** Set when a broker publishes the request to providers. */
  calloff?: CallOff;
  /** Blind quality evaluation of the current round's bids (src/domain/award.ts). */
  evaluation?: Evaluation;
  /** Earlier rounds' evaluations (before a cascade round). */
  pastEvaluations?: Evaluation[];
  /** Choice packs produced for the person and their carers, oldest first. */
  choicePacks?: ChoicePackRecord[];
  /** Every choice put to the managers, the last one current. */
  choices?: Choice[];
  decisions?: Decision[];
  /** The award: on the framework, or an off-contract placement. */
  award?: Award;
  /** Awards the winning provider declined. */
  declinedAwards?: Award[];
  /** Set when the broker is offered the cascade. */
  cascadeOffer?: CascadeOffer;
  /** Off-contract placements recorded after the cascade, each waiting for (or given) approval; the last is current. */
  placements?: Placement[];
  /** Joint funding: who pays which share, and why (src/domain/funding.ts); unset: the council pays all. */
  funding?: FundingSplit;
}

export const REQUEST_REF = /^PKG-(\d{4})-(\d{4,})$/i;
export const formatRef = (year: number, seq: number) => `PKG-${year}-${String(seq).padStart(4, '0')}`;
