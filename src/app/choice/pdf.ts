import { DEJAVU } from '../../fonts.js';
import PDFDocument from 'pdfkit';

/**
 * The parts both versions of the choice pack share: an A4 document, the fonts, the footer on
 * every page. pdfkit writes plain PDF 1.7 with the fonts embedded, so it prints the same from any
 * reader; margins of 2 cm suit every office printer.
 */

export type Doc = PDFKit.PDFDocument;

/** DejaVu Sans, the report charts' font: a clear sans serif, as easy-read guidance asks, embedded in the PDF. */
export const FONT = { regular: 'body', bold: 'body-bold', files: DEJAVU };

export const A4 = { width: 595.28, height: 841.89, margin: 56.7 };
export const INK = '#1a1a1a';
export const SUBTLE = '#555555';
export const ACCENT = '#1f5f8b';

export function newDoc(title: string, subject: string): { doc: Doc; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: A4.margin, bottom: A4.margin + 20, left: A4.margin, right: A4.margin },
    bufferPages: true,
    lang: 'en-GB',
    displayTitle: true,
    info: { Title: title, Subject: subject, Author: 'Brokerage Bot', Creator: 'Brokerage Bot' },
  });
  doc.registerFont(FONT.regular, FONT.files.regular);
  doc.registerFont(FONT.bold, FONT.files.bold);
  doc.font(FONT.regular).fillColor(INK);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

/** The footer on every page (written last, so it knows the page count), then the end of the file. */
export function finish(doc: Doc, footer: (page: number, pages: number) => string, size = 9): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not start a new page
    doc.font(FONT.regular).fontSize(size).fillColor(SUBTLE).text(footer(i + 1, range.count), A4.margin, A4.height - A4.margin - 6, { width: A4.width - 2 * A4.margin, align: 'center', lineBreak: true });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
}

export const gbp = (n: number) => `£${n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** "Monday 14 December 2026": days in words read more easily than 14/12/2026. */
export const longDate = (isoDay: string) => new Date(`${isoDay.slice(0, 10)}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/** Sentences, one a line, for the easy-read version (the provider's words are kept, only split). */
export function sentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9“"'(])/)
    .map((s) => s.trim())
    .filter(Boolean);
}
