import type { ChoicePack } from '../../../src/app/choice/pack.js';

/** A pack as choicePackContent makes it: two offers, one within budget and one needing a top-up. */
export const samplePack = (): ChoicePack => ({
  ref: 'PKG-2026-0001',
  personName: 'Margaret Ellis',
  preparedBy: 'Sam Patel',
  preparedAt: '2026-12-02T10:00:00.000Z',
  hoursPerWeek: 21,
  startDate: '2026-12-14',
  budgetWeekly: 650,
  questions: [{ text: 'Can my carers take me to the day centre on the bus?', criterion: 'They say who would go with her and that they will use the bus, not just a taxi.' }],
  offers: [
    {
      providerName: 'BrightPath Support',
      supportPlan: 'Two named leads and a bank of six staff, all trained in rescue medication. We will meet you before the first visit. Your plan is reviewed every month with you and your sister.',
      answers: [{ question: 'Can my carers take me to the day centre on the bus?', criterion: 'They say who would go with her and that they will use the bus, not just a taxi.', answer: 'Yes. Your lead carer, Anna, will travel with you on the 135 bus on Mondays, Wednesdays and Fridays.' }],
      earliestStart: '2026-12-14',
      carerGender: { wanted: 'female', meets: true },
      language: { needs: '', meets: undefined },
      weeklyPrice: 702.5,
      budgetWeekly: 650,
      topUp: 52.5,
    },
    {
      providerName: 'Caring Hands Ltd',
      supportPlan: 'A team of four trained in epilepsy rescue medication, with a named lead and weekly reviews.',
      answers: [{ question: 'Can my carers take me to the day centre on the bus?', criterion: 'They say who would go with her and that they will use the bus, not just a taxi.', answer: 'We would drive you in our car.' }],
      earliestStart: '2026-12-10',
      carerGender: { wanted: 'female', meets: true },
      language: { needs: '', meets: undefined },
      weeklyPrice: 525,
      budgetWeekly: 650,
      topUp: 0,
    },
  ],
});
