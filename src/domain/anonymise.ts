import type { PackageRequest, PersonStep } from './request.js';
import { findIdentifier } from './privacy/identifiers.js';
import { PersonMatcher } from './privacy/person.js';

/**
 * What a provider may see of a request: an allow-list, so a field added to the request later is
 * private until someone decides otherwise. The person's name, case reference, date of birth,
 * address and postcode never appear here.
 */
export interface ProviderProfile {
  ref: string;
  zone: string;
  lots: string[];
  ageBand: string;
  needsSummary: string;
  outcomes: string;
  hoursPerWeek: number;
  visitPattern: string;
  startDate: string;
  durationWeeks?: number;
  carerGender: string;
  languageNeeds: string;
  /** `fromPerson`: the person's own question, with what a good answer looks like to them. */
  questions: { id: string; text: string; weight: number; fromPerson: boolean; criterion?: string }[];
  costWeight: number;
  qualityWeight: number;
  deadline: string;
  mode: string;
  /** Only when the broker chooses to show it. */
  budgetWeekly?: number;
}

export function providerProfile(r: PackageRequest & { package: NonNullable<PackageRequest['package']>; person: PersonStep }, ageBand: string): ProviderProfile {
  const p = r.package;
  return {
    ref: r.id,
    zone: r.person.zone,
    lots: p.lots,
    ageBand,
    needsSummary: p.needsSummary,
    outcomes: p.outcomes,
    hoursPerWeek: p.hoursPerWeek,
    visitPattern: p.visitPattern,
    startDate: p.startDate,
    durationWeeks: p.durationWeeks,
    carerGender: p.carerGender,
    languageNeeds: p.languageNeeds,
    questions: p.questions.map((q) => ({ id: q.id, text: q.text, weight: q.weight, fromPerson: q.byPerson === true, ...(q.byPerson && q.criterion ? { criterion: q.criterion } : {}) })),
    costWeight: p.costWeight,
    qualityWeight: p.qualityWeight,
    deadline: p.deadline,
    mode: p.mode,
    ...(p.showBudget ? { budgetWeekly: p.budgetWeekly } : {}),
  };
}

/** Text fields of the profile a provider reads, with the label the social worker sees on the card. */
export const SHARED_TEXT_FIELDS: [key: 'needsSummary' | 'outcomes' | 'visitPattern' | 'languageNeeds', label: string][] = [
  ['needsSummary', 'needs summary'],
  ['outcomes', 'outcomes'],
  ['visitPattern', 'visit pattern'],
  ['languageNeeds', 'language, cultural and religious needs'],
];

export interface Leak {
  /** The input id of the field it is in ("needsSummary", "questions"). */
  field: string;
  label: string;
  /** What it found, as the social worker would recognise it: 'the surname "Smith"'. */
  what: string;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** The ways a date of birth is commonly written in UK case notes. */
export function dateSpellings(iso: string): string[] {
  const [y, m, d] = iso.split('-').map(Number);
  const dd = String(d).padStart(2, '0');
  const mm = String(m).padStart(2, '0');
  const month = MONTHS[m - 1];
  const yy = String(y).slice(2);
  return [iso, `${dd}/${mm}/${y}`, `${d}/${m}/${y}`, `${dd}/${mm}/${yy}`, `${dd}.${mm}.${y}`, `${dd}-${mm}-${y}`, `${d} ${month} ${y}`, `${d} ${month.slice(0, 3)} ${y}`, `${month} ${d}, ${y}`, `${d}${ordinal(d)} ${month} ${y}`];
}

function ordinal(d: number): string {
  if (d % 100 >= 11 && d % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][d % 10] ?? 'th';
}

/**
 * Everything in the shared text that would identify the person, however it is spelled (see
 * privacy/person.ts: name parts alone, joined, hyphenated or possessive, initial and surname; the
 * case reference with any separator; the date of birth in words or figures; the postcode; the
 * street), and identifiers of anyone (privacy/identifiers.ts). One finding per field, naming it.
 * `more` carries any other council text bound for providers, each with its field id and label.
 */
export function findLeaks(
  person: PersonStep,
  shared: Partial<Record<(typeof SHARED_TEXT_FIELDS)[number][0], string>>,
  questions: { text: string }[] = [],
  more: { field: string; label: string; text: string }[] = [],
): Leak[] {
  const matcher = new PersonMatcher(person);
  const fields: [string, string, string][] = [
    ...SHARED_TEXT_FIELDS.map(([k, label]) => [k, label, shared[k] ?? ''] as [string, string, string]),
    ...questions.map((q, i) => ['questions', `quality question ${i + 1}`, q.text] as [string, string, string]),
    ...more.map((m) => [m.field, m.label, m.text] as [string, string, string]),
  ];
  const leaks: Leak[] = [];
  for (const [field, label, value] of fields) {
    const what = value ? identifierIn(matcher, value) : undefined;
    if (what) leaks.push({ field, label, what });
  }
  return leaks;
}

/**
 * What in a piece of council text bound for providers (an extension reason, a clarification
 * answer, a reworded question) would identify the person or anyone else, if anything.
 */
export function identifies(person: PersonStep, text: string): string | undefined {
  return identifierIn(new PersonMatcher(person), text);
}

const identifierIn = (person: PersonMatcher, text: string) => person.find(text) ?? findIdentifier(text);
