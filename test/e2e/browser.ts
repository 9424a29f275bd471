/**
 * Renders Adaptive Card JSON to PNG in headless Chromium with the real `adaptivecards` SDK (the
 * renderer Teams and the Agents Playground use), with a Teams-like host config and markdown. Also
 * reports what the SDK finds wrong with a card (unknown elements, missing or duplicate input ids).
 *
 *   const r = await CardRenderer.launch();
 *   const { png, warnings } = await r.render(card, { out: '/tmp/help.png' });
 *   await r.close();
 *
 * The browser comes from npm: `@sparticuz/chromium` ships a Linux x64 Chromium inside the package,
 * so `npm test` passes on a fresh machine with nothing installed by hand. CHROMIUM_PATH picks another
 * binary (e.g. /usr/bin/chromium, or a Chromium on macOS, where the npm one does not run). Every
 * request to a host other than localhost is aborted (web fonts and the like), so nothing leaves the
 * machine.
 */
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The packaged Chromium's own flags, less two that suit one page per Lambda but not a test that opens
 * several contexts in one browser (with them, a second context can take the whole browser down).
 */
const PACKAGED_ARGS = () => sparticuz.args.filter((a) => a !== '--single-process' && a !== '--no-zygote');

/** Which Chromium and with which flags: CHROMIUM_PATH when set, else the one inside the npm package. */
export async function chromiumExecutable(): Promise<{ executablePath: string; args: string[] }> {
  const own = process.env.CHROMIUM_PATH;
  if (own) return { executablePath: own, args: CHROMIUM_ARGS };
  // Extracts the browser to /tmp on first use (about 1.5 s); later calls reuse it.
  return { executablePath: await sparticuz.executablePath(), args: [...new Set([...PACKAGED_ARGS(), ...CHROMIUM_ARGS])] };
}

const isLocal = (url: string) => {
  if (url.startsWith('data:') || url.startsWith('about:') || url.startsWith('blob:')) return true;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
};

/** Headless Chromium (a fresh temporary profile each launch). Pages from newLocalPage reach only localhost. */
export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = await chromiumExecutable();
  return chromium.launch({ executablePath, headless: true, args });
}

/** A page in a new context whose requests to any host but localhost are aborted. */
export async function newLocalPage(browser: Browser, options: { width?: number; height?: number; scale?: number } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, deviceScaleFactor: options.scale ?? 1 });
  await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort()));
  return context.newPage();
}

