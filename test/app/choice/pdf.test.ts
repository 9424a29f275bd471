import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { PDFParse } from 'pdf-parse';
import { plainPackPdf } from '../../../src/app/choice/plainPack.js';
import { easyReadPackPdf } from '../../../src/app/choice/easyReadPack.js';
import { samplePack } from './samplePack.js';

/** The text of each page, as a PDF reader (or a screen reader) gets it. */
async function pages(pdf: Buffer): Promise<string[]> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).pages.map((p) => p.text);
  } finally {
    await parser.destroy();
  }
}

/** Every font size the page content sets (pdfkit compresses content streams with zlib). */
function fontSizes(pdf: Buffer): Set<number> {
  const sizes = new Set<number>();
  const raw = pdf.toString('latin1');
  for (const m of raw.matchAll(/stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = raw.indexOf('endstream', start);
    try {
      const content = inflateSync(pdf.subarray(start, end)).toString('latin1');
      for (const t of content.matchAll(/ (\d+(?:\.\d+)?) Tf/g)) sizes.add(Number(t[1]));
    } catch {
      // not a zlib stream (an image or font program): no text in it
    }
  }
  return sizes;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

describe('the choice pack as a PDF, read back', function () {
  this.timeout(20_000);

  it('plain English: a cover, then one A4 page per offer with its own words, answers, start, carers and budget', async () => {
    const pdf = await plainPackPdf(samplePack());
    assert.match(pdf.subarray(0, 8).toString(), /^%PDF-1\.\d/);
    assert.match(pdf.toString('latin1'), /\/MediaBox \[0 0 595\.28 841\.89\]/, 'A4');
    const [cover, brightpath, caring, ...rest] = (await pages(pdf)).map(oneLine);
    assert.equal(rest.length, 0);
    assert.match(cover, /Choosing your support For Margaret Ellis/);
    assert.match(cover, /2 care providers have offered/);
    assert.match(cover, /Offer 1: BrightPath Support Offer 2: Caring Hands Ltd/);
    assert.match(brightpath, /BrightPath Support What they would do, in their own words “Two named leads/);
    assert.match(brightpath, /You asked: “Can my carers take me to the day centre on the bus\?”/);
    assert.match(brightpath, /They said: “Yes\. Your lead carer, Anna/);
    assert.match(brightpath, /Could start Monday, 14 December 2026, the day you asked for/);
    assert.match(brightpath, /Carers Women carers, as you asked\./);
    assert.match(brightpath, /Cost £702\.50 a week Your budget £650\.00 a week/);
    assert.match(brightpath, /costs £52\.50 a week more than your personal budget\. A top-up of £52\.50 a week would be needed/);
    assert.match(caring, /Caring Hands Ltd/);
    assert.match(caring, /Could start Thursday, 10 December 2026 Carers/);
    assert.match(caring, /This offer is within your personal budget\./);
    assert.doesNotMatch(brightpath, /Caring Hands|525/, 'nothing about the other provider');
    assert.doesNotMatch(caring, /BrightPath|702/, 'nothing about the other provider');
    for (const [i, page] of [cover, brightpath, caring].entries()) assert.match(page, new RegExp(`Private: this pack is about Margaret Ellis\\. Please keep it safe\\. Page ${i + 1} of 3\\.`));
  });

  it('easy read: large type, one idea a line, the provider’s sentences one a line, the top-up said simply', async () => {
    const pdf = await easyReadPackPdf(samplePack());
    const texts = await pages(pdf);
    assert.equal(texts.length, 3, 'a cover and one page per offer');
    // The "?" and "£" pictures are drawn as letters, so they start the first line of their idea.
    const lines = texts.map((t) => t.split('\n').map((l) => l.trim().replace(/^[?£] /, '')).filter(Boolean));
    assert.ok(lines[0].includes('This is for Margaret Ellis.'));
    assert.ok(lines[0].includes('2 care companies want to support you.'));
    const brightpath = lines[1];
    assert.equal(brightpath[0], 'BrightPath Support');
    for (const line of ['This is what they say they will do:', 'We will meet you before the first visit.', 'You asked:', 'They said:', 'Yes.', 'They can start on Monday, 14 December 2026.', 'Your carers will be women.', 'This is what you asked for.', 'It costs £702.50 a week.', 'Your budget is £650.00 a week.', 'This is £52.50 a week more than your budget.', 'This is called a top-up.']) {
      assert.ok(brightpath.includes(line), `"${line}" on a line of its own`);
    }
    assert.ok(lines[2].includes('This is inside your budget.'));
    assert.ok(!texts[1].includes('Caring Hands') && !texts[2].includes('BrightPath'), 'each page about its own offer only');
    // Large type: the body is set in 16 pt (the plain version in 11.5 pt).
    const sizes = fontSizes(pdf);
    assert.ok(sizes.has(16) && sizes.has(26), `font sizes used: ${[...sizes]}`);
    assert.ok([...sizes].every((s) => s >= 12), `nothing smaller than 12 pt: ${[...sizes]}`);
  });
});
