import type { Activity } from 'botbuilder';
import type { ContractRules, Variation } from '../../src/domain/agreement.js';
import { current, isWaiting, notAgreed } from '../../src/domain/agreement.js';
import { noCard } from '../../src/app/notifications.js';
import type { AgreementMessageView, CouncilAgreementMessage, ProviderAgreementMessage } from '../../src/app/notifications/render.js';
import { agreementCard, panel, providerChangeCard, variationApprovalCard } from './agreementCards.js';
import { returnForm, startForm } from './agreementForms.js';
import { card, day, gbp, text } from './format.js';
import { plainText } from '../../src/domain/plainText.js';

/**
 * Draws the service-agreement messages (kinds `agreement.*`) from what the brokerage loaded
 * (src/app/notifications/render.ts). A provider's channel gets only what its view of the agreement
 * holds (providerView.ts: the reference, terms and money), so a council-only figure cannot be drawn
 * into it; council people get the agreement.
 */
export function drawAgreementMessage(v: AgreementMessageView): Partial<Activity> | 'skip' {
  return v.toProvider ? toProvider(v) : toCouncil(v);
}

function toProvider(v: ProviderAgreementMessage): Partial<Activity> | 'skip' {
  const m = v.message;
  const a = v.view.agreement;
  switch (m.kind) {
    case 'agreement.start':
      return card(startForm(a));
    case 'agreement.return':
    case 'agreement.chase': {
      const periodStart = String(m.periodStart);
      if (a.returned.includes(periodStart)) return m.kind === 'agreement.chase' ? 'skip' : card(agreementCard(v.view, { notice: `Thank you: the return from ${day(periodStart)} is in.` }));
      const reminder = m.kind === 'agreement.chase' ? `Reminder: the return for the period from ${day(periodStart)} has not come in. Without it the council cannot pay for the hours, and it will be reviewed. ` : '';
      return card(returnForm(a, v.choices, { periodStart, notice: reminder }));
    }
    case 'agreement.variation.outcome': {
      const x = a.variations.find((y) => y.n === Number(m.n));
      return x ? outcomeText(a.ref, x, a.terms) : 'skip';
    }
    case 'agreement.suspended': {
      // The provider hears the dates and the kind of suspension; a council note stays with the council.
      const s = a.suspensions.find((x) => x.id === m.suspension);
      return s ? suspendedText(a.ref, s.from, s.to, s.kind, v.view.rules) : 'skip';
    }
    case 'agreement.ended':
      return text(`${a.ref} ends after ${a.ending ? day(a.ending.on) : 'its last day'} (${a.ending?.kind ?? 'ended'}). Please return the delivered hours of the last period when it is asked for.`);
    // Council people's messages: never drawn into a provider's channel.
    case 'agreement.opened':
    case 'agreement.started':
    case 'agreement.review':
    case 'agreement.variation':
    case 'agreement.variation.consent':
    case 'agreement.handover':
    case 'agreement.offcontract':
      return 'skip';
    default:
      return noCard(m);
  }
}

type Outcome = Pick<Variation, 'n' | 'status' | 'weeklyBefore' | 'weeklyAfter' | 'effectiveFrom' | 'decisionNote'> & { notAgreed: boolean };

function outcomeText(ref: string, x: Outcome, now: { hoursPerWeek: number; weeklyCost: number }): Partial<Activity> | 'skip' {
  if (isWaiting(x)) return 'skip';
  const what = `Variation ${x.n} of ${ref} (${gbp(x.weeklyBefore)} → ${gbp(x.weeklyAfter)} a week from ${day(x.effectiveFrom)})`;
  if (x.status === 'rejected') return text(`${what} was not ${x.notAgreed ? 'agreed by the council' : 'approved'}${x.decisionNote ? `: ${plainText(x.decisionNote)}` : ''}. The current terms stand.`);
  return text(`${what} ${x.status === 'approved' ? 'was approved' : 'is within the limits and applies'}: ${now.hoursPerWeek} hours, ${gbp(now.weeklyCost)} a week now.`);
}

