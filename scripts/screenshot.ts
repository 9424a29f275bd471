/**
 * Renders an Adaptive Card to PNG the way Teams would (the adaptivecards SDK in headless Chromium,
 * Teams-like host config), and lists what the SDK finds wrong with the card:
 *
 *   npx tsx scripts/screenshot.ts card.json out.png [--width 480] [--scale 2]
 *   some-command | npx tsx scripts/screenshot.ts - out.png
 *
 * The JSON may be a card, an attachment, an activity with a card attachment, or an invoke response.
 * Needs Chromium (`apt-get install -y chromium`, or CHROMIUM_PATH). Exit code 1 when the SDK
 * reported problems (the PNG is still written).
 */
import { readFile } from 'node:fs/promises';
import { renderCardToPng, unwrapCard } from '../test/e2e/browser.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = Number(args[i + 1]);
    args.splice(i, 2);
    return v;
  };
  const width = flag('width');
  const scale = flag('scale');
  const [input, out] = args;
  if (!input || !out) {
    process.stderr.write('Usage: npx tsx scripts/screenshot.ts <card.json|-> <out.png> [--width 480] [--scale 2]\n');
    process.exit(2);
  }
  const text = input === '-' ? await readStdin() : await readFile(input, 'utf8');
  const card = unwrapCard(JSON.parse(text));
  const { warnings, size } = await renderCardToPng(card, { out, width, scale });
  process.stdout.write(`Wrote ${out} (${size.width}×${size.height})\n`);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (warnings.length) process.exit(1);
}

main().catch((e) => {
  process.stderr.write(`screenshot failed: ${(e as Error).message}\n`);
  process.exit(1);
});
