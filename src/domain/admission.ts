import { z } from 'zod';
import { AadObjectId, CqcNumber, Slug, TierAssignment } from './framework.js';

/**
 * Admission to the open framework (Stage 1): providers apply with their organisation details and
 * answers to the framework's due-diligence and quality questions; the commissioner (or a named
 * evaluator) scores each application in an evaluation window and admits or rejects it.
 */

export const QUESTION_SECTIONS = ['due-diligence', 'quality'] as const;
export const QUESTION_KINDS = ['pass-fail', 'scored'] as const;
export const MAX_SCORE = 5;

/** One admission question, maintained by the commissioner. */
export const AdmissionQuestion = z
  .object({
    id: Slug,
    section: z.enum(QUESTION_SECTIONS, { errorMap: () => ({ message: 'choose due diligence or quality' }) }),
    text: z.string().trim().min(10, 'must be at least 10 characters').max(500, 'must be at most 500 characters'),
    kind: z.enum(QUESTION_KINDS, { errorMap: () => ({ message: 'choose pass/fail or scored 0–5' }) }),
    /** Scored questions only: the lowest score (1–5) that passes. */
    passMark: z.coerce.number().int('the pass mark must be a whole number').min(1, 'the pass mark must be 1–5').max(MAX_SCORE, 'the pass mark must be 1–5').optional(),
  })
  .superRefine((q, ctx) => {
    if (q.kind === 'scored' && q.passMark === undefined) ctx.addIssue({ code: 'custom', path: ['passMark'], message: 'a scored question needs a pass mark (1–5)' });
    if (q.kind === 'pass-fail' && q.passMark !== undefined) ctx.addIssue({ code: 'custom', path: ['passMark'], message: 'a pass/fail question has no pass mark' });
  });
export type AdmissionQuestion = z.infer<typeof AdmissionQuestion>;

/** Due diligence first, then quality; within a section, by id. */
export function orderQuestions<T extends Pick<AdmissionQuestion, 'id' | 'section'>>(qs: T[]): T[] {
  return [...qs].sort((a, b) => QUESTION_SECTIONS.indexOf(a.section) - QUESTION_SECTIONS.indexOf(b.section) || a.id.localeCompare(b.id));
}

/** What every applicant confirms. Fixed: these are the framework's standard terms, not questions. */
export const DECLARATIONS = [
  { id: 'true', text: 'The information in this application is true and complete, and we will tell the council if it changes.' },
  { id: 'terms', text: "We accept the framework's standard terms and conditions." },
  { id: 'safeguarding', text: 'We have a safeguarding policy and will report concerns to the council straight away.' },
] as const;

const text = (min: number, max: number, what: string) =>
  z.string({ required_error: `${what} is required` }).trim().min(min, min <= 1 ? `${what} is required` : `${what} needs at least ${min} characters`).max(max, `${what} must be at most ${max} characters`);

/**
 * A name that is shown to council staff on many cards (an organisation becomes a provider's name):
 * no link, address or markdown brackets, so it can never render as a link.
 */
