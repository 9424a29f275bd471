import type { ChoicePack, PackOffer } from './pack.js';
import { A4, ACCENT, type Doc, finish, FONT, gbp, INK, longDate, newDoc, SUBTLE } from './pdf.js';

/**
 * The plain-English choice pack: a cover page that explains the pack, then one page per offer
 * (an offer with a long plan runs on to the next page; the next offer always starts a new one).
 * Written to the person ("you"), in short paragraphs, 11.5 pt on A4.
 */

const WIDTH = A4.width - 2 * A4.margin;
const BODY = 11.5;

function heading(doc: Doc, text: string): void {
  doc.moveDown(0.9).font(FONT.bold).fontSize(13).fillColor(ACCENT).text(text, { width: WIDTH });
  doc.moveDown(0.25).font(FONT.regular).fontSize(BODY).fillColor(INK);
}

function para(doc: Doc, text: string, o: { bold?: boolean; subtle?: boolean; indent?: number } = {}): void {
  doc
    .font(o.bold ? FONT.bold : FONT.regular)
    .fontSize(BODY)
    .fillColor(o.subtle ? SUBTLE : INK)
    .text(text, A4.margin + (o.indent ?? 0), doc.y, { width: WIDTH - (o.indent ?? 0), lineGap: 2.5, paragraphGap: 4 });
  doc.fillColor(INK);
  doc.x = A4.margin;
}

/** A label and its value on one line each side, like a simple table that prints well in black and white. */
function detail(doc: Doc, label: string, value: string): void {
  const y = doc.y;
  doc.font(FONT.bold).fontSize(BODY).text(label, A4.margin, y, { width: 150 });
  const afterLabel = doc.y;
  doc.font(FONT.regular).text(value, A4.margin + 160, y, { width: WIDTH - 160, lineGap: 2 });
  doc.y = Math.max(doc.y, afterLabel) + 5;
  doc.x = A4.margin;
}

function cover(doc: Doc, pack: ChoicePack): void {
  doc.font(FONT.bold).fontSize(26).fillColor(ACCENT).text('Choosing your support', { width: WIDTH });
  doc.moveDown(0.3).font(FONT.regular).fontSize(16).fillColor(INK).text(`For ${pack.personName}`, { width: WIDTH });
  doc.moveDown(0.2).fontSize(BODY).fillColor(SUBTLE).text(`Reference ${pack.ref} · prepared by ${pack.preparedBy}, your social worker, on ${longDate(pack.preparedAt)}`, { width: WIDTH });
  doc.fillColor(INK);
  const n = pack.offers.length;
  heading(doc, 'About this pack');
  para(doc, `${n === 1 ? 'One care provider has' : `${n} care providers have`} offered to give you the support you need. Your social worker has read ${n === 1 ? 'the offer' : 'each offer'} and checked that it meets your needs.`);
  para(doc, `${n === 1 ? 'The offer has its own page' : 'Each offer has its own page'}, with what the provider says it would do, in its own words, its answers to your questions, when it could start, and what it would cost. ${n === 1 ? '' : 'The offers are in alphabetical order. The order does not mean anything.'}`);
  heading(doc, 'What you asked for');
  detail(doc, 'Support', `${pack.hoursPerWeek} hours a week`);
  detail(doc, 'Starting', longDate(pack.startDate));
  detail(doc, 'Personal budget', `${gbp(pack.budgetWeekly)} a week`);
  if (pack.questions.length) {
    heading(doc, 'Your questions');
    pack.questions.forEach((q, i) => para(doc, `${i + 1}. “${q.text}”`));
  }
  heading(doc, n === 1 ? 'The offer' : 'The offers');
  pack.offers.forEach((o, i) => para(doc, `Offer ${i + 1}: ${o.providerName}`));
  heading(doc, 'When you have decided');
  para(doc, `Tell ${pack.preparedBy} which offer you choose and why, in your own words. You can ask a carer, a family member or an advocate to help you. ${pack.preparedBy} will write down who helped you decide and your reasons.`);
}

function offerPage(doc: Doc, pack: ChoicePack, o: PackOffer, i: number): void {
  doc.addPage();
  doc.font(FONT.regular).fontSize(9).fillColor(SUBTLE).text(`Choosing your support · ${pack.ref} · offer ${i + 1} of ${pack.offers.length}`, { width: WIDTH });
  doc.moveDown(0.4).font(FONT.bold).fontSize(22).fillColor(INK).text(o.providerName, { width: WIDTH });
  doc.moveTo(A4.margin, doc.y + 4).lineTo(A4.width - A4.margin, doc.y + 4).lineWidth(1.5).strokeColor(ACCENT).stroke();
  doc.moveDown(0.3);
  heading(doc, 'What they would do, in their own words');
  para(doc, `“${o.supportPlan}”`);
  if (o.answers.length) {
    heading(doc, 'Your questions and their answers');
    for (const a of o.answers) {
      para(doc, `You asked: “${a.question}”`, { bold: true });
      if (a.criterion) para(doc, `What a good answer looks like: ${a.criterion}`, { subtle: true });
      para(doc, a.answer ? `They said: “${a.answer}”` : 'They did not answer this question.', { indent: 12 });
      doc.moveDown(0.3);
    }
  }
  heading(doc, 'The details');
  detail(doc, 'Could start', longDate(o.earliestStart) + (o.earliestStart === pack.startDate ? ', the day you asked for' : ''));
  detail(doc, 'Carers', o.carerGender.meets === undefined ? 'You did not ask for men or women carers.' : o.carerGender.meets ? `${o.carerGender.wanted === 'female' ? 'Women' : 'Men'} carers, as you asked.` : `They cannot promise ${o.carerGender.wanted} carers.`);
  if (o.language.meets !== undefined) detail(doc, 'Language and culture', o.language.meets ? `They can meet your needs: ${o.language.needs}` : `They cannot promise to meet: ${o.language.needs}`);
  detail(doc, 'Cost', `${gbp(o.weeklyPrice)} a week`);
  detail(doc, 'Your budget', `${gbp(o.budgetWeekly)} a week`);
  doc.moveDown(0.4);
  const within = o.topUp === 0;
  const text = within ? 'This offer is within your personal budget.' : `This offer costs ${gbp(o.topUp)} a week more than your personal budget. A top-up of ${gbp(o.topUp)} a week would be needed. Ask your social worker what this means for you.`;
  const h = doc.font(FONT.bold).fontSize(BODY).heightOfString(text, { width: WIDTH - 24 }) + 16;
  const y = doc.y;
  doc.rect(A4.margin, y, WIDTH, h).lineWidth(1.5).strokeColor(within ? '#2e7d32' : '#b26a00').stroke();
  doc.fillColor(INK).text(text, A4.margin + 12, y + 8, { width: WIDTH - 24 });
  doc.x = A4.margin;
  doc.y = y + h + 6;
}

export function plainPackPdf(pack: ChoicePack): Promise<Buffer> {
  const { doc, done } = newDoc(`Choosing your support: ${pack.ref}`, `Choice pack for ${pack.personName} (plain English)`);
  cover(doc, pack);
  pack.offers.forEach((o, i) => offerPage(doc, pack, o, i));
  finish(doc, (page, pages) => `Private: this pack is about ${pack.personName}. Please keep it safe. Page ${page} of ${pages}.`);
  return done;
}
