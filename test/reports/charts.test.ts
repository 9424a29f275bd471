import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { awardsSpendSvg, CHART, chartFont, daysToAwardSvg, niceScale, rasterise } from '../../src/reports/charts.js';
import { awardsOverTime, cardOf, daysDistribution, headline } from '../../src/reports/queries.js';
import { dataset, Q1 } from './dataset.js';

/** Width, height, bit depth and colour type from a PNG's IHDR, after checking the signature. */
export function pngInfo(png: Buffer): { width: number; height: number; bitDepth: number; colourType: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR', 'IHDR is the first chunk');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24], colourType: png[25] };
}

/** The PNG's image data inflates to height rows of (1 filter byte + width × bytes per pixel). */
function idatBytes(png: Buffer): number {
  const parts: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.subarray(at + 4, at + 8).toString('latin1') === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return inflateSync(Buffer.concat(parts)).length;
}

/** Dark pixels (text, axes, bars' dark ticks) inside a box of an RGBA raster. */
function darkPixels(r: { pixels: Buffer; width: number }, box: { x0: number; y0: number; x1: number; y1: number }): number {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * r.width + x) * 4;
      if (r.pixels[i] < 100 && r.pixels[i + 1] < 100 && r.pixels[i + 2] < 100) n++;
    }
  return n;
}

const distinctColours = (pixels: Buffer) => new Set(Array.from({ length: pixels.length / 4 }, (_, i) => pixels.readUInt32BE(i * 4))).size;

describe('reports: charts rendered to PNG on the server', () => {
  const data = dataset();

  it("draws text with DejaVu Sans from the project's own npm package, never the system's fonts", () => {
    const files = chartFont();
    assert.equal(files.length, 2);
    for (const f of files) {
      assert.match(f, /node_modules\/dejavu-fonts-ttf\/ttf\/DejaVuSans(-Bold)?\.ttf$/);
      assert.ok(!f.startsWith('/usr/share/'), f);
    }
  });

  it('nice axis steps', () => {
    assert.deepEqual(niceScale(1180), { top: 1500, step: 500 });
    assert.deepEqual(niceScale(2), { top: 2, step: 0.5 });
    assert.deepEqual(niceScale(2, true), { top: 2, step: 1 }, 'counts step in whole numbers');
    assert.deepEqual(niceScale(0), { top: 4, step: 1 });
  });

  for (const [name, svg] of [
    ['awards and spend', () => awardsSpendSvg(awardsOverTime(data, Q1), Q1.label)],
    ['days to award', () => daysToAwardSvg(daysDistribution(data, Q1), headline(cardOf(data), Q1).daysToAward, Q1.label)],
    ['an empty period', () => awardsSpendSvg(awardsOverTime(data, { from: '2024-01-01', to: '2024-01-31' }), 'Jan 2024')],
  ] as const) {
    it(`${name}: a ${CHART.width}×${CHART.height} RGBA PNG with bars and text on it`, async () => {
      const r = rasterise(svg());
      await writeFile(`/tmp/report-chart-${name.replace(/\W+/g, '-')}.png`, r.png).catch(() => undefined);
      assert.deepEqual(pngInfo(r.png), { width: CHART.width, height: CHART.height, bitDepth: 8, colourType: 6 });
      assert.equal(idatBytes(r.png), CHART.height * (1 + CHART.width * 4), 'image data matches the header');
      assert.ok(r.png.length > 3000, `a chart, not an empty image (${r.png.length} bytes)`);
      assert.ok(distinctColours(r.pixels) > 20, 'not blank: many colours (anti-aliased text and shapes)');
      // The title is text alone (top-left, above the plot): dark pixels there prove the font drew.
      assert.ok(darkPixels(r, { x0: 10, y0: 8, x1: 300, y1: 34 }) > 150, 'title text drawn');
    });
  }

  it('the awards chart draws one bar per month with awards, in the bar colour', () => {
    const r = rasterise(awardsSpendSvg(awardsOverTime(data, Q1), Q1.label));
    // The bar colour #4f6bed: Jan and Feb have spend, March none.
    const blueIn = (x0: number, x1: number) => {
      let n = 0;
      for (let y = 92; y < 276; y++) for (let x = x0; x < x1; x++) {
        const i = (y * r.width + x) * 4;
        if (r.pixels[i] === 0x4f && r.pixels[i + 1] === 0x6b && r.pixels[i + 2] === 0xed) n++;
      }
      return n;
    };
    const third = Math.round((640 - 84) / 3);
    assert.ok(blueIn(64, 64 + third) > 1000, 'January bar');
    assert.ok(blueIn(64 + third, 64 + 2 * third) > 1000, 'February bar');
    assert.equal(blueIn(64 + 2 * third, 620), 0, 'no March bar');
  });
});
