/**
 * `npm run package`: builds build/appPackage.zip, the file you upload to Teams (admin centre or
 * Developer Portal). It holds appPackage/manifest.json with the real ids put in, color.png and
 * outline.png, and is checked against the Teams manifest schema (v1.25) before it is written.
 *
 * The committed manifest carries the all-zero GUID as its app id and bot id, so it stays valid
 * against the schema (which requires GUIDs); they are replaced here from the environment:
 *
 *   MICROSOFT_APP_ID  the Azure Bot's app (client) id: becomes bots[0].botId (required)
 *   TEAMS_APP_ID      the Teams app id: becomes id (default: MICROSOFT_APP_ID)
 *   BOT_DOMAIN        the host name of the messaging endpoint: becomes validDomains (optional)
 *   READ_CHANNEL_MESSAGES=true  asks each team's owner, when the app is added, for the
 *                     resource-specific permission ChannelMessage.Read.Group (authorization and
 *                     webApplicationInfo), so the bot can find a card an instance that stopped had
 *                     already posted (docs/delivery.md, "After a crash"); set the same variable on the bot
 *
 * The manifest's version is taken from package.json. Runs with devDependencies installed (tsx,
 * jszip, ajv, ajv-formats): package on a development machine or in CI, not on the server.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import JSZip from 'jszip';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const APP_PACKAGE_DIR = join(ROOT, 'appPackage');
export const SCHEMA_PATH = join(ROOT, 'test/fixtures/teams-manifest/MicrosoftTeams.schema.json');
export const DEFAULT_OUT = join(ROOT, 'build/appPackage.zip');
export const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ICONS = { 'color.png': 192, 'outline.png': 32 } as const;
/** A fixed timestamp for every entry, so the same inputs give the same zip. */
const ZIP_DATE = new Date('2026-01-01T00:00:00Z');

export class PackageError extends Error {}

// ajv-formats is CommonJS with a default export; under nodenext its type is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

let validator: ((data: unknown) => string[]) | undefined;

/** Schema errors as readable lines ("/bots/0/botId must match pattern ..."); none means valid. */
export async function manifestErrors(manifest: unknown): Promise<string[]> {
  if (!validator) {
    const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    validator = (data) =>
      validate(data)
        ? []
        : (validate.errors ?? []).map((e) => {
            const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})` : '';
            return `${e.instancePath || '(root)'} ${e.message}${extra}`;
          });
  }
  return validator(manifest);
}

/** Width and height from a PNG's IHDR chunk; throws if the bytes are not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (png.length < 24 || !png.subarray(0, 8).equals(signature) || png.toString('ascii', 12, 16) !== 'IHDR') throw new PackageError('not a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export interface PackageOptions {
  /** The Azure Bot's app (client) id. */
  botId: string;
  /** The Teams app id (default: botId). */
  appId?: string;
  /** The messaging endpoint's host name, for validDomains. */
  domain?: string;
  /** Where to write the zip (default build/appPackage.zip). */
  outFile?: string;
  /** Where manifest.json and the icons are read from (default appPackage/). */
  sourceDir?: string;
  /** Ask for ChannelMessage.Read.Group (resource-specific consent) in each team the app is added to. */
  readChannelMessages?: boolean;
}

/** The bot reads its provider channels' recent messages (Graph) with the team owner's consent, given when the app is added. */
const READ_CHANNEL_MESSAGES = (botId: string) => ({
  webApplicationInfo: { id: botId, resource: `api://${botId}` },
  authorization: { permissions: { resourceSpecific: [{ name: 'ChannelMessage.Read.Group', type: 'Application' }] } },
});

