import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ACData from 'adaptivecards-templating';

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

export class CardTooLargeError extends Error {}

/** Fills a card template from its view model and checks it stays within Teams' budget. */
export function render(name: string, viewModel: object): CardJson {
  const card = template(name).expand({ $root: viewModel }) as CardJson;
  const bytes = Buffer.byteLength(JSON.stringify(card));
  if (bytes > CARD_BUDGET_BYTES) throw new CardTooLargeError(`card "${name}" is ${bytes} bytes, over the ${CARD_BUDGET_BYTES}-byte budget`);
  return card;
}
