import type { Clarification } from '../../domain/calloff.js';
import { identifies } from '../../domain/anonymise.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { conflict, invalid, notFound } from '../errors.js';
import { loadForProvider, providerUser } from './access.js';
import { brokerIds, tellProviders, tellUsers } from './messages.js';

const questionText = (text: string, field: string) => {
  const t = text.trim();
  if (t.length < 10) throw invalid({ [field]: 'a question needs at least 10 characters' });
  if (t.length > 1000) throw invalid({ [field]: 'a question must be at most 1,000 characters' });
  return t;
};

/** A provider asks; every broker gets the question as a card to answer. */
export async function askQuestion(store: BrokerageStore, who: Who, ref: string, text: string, now: Date): Promise<Clarification> {
  const user = await providerUser(store, who);
  const question = questionText(text, 'question');
  return store.transact({ actor: user.id, action: 'calloffs.ask' }, async (tx) => {
    const r = await loadForProvider(tx, user, ref, now);
    const repeat = r.calloff.clarifications.find((c) => c.askedByProvider === user.providerId && c.question === question && !c.answer);
    if (repeat) return repeat;
    const c: Clarification = { id: `Q${r.calloff.clarifications.length + 1}`, askedBy: user.id, askedByProvider: user.providerId, askedAt: now.toISOString(), question };
    r.calloff.clarifications.push(c);
    tx.put('requests', r);
    await tellUsers(tx, now, await brokerIds(tx), `question:${r.id}:${c.id}`, { kind: 'calloff.question', ref: r.id, questionId: c.id });
    return c;
  });
}

/**
 * A broker answers; the answer, with the question as the broker words it (so nothing in it
 * points to the asker), goes to every provider that received the call-off.
 */
export async function answerQuestion(store: BrokerageStore, who: Who, ref: string, questionId: string, answer: string, questionAsShown: string, now: Date): Promise<Clarification> {
  const user = await requirePermission(store, who, 'calloff.manage');
  const text = answer.trim();
  if (text.length < 2) throw invalid({ answer: 'write the answer' });
  const shown = questionText(questionAsShown, 'questionAsShown');
  return store.transact({ actor: user.id, action: 'calloffs.answer' }, async (tx) => {
    const r = await tx.get('requests', ref.trim().toUpperCase());
    if (!r?.calloff) throw notFound(`There is no call-off ${ref}.`);
    const c = r.calloff.clarifications.find((x) => x.id === questionId);
    if (!c) throw notFound(`${r.id} has no question ${questionId}.`);
    if (c.answer) return c; // answered already (by this broker's double click, or another broker)
    if (r.state !== 'open') throw conflict(`${r.id} is ${r.state}; answers can only go out while it is open.`);
    // Both go to every provider: neither may identify the person.
    for (const [field, text] of [['questionAsShown', shown], ['answer', answer]] as const) {
      const leak = r.person && identifies(r.person, text);
      if (leak) throw invalid({ [field]: `every provider will read this, and it contains ${leak}; reword it` });
    }
    c.answer = { text, question: shown, by: user.id, at: now.toISOString() };
    tx.put('requests', r);
    await tellProviders(tx, now, r, `answer:${r.id}:${c.id}`, { kind: 'calloff.answer', ref: r.id, questionId: c.id });
    return c;
  });
}
