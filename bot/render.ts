import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ACData from 'adaptivecards-templating';
import { timed } from '../src/telemetry/phases.js';

export const CARDS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'cards');

/** Teams' webhook limit; bot messages may be larger, but a card near this is too big to read anyway. */
export const CARD_BUDGET_BYTES = 28 * 1024;

export type CardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

/**
 * Prepared templates by name. Preparing parses every `${…}` expression (an ANTLR parse each), which
 * cost more than the rest of a bid turn together; a prepared template is bound to new data on
 * each expand (synchronous, so renders never interleave).
 */
const templates = new Map<string, ACData.Template>();

function template(name: string): ACData.Template {
  let t = templates.get(name);
  if (!t) {
    t = new ACData.Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')) as object);
    templates.set(name, t);
  }
  return t;
}

export function templateNames(): string[] {
  return readdirSync(CARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));
}

export class CardTooLargeError extends Error {
  constructor(
    readonly card: string,
    readonly bytes: number,
  ) {
    super(`card "${card}" is ${bytes} bytes, over the ${CARD_BUDGET_BYTES}-byte budget`);
  }

  /** What the person is told instead of a generic error: what happened, that nothing is lost, what to do. */
  get advice(): string {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    return `That answer is too long to show as one Teams card (${kb(this.bytes)}; the limit is ${kb(CARD_BUDGET_BYTES)}), so I have not sent it. Anything you saved is kept. Ask for less at a time (a shorter period, one lot, a search), and tell the Brokerage Team so they can have it shortened.`;
  }
}

/** Fills a card template from its view model and checks it stays within Teams' budget. */
export function render(name: string, viewModel: object): CardJson {
  return timed('render', () => {
    const card = template(name).expand({ $root: viewModel }) as CardJson;
    const bytes = Buffer.byteLength(JSON.stringify(card));
    if (bytes > CARD_BUDGET_BYTES) throw new CardTooLargeError(name, bytes);
    return card;
  });
}