const plainName = (min: number, max: number, what: string) =>
  text(min, max, what).refine((v) => !/[[\]<>*_`~|\\]|:\/\/|www\.|@/i.test(v), `${what}: letters, digits and ordinary punctuation only (no links, e-mail addresses or markdown)`);

export const UK_PHONE = /^\+?[0-9 ()-]{10,16}$/;

/** The organisation part of an application, as the applicant types it. */
export const OrganisationDetails = z.object({
  orgName: plainName(2, 120, 'organisation name'),
  cqcNumber: z.string({ required_error: 'CQC registration number is required' }).trim().min(1, 'CQC registration number is required').pipe(CqcNumber),
  address: text(5, 300, 'registered address'),
  contactName: plainName(2, 120, 'contact name'),
  contactEmail: z.string({ required_error: 'contact email is required' }).trim().min(1, 'contact email is required').email('contact email must be an e-mail address, e.g. bids@provider.co.uk'),
  contactPhone: z.string({ required_error: 'contact phone is required' }).trim().min(1, 'contact phone is required').regex(UK_PHONE, 'contact phone must be a phone number, e.g. 0161 123 4567'),
  lots: z.array(Slug).min(1, 'choose at least one lot'),
  zones: z.array(Slug).min(1, 'choose at least one zone'),
});
export type OrganisationDetails = z.infer<typeof OrganisationDetails>;

export const MIN_ANSWER = 2;

export const APPLICATION_STATES = ['draft', 'submitted', 'admitted', 'rejected'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const APPLICATION_REF = /^APP-\d{4}-\d{4}$/i;
export const formatApplicationRef = (year: number, n: number) => `APP-${year}-${String(n).padStart(4, '0')}`;

/** An evaluator's mark for one question: a score 0–5 (scored) or pass/fail. */
export const Mark = z.union([z.object({ score: z.number().int().min(0).max(MAX_SCORE) }), z.object({ pass: z.boolean() })]);
export type Mark = z.infer<typeof Mark>;

export interface HistoryEntry {
  at: string;
  by: string;
  byName: string;
  what: string;
}

export interface Decision {
  outcome: 'admitted' | 'rejected';
  by: string;
  byName: string;
  at: string;
  reasons?: string;
  /** Admitted: the lots and zones admitted to (a subset of those applied for) and the tiers. */
  lots: string[];
  zones: string[];
  tiers: TierAssignment[];
}

export interface Application {
  id: string;
  state: ApplicationState;
  /** The person who applies (aadObjectId, lower case) and their tenant. */
  applicant: string;
  applicantName: string;
  tenantId?: string;
  /** Set when an existing provider's user applies, or at submission for a new provider. */
  providerId?: string;
  createdAt: string;
  updatedAt: string;
  submittedAt?: string;
  /** Everything typed, valid or not, so that nothing is lost. */
  inputs: Record<string, unknown>;
  /** Filled at submission from valid inputs. */
  details?: OrganisationDetails;
  answers?: Record<string, string>;
  declarations?: Record<string, boolean>;
  /** The evaluation window it is (or was) evaluated in; absent while it waits for the next one. */
  windowId?: string;
  /** Where to tell the applicant the outcome: the conversation they applied from. */
  replyTo?: Record<string, unknown>;
  /** Marks saved by evaluators, question id → mark; `markInputs` keeps what was typed. */
  marks: Record<string, Mark>;
  markInputs?: Record<string, unknown>;
  decision?: Decision;
  history: HistoryEntry[];
}

export interface EvaluationWindow {
  id: string;
  openedAt: string;
  openedBy: string;
  /** The date the commissioner plans to close it (for information; closing is a deliberate act). */
  closesOn?: string;
  closedAt?: string;
  closedBy?: string;
  /** Council users (aadObjectIds) the commissioner names to evaluate in this window. */
  evaluators: string[];
  /** Gaps in the market the window was opened (or widened) to fill, each told to the market (issue 25). */
  invitations?: MarketInvitation[];
}

/** A lot and zone the council invites applications for, with the notice the market was sent. */
export interface MarketInvitation {
  lot: string;
  zone: string;
  /** The notice, with the gap's figures (small counts suppressed): what providers were told. */
  text: string;
  at: string;
  by: string;
}

/** The one admission record: whether new applications are paused, and why. */
export interface AdmissionState {
  id: 'admission';
  paused?: { reason: string; by: string; at: string };
}

export const PauseReason = text(5, 500, 'reason');
export const Evaluators = z.array(AadObjectId);

export interface QuestionResult {
  question: AdmissionQuestion;
  mark?: Mark;
  passed?: boolean;
  /** "4/5 (pass mark 3)" or "pass" / "fail" or "not marked". */
  label: string;
}

export function markPasses(q: AdmissionQuestion, mark: Mark | undefined): boolean | undefined {
  if (!mark) return undefined;
  if ('pass' in mark) return q.kind === 'pass-fail' ? mark.pass : undefined;
  return q.kind === 'scored' ? mark.score >= (q.passMark ?? MAX_SCORE) : undefined;
}

/** Each question's mark and whether it passes; the application passes when every question does. */
export function results(questions: AdmissionQuestion[], marks: Record<string, Mark>): { rows: QuestionResult[]; complete: boolean; passed: boolean; total: number; max: number } {
  const rows = orderQuestions(questions).map((q): QuestionResult => {
    const mark = marks[q.id];
    const passed = markPasses(q, mark);
    const label =
      passed === undefined ? 'not marked' : 'score' in mark! ? `${mark.score}/${MAX_SCORE} (pass mark ${q.passMark})${passed ? '' : ' – below the pass mark'}` : passed ? 'pass' : 'fail';
    return { question: q, mark: passed === undefined ? undefined : mark, passed, label };
  });
  const scored = rows.filter((r) => r.question.kind === 'scored');
  return {
    rows,
    complete: rows.every((r) => r.passed !== undefined),
    passed: rows.every((r) => r.passed === true),
    total: scored.reduce((s, r) => s + (r.mark && 'score' in r.mark ? r.mark.score : 0), 0),
    max: scored.length * MAX_SCORE,
  };
}