const suspendedText = (ref: string, from: string, to: string, why: string, rules: Pick<ContractRules, 'retainerPct' | 'retainerWeeks'>) =>
  text(`${ref} is suspended from ${day(from)} to ${day(to)} (${why}). No support is expected on those days; a retainer of ${rules.retainerPct}% of the planned cost is paid for up to ${rules.retainerWeeks} weeks of a suspension.`);

function toCouncil(v: CouncilAgreementMessage): Partial<Activity> | 'skip' {
  const m = v.message;
  const a = v.agreement;
  const rules = v.rules;
  const c = current(a);
  const show = { title: `Show ${a.ref}`, verb: 'agreement.show', data: { ref: a.ref } };
  switch (m.kind) {
    case 'agreement.opened':
      return text(`${a.ref} is now a service agreement with ${a.providerName}: ${c.hoursPerWeek} hours, ${gbp(c.weeklyCost)} a week. The provider has been asked to confirm the start from its channel. Type \`agreement ${a.ref}\` for the details; set the finance codes there.`);
    case 'agreement.started':
      return text(`${a.providerName} confirmed ${a.ref} starts on ${day(c.startDate)}. First review: ${c.reviewDate ? day(c.reviewDate) : 'not set'}. Returns are ${rules.period}.`);
    case 'agreement.review': {
      const flag = a.reviews.find((r) => r.id === m.flag);
      if (!flag) return 'skip';
      return card(panel({ title: `Review needed: ${a.ref}`, subtitle: `${a.providerName} · ${flag.kind}`, status: flag.text, statusStyle: 'warning', footer: 'Sent to the social worker and the brokers.', actions: [show] }));
    }
    case 'agreement.variation': {
      const x = a.variations.find((y) => y.n === Number(m.n));
      return x ? card(variationApprovalCard(a, x, { note: v.note })) : 'skip';
    }
    case 'agreement.variation.consent': {
      const x = a.variations.find((y) => y.n === Number(m.n));
      return x ? card(providerChangeCard(a, x)) : 'skip';
    }
    case 'agreement.variation.outcome': {
      const x = a.variations.find((y) => y.n === Number(m.n));
      return x ? outcomeText(a.ref, { ...x, notAgreed: notAgreed(x) }, c) : 'skip';
    }
    case 'agreement.suspended': {
      const s = a.suspensions.find((x) => x.id === m.suspension);
      return s ? suspendedText(a.ref, s.from, s.to, plainText(s.reason), rules) : 'skip';
    }
    case 'agreement.ended':
      return text(`${a.ref} ends after ${a.ending ? day(a.ending.on) : 'its last day'} (${a.ending?.kind ?? 'ended'}). Reason: ${plainText(a.ending?.reason ?? '')}`);
    case 'agreement.handover':
      return card(
        panel({
          title: `${a.ref} ${a.ending?.kind === 're-brokered' ? 're-brokered' : 'handed back'}`,
          status: `${a.ending?.kind === 'handed back' ? `${a.providerName} handed the package back, with the contract's ${rules.handBackNoticeDays} days' notice` : 'The off-contract placement ends'}; last day ${a.ending ? day(a.ending.on) : ''}. Reason: ${plainText(a.ending?.reason ?? '')}`,
          statusStyle: 'warning',
          rows: [{ title: `New request ${String(m.next)}`, lines: ['Started from the same request, pre-filled with the person, the checklist and the package. Set a new start date and deadline, then submit and publish it.'] }],
          actions: [{ title: `Open ${String(m.next)}`, verb: 'request.edit', data: { ref: String(m.next), step: 'package' } }, show],
        }),
      );
    case 'agreement.offcontract':
      return card(
        panel({
          title: `Re-broker ${a.ref}`,
          status: `Off-contract with ${a.providerName} since ${day(c.startDate)} at ${gbp(c.weeklyCost)} a week. It is temporary: re-broker it to a framework provider.`,
          statusStyle: 'warning',
          actions: [{ title: 'Re-broker to the framework', verb: 'agreement.rebroker.form', data: { ref: a.ref } }, show],
        }),
      );
    // The provider's own messages: never drawn for council people.
    case 'agreement.start':
    case 'agreement.return':
    case 'agreement.chase':
      return 'skip';
    default:
      return noCard(m);
  }
}
