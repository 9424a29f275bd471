/**
 * A bid's fields, declared once. The schema (`BidInput` in calloff.ts), the card inputs
 * (`bidCandidate`), the bid form and its values (bot/views/calloffCards.ts, typed by `BidFieldKey`),
 * the blind evaluation view (`blind` below) and the bids CSV (`csv` below) all derive from this
 * list; test/domain/bidFields.test.ts checks the rest (fixtures, the bench) against it.
 *
 * To add a field: add it here (schema, section, blind or not, CSV column or null), give it a form
 * field in calloffCards.ts (the type checker asks), and say in the evaluation form how the
 * evaluator sees it if it is blind (otherwise it is listed there as "label: value").
 */
import { z } from 'zod';
import { numberInput } from './numbers.js';
import { isRealDate } from './dates.js';

/** Teams sends numbers from Input.Number as strings; "" is "not given". */
const money = (what: string, max: number) =>
  z.preprocess(
    numberInput({ money: true }),
    z.number({ required_error: `${what} is required`, invalid_type_error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a number`).pipe(z.number().gt(0, `${what} must be more than 0`).max(max, `${what} must be at most ${max.toLocaleString('en-GB')}`)),
  );

const yesNo = (message: string) => z.enum(['yes', 'no'], { errorMap: () => ({ message }) });

export interface BidField<S extends z.ZodTypeAny = z.ZodTypeAny> {
  schema: S;
  /** Where the form puts it: the offer (before the quality questions) or the mandatory needs (after). */
  section: 'offer' | 'needs';
  /** Shown to the social worker who scores bids blind. Never the price, nor anything that gives it away. */
  blind: boolean;
  /** Its column in the bids CSV (the version that counts; shown after close only), or null for none. */
  csv: { name: string; about: string; money?: boolean; /** Free text typed by a person (guarded against formula injection). */ text?: boolean } | null;
  /** A short label for generic places (the blind view's extra lines). */
  label: string;
}

const field = <S extends z.ZodTypeAny>(f: BidField<S>) => f;

/** In the order the bid form shows them. */
export const BID_FIELDS = {
  weeklyPrice: field({ schema: money('weekly price (£)', 20000), section: 'offer', blind: false, csv: { name: 'weekly_price', about: 'the weekly price of the version that counts, £ (after close only)', money: true }, label: 'Weekly price (£)' }),
  hourlyRate: field({ schema: money('hourly rate (£)', 200), section: 'offer', blind: false, csv: { name: 'hourly_rate', about: 'its hourly rate, £ (after close only)', money: true }, label: 'Hourly rate (£)' }),
  hoursPerWeek: field({ schema: money('hours per week', 168), section: 'offer', blind: true, csv: { name: 'hours_per_week', about: 'its hours a week (after close only)' }, label: 'Hours per week' }),
  /** Why the weekly price is not hourly rate × hours, when it is not. */
  priceNote: field({ schema: z.string().trim().max(500).default(''), section: 'offer', blind: false, csv: null, label: 'Price note' }),
  earliestStart: field({ schema: z.string({ required_error: 'earliest start date is required' }).trim().refine(isRealDate, 'earliest start date must be a date'), section: 'offer', blind: true, csv: null, label: 'Earliest start' }),
  supportPlan: field({ schema: z.string({ required_error: 'support plan summary is required' }).trim().min(30, 'support plan summary needs at least 30 characters').max(4000, 'support plan summary must be at most 4,000 characters'), section: 'offer', blind: true, csv: null, label: 'Support plan' }),
  meetsCarerGender: field({ schema: yesNo('say whether you can meet the carer gender preference'), section: 'needs', blind: true, csv: null, label: 'Meets the carer gender preference' }),
  meetsLanguage: field({ schema: yesNo('say whether you can meet the language and cultural needs'), section: 'needs', blind: true, csv: null, label: 'Meets the language and cultural needs' }),
};

export type BidFieldKey = keyof typeof BID_FIELDS;
export const BID_FIELD_KEYS = Object.keys(BID_FIELDS) as BidFieldKey[];

/** The schema of each field, for `z.object`. */
export const bidFieldSchemas = { ...Object.fromEntries(BID_FIELD_KEYS.map((k) => [k, BID_FIELDS[k].schema])) } as { [K in BidFieldKey]: (typeof BID_FIELDS)[K]['schema'] };

/** The one input per quality question: `a_<questionId>`. */
export const answerInput = (questionId: string) => `a_${questionId}`;

/** The fields the blind evaluator sees. */
export const BLIND_FIELD_KEYS = BID_FIELD_KEYS.filter((k) => BID_FIELDS[k].blind);
