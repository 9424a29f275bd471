import type { Criterion } from './framework.js';

export interface Assessment {
  meetsDefinition: boolean;
  /** Lots pointed to by the "yes" answers, in checklist order, without repeats. */
  suggestedLots: string[];
  yes: Criterion[];
}

/** The council's definition: a person is "specialist" when any checklist item applies to them. */
export function assess(criteria: Criterion[], answers: Record<string, boolean>): Assessment {
  const yes = criteria.filter((c) => answers[c.id] === true);
  return { meetsDefinition: yes.length > 0, suggestedLots: [...new Set(yes.flatMap((c) => c.lots))], yes };
}

export const GENERIC_ROUTE =
  'This person does not meet the council’s definition of specialist support. Please arrange support through the generic home-care route (the Brokerage Team’s home-care referral). A broker can still raise this as a specialist request if there is a good reason, which is recorded.';
