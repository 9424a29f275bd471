import type { ChoicePack, PackOffer } from './pack.js';
import { A4, ACCENT, type Doc, finish, FONT, gbp, INK, longDate, newDoc, sentences } from './pdf.js';

/**
 * The easy-read choice pack, after the usual easy-read guidance: large type (16 pt, `SIZE`), short
 * sentences, one idea a line, a simple picture beside each idea, lots of space. The provider's
 * own words are kept as they wrote them, one sentence a line.
 */

const SIZE = 16;
const ICON = 40;
const TEXT_X = A4.margin + ICON + 22;
const TEXT_W = A4.width - A4.margin - TEXT_X;

type Icon = 'people' | 'speech' | 'question' | 'calendar' | 'carer' | 'language' | 'money' | 'tick';

/** Plain shapes that print in black and white; a picture helps a reader find each idea again. */
function icon(doc: Doc, kind: Icon, x: number, y: number): void {
  const s = ICON;
  const cx = x + s / 2;
  const cy = y + s / 2;
  doc.save().lineWidth(2.2).strokeColor(ACCENT).fillColor(ACCENT);
  switch (kind) {
    case 'people':
      for (const dx of [-9, 9]) doc.circle(cx + dx, y + 12, 6).stroke().moveTo(cx + dx - 9, y + s - 6).bezierCurveTo(cx + dx - 9, y + 20, cx + dx + 9, y + 20, cx + dx + 9, y + s - 6).stroke();
      break;
    case 'carer':
      doc.circle(cx, y + 11, 7).stroke().moveTo(cx - 13, y + s - 4).bezierCurveTo(cx - 13, y + 20, cx + 13, y + 20, cx + 13, y + s - 4).stroke();
      break;
    case 'speech':
    case 'language':
      doc.roundedRect(x + 2, y + 4, s - 10, s - 18, 6).stroke().moveTo(x + 10, y + s - 14).lineTo(x + 8, y + s - 4).lineTo(x + 20, y + s - 14).stroke();
      if (kind === 'language') doc.roundedRect(x + 18, y + 16, s - 18, s - 24, 5).fill();
      break;
    case 'question':
      doc.circle(cx, cy, s / 2 - 2).stroke();
      doc.font(FONT.bold).fontSize(26).text('?', x, cy - 15, { width: s, align: 'center', lineBreak: false });
      break;
    case 'calendar':
      doc.rect(x + 3, y + 7, s - 6, s - 10).stroke().rect(x + 3, y + 7, s - 6, 9).fill();
      for (const dx of [12, 22, 32]) for (const dy of [22, 31]) doc.rect(x + dx - 2, y + dy, 5, 5).fill();
      break;
    case 'money':
      doc.circle(cx, cy, s / 2 - 2).stroke();
      doc.font(FONT.bold).fontSize(24).text('£', x, cy - 14, { width: s, align: 'center', lineBreak: false });
      break;
    case 'tick':
      doc.circle(cx, cy, s / 2 - 2).stroke().moveTo(x + 12, cy).lineTo(x + 19, cy + 8).lineTo(x + 33, cy - 9).stroke();
      break;
  }
  doc.restore();
}

/** One idea: a picture on the left, its lines on the right, each line one short sentence. */
function idea(doc: Doc, kind: Icon, lines: { text: string; bold?: boolean }[], continued = ''): void {
  const height = lines.reduce((h, l) => h + doc.font(l.bold ? FONT.bold : FONT.regular).fontSize(SIZE).heightOfString(l.text, { width: TEXT_W, lineGap: 3 }) + 5, 0);
  if (doc.y + Math.max(height, ICON) > A4.height - doc.page.margins.bottom) {
    // An idea is never split; a page that goes on says whose offer it is.
    doc.addPage();
    if (continued) title(doc, `${continued} (continued)`);
  }
  const top = doc.y;
  icon(doc, kind, A4.margin, top);
  doc.y = top;
  for (const l of lines) doc.font(l.bold ? FONT.bold : FONT.regular).fontSize(SIZE).fillColor(INK).text(l.text, TEXT_X, doc.y, { width: TEXT_W, lineGap: 3, paragraphGap: 5 });
  doc.x = A4.margin;
  doc.y = Math.max(doc.y, top + ICON) + 14;
}

