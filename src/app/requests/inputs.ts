import type { ZodError } from 'zod';
import { MAX_QUESTIONS } from '../../domain/request.js';

/**
 * Card inputs → step candidates. Cards send every input as a string (multi-selects "a,b",
 * toggles "true"/"false"); this is plain data, so the mapping lives with the use cases.
 */
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));
export const csv = (v: unknown) =>
  str(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const bool = (v: unknown) => v === true || v === 'true';

export function personCandidate(raw: Record<string, unknown>) {
  const keys = ['name', 'caseRef', 'dateOfBirth', 'address', 'postcode', 'zone', 'gender', 'disabilityCategory'];
  return Object.fromEntries(keys.map((k) => [k, str(raw[k])]));
}

export const criterionInput = (id: string) => `c_${id}`;

export function checklistAnswers(raw: Record<string, unknown>, criterionIds: string[]): Record<string, boolean> {
  return Object.fromEntries(criterionIds.map((id) => [id, bool(raw[criterionInput(id)])]));
}

export const questionInputs = (i: number) => ({ text: `q${i + 1}Text`, weight: `q${i + 1}Weight`, byPerson: `q${i + 1}Person`, criterion: `q${i + 1}Criterion` });

/** Where the package card keeps how many question slots to show (not a card input). */
export const SLOTS_KEY = 'questionSlots';

/**
 * How many question slots the package card shows: every slot that holds something, or as many as
 * the social worker asked for with "Add a question", at least one and at most MAX_QUESTIONS.
 */
export function questionSlots(values: Record<string, unknown>): number {
  let used = 0;
  for (let i = 0; i < MAX_QUESTIONS; i++) {
    const ids = questionInputs(i);
    if (str(values[ids.text]) || str(values[ids.weight]) || str(values[ids.criterion]) || bool(values[ids.byPerson])) used = i + 1;
  }
  const asked = Number(values[SLOTS_KEY]);
  return Math.min(MAX_QUESTIONS, Math.max(1, used, Number.isInteger(asked) ? asked : 0));
}

export function packageCandidate(raw: Record<string, unknown>) {
  const questions = [];
  for (let i = 0; i < MAX_QUESTIONS; i++) {
    const ids = questionInputs(i);
    const text = str(raw[ids.text]);
    const weight = str(raw[ids.weight]);
    const criterion = str(raw[ids.criterion]);
    const byPerson = bool(raw[ids.byPerson]);
    if (text || weight || criterion || byPerson) questions.push({ id: `q${i + 1}`, text, weight, byPerson, criterion });
  }
  return {
    lots: csv(raw.lots),
    needsSummary: str(raw.needsSummary),
    outcomes: str(raw.outcomes),
    hoursPerWeek: str(raw.hoursPerWeek),
    visitPattern: str(raw.visitPattern),
    startDate: str(raw.startDate),
    durationWeeks: str(raw.durationWeeks),
    carerGender: str(raw.carerGender),
    languageNeeds: str(raw.languageNeeds),
    budgetWeekly: str(raw.budgetWeekly),
    showBudget: bool(raw.showBudget),
    mode: str(raw.mode),
    costWeight: str(raw.costWeight),
    qualityWeight: str(raw.qualityWeight),
    questions,
    deadlineDate: str(raw.deadlineDate),
    deadlineTime: str(raw.deadlineTime),
  };
}

/** zod issues → one message per card input id (questions[i].text → q{i+1}Text). */
export function inputErrors(error: ZodError, candidate?: { questions?: { id: string }[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const [head, index, leaf] = issue.path;
    let field = head === undefined ? '_form' : String(head);
    if (head === 'questions' && typeof index === 'number') {
      const slot = Number((candidate?.questions?.[index]?.id ?? `q${index + 1}`).slice(1)) - 1;
      const ids = questionInputs(slot);
      field = leaf === 'weight' ? ids.weight : leaf === 'criterion' ? ids.criterion : leaf === 'byPerson' ? ids.byPerson : ids.text;
    }
    out[field] ??= issue.message;
  }
  return out;
}
