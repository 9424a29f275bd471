import { findLeaks, identifies, type Leak } from './anonymise.js';
import type { PackageStep, PersonStep } from './request.js';

/**
 * The person's own questions (Doncaster's "service user involvement"): how they read to providers
 * and to the social worker, and the privacy check of everything about them that leaves the council.
 */

export interface QuestionLike {
  text: string;
  weight?: number;
  byPerson?: boolean;
  criterion?: string;
}

/** Stored requests from before the person's questions have no `byPerson`: those are the council's. */
export const isPersons = (q: Pick<QuestionLike, 'byPerson'>): boolean => q.byPerson === true;

/** "2. The person asks: “Can I keep my dog?”": providers and the evaluator see whose question it is. */
export function questionHeading(q: QuestionLike, i: number): string {
  return isPersons(q) ? `${i + 1}. The person asks: “${q.text}”` : `${i + 1}. ${q.text}`;
}

/** What a good answer looks like, in the words agreed with the person; empty for the council's questions. */
export function criterionLine(q: QuestionLike): string {
  return isPersons(q) && q.criterion ? `What a good answer looks like to them: ${q.criterion}` : '';
}

/**
 * Everything bound for providers that would identify the person: the shared texts and question
 * texts through `findLeaks`, and each criterion of the person's questions through `identifies`
 * (the criteria are the person's words too, and providers see them).
 */
export function packageLeaks(person: PersonStep, p: Pick<PackageStep, 'needsSummary' | 'outcomes' | 'visitPattern' | 'languageNeeds' | 'questions'>): Leak[] {
  const criteria = p.questions.flatMap((q, i): Leak[] => {
    const what = isPersons(q) && q.criterion ? identifies(person, q.criterion) : undefined;
    return what ? [{ field: 'questions', label: `"what a good answer looks like" of question ${i + 1}`, what }] : [];
  });
  return [...findLeaks(person, p, p.questions), ...criteria];
}