function title(doc: Doc, text: string): void {
  doc.font(FONT.bold).fontSize(26).fillColor(ACCENT).text(text, A4.margin, doc.y, { width: A4.width - 2 * A4.margin });
  doc.fillColor(INK).moveDown(0.6);
}

function cover(doc: Doc, pack: ChoicePack): void {
  const n = pack.offers.length;
  title(doc, 'Choosing who supports you');
  idea(doc, 'carer', [{ text: `This is for ${pack.personName}.`, bold: true }, { text: `From ${pack.preparedBy}, your social worker.` }]);
  idea(doc, 'people', [{ text: n === 1 ? '1 care company wants to support you.' : `${n} care companies want to support you.` }, { text: 'Your social worker checked they can meet your needs.' }]);
  idea(doc, 'speech', [{ text: n === 1 ? 'The company has a page.' : 'Each company has a page.' }, { text: 'Read each page.' }, { text: 'Someone can help you read it.' }]);
  idea(doc, 'tick', [{ text: 'Choose the company you like best.' }, { text: `Tell ${pack.preparedBy}.` }, { text: 'Say why, in your own words.' }]);
}

function carerLine(o: PackOffer): string[] {
  if (o.carerGender.meets === undefined) return ['You did not ask for men or women carers.'];
  const who = o.carerGender.wanted === 'female' ? 'women' : 'men';
  return o.carerGender.meets ? [`Your carers will be ${who}.`, 'This is what you asked for.'] : [`They cannot promise ${who} carers.`];
}

function offerPage(doc: Doc, o: PackOffer): void {
  doc.addPage();
  title(doc, o.providerName);
  const name = o.providerName;
  idea(doc, 'speech', [{ text: 'This is what they say they will do:', bold: true }, ...sentences(o.supportPlan).map((text) => ({ text }))], name);
  for (const a of o.answers) {
    idea(doc, 'question', [{ text: 'You asked:', bold: true }, { text: `“${a.question}”` }, { text: 'They said:', bold: true }, ...(a.answer ? sentences(a.answer).map((text) => ({ text })) : [{ text: 'They did not answer.' }])], name);
  }
  // Cost before the practical details, which every offer here meets: it is what differs most.
  const money: { text: string; bold?: boolean }[] = [{ text: `It costs ${gbp(o.weeklyPrice)} a week.` }, { text: `Your budget is ${gbp(o.budgetWeekly)} a week.` }];
  if (o.topUp === 0) money.push({ text: 'This is inside your budget.', bold: true });
  else money.push({ text: `This is ${gbp(o.topUp)} a week more than your budget.`, bold: true }, { text: `Someone would need to pay the extra ${gbp(o.topUp)} a week.` }, { text: 'This is called a top-up.' });
  idea(doc, 'money', money, name);
  idea(doc, 'calendar', [{ text: `They can start on ${longDate(o.earliestStart)}.` }], name);
  idea(doc, 'carer', carerLine(o).map((text) => ({ text })), name);
  if (o.language.meets !== undefined) idea(doc, 'language', [{ text: o.language.meets ? 'They can meet your language and culture needs.' : 'They cannot promise your language and culture needs.' }], name);
}

export function easyReadPackPdf(pack: ChoicePack): Promise<Buffer> {
  const { doc, done } = newDoc(`Choosing who supports you: ${pack.ref}`, `Choice pack for ${pack.personName} (easy read)`);
  cover(doc, pack);
  for (const o of pack.offers) offerPage(doc, o);
  finish(doc, (page, pages) => `Private. This is about ${pack.personName}. Page ${page} of ${pages}.`, 12);
  return done;
}