/** Checks, fills in and zips the app package; resolves with the zip's path and the final manifest. */
export async function buildAppPackage(options: PackageOptions): Promise<{ path: string; manifest: Record<string, unknown> }> {
  const sourceDir = options.sourceDir ?? APP_PACKAGE_DIR;
  const outFile = resolve(options.outFile ?? DEFAULT_OUT);
  const problems: string[] = [];
  const appId = options.appId || options.botId;
  const ids: [string, string][] = [['MICROSOFT_APP_ID (bot id)', options.botId]];
  if (options.appId) ids.push(['TEAMS_APP_ID (app id)', options.appId]);
  for (const [name, value] of ids) {
    if (!value) problems.push(`${name} is not set`);
    else if (!GUID.test(value)) problems.push(`${name} must be a GUID, got "${value}"`);
    else if (value === PLACEHOLDER_ID) problems.push(`${name} is the placeholder ${PLACEHOLDER_ID}; use the real id`);
  }
  if (options.domain !== undefined && !/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(options.domain)) {
    problems.push(`BOT_DOMAIN must be a host name such as bot.example.gov.uk (no https://, no path), got "${options.domain}"`);
  }
  if (problems.length) throw new PackageError(`Cannot build the app package:\n${problems.map((p) => `  ${p}`).join('\n')}`);

  const manifestPath = join(sourceDir, 'manifest.json');
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    throw new PackageError(`${manifestPath} cannot be read as JSON: ${(e as Error).message}`);
  }
  const committedErrors = await manifestErrors(manifest);
  if (committedErrors.length) {
    throw new PackageError(`${manifestPath} does not match the Teams manifest schema v1.25:\n${committedErrors.map((e) => `  ${e}`).join('\n')}`);
  }

  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const bots = (manifest.bots as Record<string, unknown>[] | undefined) ?? [];
  if (bots.length !== 1) throw new PackageError(`${manifestPath} must declare exactly one bot, found ${bots.length}`);
  const filled: Record<string, unknown> = {
    ...manifest,
    version: pkg.version,
    id: appId.toLowerCase(),
    bots: [{ ...bots[0], botId: options.botId.toLowerCase() }],
    ...(options.domain ? { validDomains: [options.domain.toLowerCase()] } : {}),
    ...(options.readChannelMessages ? READ_CHANNEL_MESSAGES(options.botId.toLowerCase()) : {}),
  };
  const filledErrors = await manifestErrors(filled);
  if (filledErrors.length) throw new PackageError(`The manifest with the ids filled in does not match the schema:\n${filledErrors.map((e) => `  ${e}`).join('\n')}`);
  const leftover = JSON.stringify(filled).match(/\$\{\{[^}]*\}\}|00000000-0000-0000-0000-000000000000/);
  if (leftover) throw new PackageError(`The manifest still holds a placeholder after filling in: ${leftover[0]}`);

  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(filled, null, 2) + '\n', { date: ZIP_DATE });
  const icons = manifest.icons as { color: string; outline: string };
  for (const [file, size] of Object.entries(ICONS)) {
    if (icons.color !== file && icons.outline !== file) throw new PackageError(`manifest icons must name ${file} (found ${JSON.stringify(icons)})`);
    let png: Buffer;
    try {
      png = await readFile(join(sourceDir, file));
    } catch {
      throw new PackageError(`${join(sourceDir, file)} is missing; run \`npx tsx scripts/icons.ts\` to draw the icons`);
    }
    let actual: { width: number; height: number };
    try {
      actual = pngSize(png);
    } catch {
      throw new PackageError(`${join(sourceDir, file)} is not a PNG file`);
    }
    if (actual.width !== size || actual.height !== size) throw new PackageError(`${join(sourceDir, file)} must be ${size}×${size} pixels, it is ${actual.width}×${actual.height}`);
    zip.file(file, png, { date: ZIP_DATE });
  }
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, bytes);
  return { path: outFile, manifest: filled };
}

async function main() {
  const env = process.env;
  try {
    const { path, manifest } = await buildAppPackage({
      botId: env.MICROSOFT_APP_ID ?? '',
      appId: env.TEAMS_APP_ID || undefined,
      domain: env.BOT_DOMAIN || undefined,
      readChannelMessages: env.READ_CHANNEL_MESSAGES === 'true',
    });
    const bot = (manifest.bots as { botId: string }[])[0];
    process.stdout.write(
      `Wrote ${path}\n  app id ${manifest.id}, bot id ${bot.botId}, version ${manifest.version}${manifest.authorization ? ', asks team owners for ChannelMessage.Read.Group' : ''}\n` +
        `Upload it in the Teams admin centre (Teams apps > Manage apps > Upload) or the Developer Portal (Apps > Import app).\n`,
    );
  } catch (e) {
    if (e instanceof PackageError) {
      process.stderr.write(`${e.message}\n\nUsage: MICROSOFT_APP_ID=<bot app id> [TEAMS_APP_ID=<teams app id>] [BOT_DOMAIN=<host>] [READ_CHANNEL_MESSAGES=true] npm run package\n`);
      process.exit(1);
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
