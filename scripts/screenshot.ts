/**
 * Renders an Adaptive Card to PNG the way Teams would (the adaptivecards SDK in headless Chromium,
 * Teams-like host config), and lists what the SDK finds wrong with the card:
 *
 *   npx tsx scripts/screenshot.ts card.json out.png [--width 480] [--scale 2]
 *   some-command | npx tsx scripts/screenshot.ts - out.png
 *   npx tsx scripts/screenshot.ts --playground out.png [--say help] [--expect 'text on the card']
 *
 * --playground starts the bot (fresh data, demo framework) and the Agents Playground, types the
 * message in the emulator's own page and screenshots it with the bot's answer.
 *
 * The JSON may be a card, an attachment, an activity with a card attachment, or an invoke response.
 * Uses the Chromium from the @sparticuz/chromium npm package (or CHROMIUM_PATH). Exit code 1 when the SDK
 * reported problems (the PNG is still written).
 */
import { readFile } from 'node:fs/promises';
import { renderCardToPng, screenshotPlayground, unwrapCard } from '../test/e2e/browser.js';
import { startHarness } from '../test/e2e/harness.js';

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
  const sayAt = args.indexOf('--say');
  const say = sayAt >= 0 ? args.splice(sayAt, 2)[1] : 'help';
  const expectAt = args.indexOf('--expect');
  const expect = expectAt >= 0 ? new RegExp(args.splice(expectAt, 2)[1]) : say === 'help' ? /What you can do/ : undefined;
  const playgroundAt = args.indexOf('--playground');
  if (playgroundAt >= 0) {
    const out = args[playgroundAt + 1];
    const h = await startHarness();
    try {
      await screenshotPlayground(h.playgroundUrl, { out, say, expect });
      process.stdout.write(`Wrote ${out}\n`);
    } finally {
      await h.stop();
    }
    return;
  }
  const width = flag('width');
  const scale = flag('scale');
  const [input, out] = args;
  if (!input || !out) {
    process.stderr.write('Usage: npx tsx scripts/screenshot.ts <card.json|-> <out.png> [--width 480] [--scale 2]\n       npx tsx scripts/screenshot.ts --playground <out.png> [--say help] [--expect <regexp>]\n');
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