/** Teams' light theme, approximately: Segoe-like fonts, Teams colours and spacing. */
export const TEAMS_HOST_CONFIG = {
  fontFamily: '"Segoe UI", "Helvetica Neue", Arial, sans-serif',
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#E1DFDD' },
  fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 },
  fontWeights: { lighter: 300, default: 400, bolder: 600 },
  fontTypes: {
    default: { fontFamily: '"Segoe UI", "Helvetica Neue", Arial, sans-serif', fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
    monospace: { fontFamily: 'Consolas, "Courier New", monospace', fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
  },
  containerStyles: {
    default: {
      backgroundColor: '#FFFFFF',
      foregroundColors: {
        default: { default: '#242424', subtle: '#616161' },
        dark: { default: '#242424', subtle: '#616161' },
        light: { default: '#FFFFFF', subtle: '#F5F5F5' },
        accent: { default: '#5B5FC7', subtle: '#4F52B2' },
        good: { default: '#237B4B', subtle: '#237B4B' },
        warning: { default: '#835C00', subtle: '#835C00' },
        attention: { default: '#C4314B', subtle: '#C4314B' },
      },
    },
    emphasis: {
      backgroundColor: '#F5F5F5',
      foregroundColors: {
        default: { default: '#242424', subtle: '#616161' },
        accent: { default: '#5B5FC7', subtle: '#4F52B2' },
        good: { default: '#237B4B', subtle: '#237B4B' },
        warning: { default: '#835C00', subtle: '#835C00' },
        attention: { default: '#C4314B', subtle: '#C4314B' },
      },
    },
  },
  actions: { maxActions: 6, spacing: 'default', buttonSpacing: 8, showCard: { actionMode: 'inline', inlineTopMargin: 16 }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
  adaptiveCard: { allowCustomStyle: true },
  inputs: { label: { requiredInputs: { weight: 'bolder', suffix: ' *', suffixColor: 'attention' }, optionalInputs: { weight: 'bolder' } }, errorMessage: { size: 'small', color: 'attention' } },
  factSet: { title: { color: 'default', size: 'default', isSubtle: false, weight: 'bolder', wrap: true, maxWidth: 150 }, value: { color: 'default', size: 'default', isSubtle: false, weight: 'default', wrap: true }, spacing: 12 },
  textBlock: { headingLevel: 2 },
};

const PAGE_CSS = `
  body { margin: 0; padding: 16px; background: #F5F5F5; font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
  #host { width: var(--card-width); background: #FFFFFF; border-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.14), 0 0 2px rgba(0,0,0,.12); overflow: hidden; }
  .ac-pushButton { font: 600 14px "Segoe UI", Arial, sans-serif; color: #242424; background: #FFFFFF; border: 1px solid #D1D1D1; border-radius: 4px; padding: 5px 12px; min-height: 32px; cursor: pointer; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .ac-pushButton.style-positive { background: #5B5FC7; border-color: #5B5FC7; color: #FFFFFF; }
  .ac-pushButton.style-destructive { color: #C4314B; border-color: #C4314B; }
  .ac-input, .ac-textInput, .ac-numberInput, .ac-dateInput, .ac-timeInput, .ac-multichoiceInput select { font: 14px "Segoe UI", Arial, sans-serif; color: #242424; }
  .ac-textInput, .ac-numberInput, .ac-dateInput, .ac-timeInput, select.ac-input { box-sizing: border-box; width: 100%; min-height: 32px; padding: 4px 8px; border: 1px solid #D1D1D1; border-bottom-color: #616161; border-radius: 4px; background: #FFFFFF; }
  .ac-textInput.ac-multiline { min-height: 64px; resize: vertical; }
  .ac-input.ac-input-validation-failed, .ac-input-validation-failed .ac-textInput { border-color: #C4314B; }
  .ac-choiceSetInput-expanded label, .ac-toggleInput label { font-size: 14px; color: #242424; }
  code { font-family: Consolas, "Courier New", monospace; background: #F0F0F0; padding: 0 3px; border-radius: 3px; }
  p { margin: 0; }
`;

const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><style>${PAGE_CSS}</style></head><body><div id="host"></div></body></html>`;

export interface RenderOptions {
  /** Card width in CSS pixels (Teams shows chat cards at roughly 400–550). */
  width?: number;
  /** Device scale factor of the PNG. */
  scale?: number;
  /** Also write the PNG here. */
  out?: string;
}

export interface RenderResult {
  png: Buffer;
  /** What the SDK reported while parsing and validating the card (empty for a clean card). */
  warnings: string[];
  /** Rendered size in CSS pixels. */
  size: { width: number; height: number };
}

/** One browser, many cards. */
export class CardRenderer {
  private readonly pages = new Map<number, Page>();

  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<CardRenderer> {
    return new CardRenderer(await launchChromium());
  }

  private async page(scale: number): Promise<Page> {
    let page = this.pages.get(scale);
    if (!page) {
      page = await newLocalPage(this.browser, { scale });
      await page.setContent(PAGE_HTML);
      const require = createRequire(import.meta.url);
      await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
      await page.addScriptTag({ path: fileURLToPath(new URL('./renderCard.page.js', import.meta.url)) });
      this.pages.set(scale, page);
    }
    return page;
  }

  async render(card: object, options: RenderOptions = {}): Promise<RenderResult> {
    const page = await this.page(options.scale ?? 1);
    const width = options.width ?? 480;
    // A string, not a function: tsx would add __name() helpers that do not exist in the page.
    const warnings = (await page.evaluate(`window.renderCard(${JSON.stringify({ card, hostConfig: TEAMS_HOST_CONFIG, width })})`)) as string[];
    const element = page.locator('#host');
    const box = (await element.boundingBox()) ?? { width, height: 0 };
    const png = await element.screenshot({ type: 'png', animations: 'disabled' });
    if (options.out) await writeFile(options.out, png);
    return { png, warnings, size: { width: Math.round(box.width), height: Math.round(box.height) } };
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

/** Renders one card and closes the browser. */
export async function renderCardToPng(card: object, options: RenderOptions = {}): Promise<RenderResult> {
  const r = await CardRenderer.launch();
  try {
    return await r.render(card, options);
  } finally {
    await r.close();
  }
}

/** A card from a file or pasted message: an AdaptiveCard, an attachment, or an activity with one. */
export function unwrapCard(json: unknown): object {
  const j = json as Record<string, unknown>;
  if (j?.type === 'AdaptiveCard') return j;
  if (j?.contentType === 'application/vnd.microsoft.card.adaptive') return j.content as object;
  if (Array.isArray(j?.attachments)) {
    const a = (j.attachments as Record<string, unknown>[]).find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive');
    if (a) return a.content as object;
  }
  if (j?.value && (j.value as Record<string, unknown>).type === 'AdaptiveCard') return j.value as object; // an invoke response
  throw new Error('no Adaptive Card found (expected an AdaptiveCard, an attachment, an activity with one, or an invoke response)');
}

/**
 * Opens the Agents Playground's own page (the emulated Teams client) at `playgroundUrl`, opens a
 * chat in the side bar, types `say` in the message box and sends it, waits for a card matching
 * `expect` (without it: one more card than before sending), and screenshots the page: proof of how
 * the card looks in the emulator itself.
 */
export async function screenshotPlayground(playgroundUrl: string, options: { out: string; chat?: RegExp; say?: string; expect?: RegExp; width?: number; height?: number }): Promise<Buffer> {
  const browser = await launchChromium();
  try {
    const page = await newLocalPage(browser, { width: options.width ?? 1280, height: options.height ?? 1000 });
    await page.goto(playgroundUrl, { waitUntil: 'domcontentloaded' });
    if (options.chat) await page.getByRole('treeitem', { name: options.chat }).first().click({ timeout: 15_000 });
    const box = page.locator('[contenteditable="true"]').first();
    await box.waitFor({ timeout: 15_000 });
    const cards = page.locator('.ac-adaptiveCard');
    const before = await cards.count();
    if (options.say) {
      await box.click();
      await page.keyboard.type(options.say);
      await page.keyboard.press('Enter');
    }
    if (options.expect) await cards.filter({ hasText: options.expect }).last().waitFor({ timeout: 15_000 });
    else await page.waitForFunction((n) => document.querySelectorAll('.ac-adaptiveCard').length > n, before, { timeout: 15_000 });
    const png = await page.screenshot({ type: 'png' });
    await writeFile(options.out, png);
    return png;
  } finally {
    await browser.close();
  }
}
