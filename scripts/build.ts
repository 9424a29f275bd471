/**
 * `npm run build`: the production build. Compiles the bot (index.ts, bot/, src/) and the scripts an
 * operator runs in production (migrate, import, copy-to-postgres) to JavaScript in `dist/`, and
 * copies beside it what they read at run time: the card templates (`dist/cards`, found from
 * `dist/bot/render.js` as `cards/` is from `bot/render.ts`) and the PostgreSQL migrations (next to
 * `dist/src/store/postgres/migrate.js`). The charts' font comes from the `dejavu-fonts-ttf`
 * dependency. `dist/build.json` names the version and commit, which the bot reports (`ops`).
 *
 * `npm start` then runs `node dist/index.js`; a production install needs only the dependencies
 * (`npm ci --omit=dev`): TypeScript and tsx are dev dependencies.
 *
 * Options: `--out-dir <dir>` (default dist); `--no-check` emits without type-checking again, for
 * a test that runs after `npm run typecheck` has checked the same sources.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildInfo } from '../src/buildInfo.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');


function commitOf(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** Builds into `outDir` (emptied first) and returns what it wrote into build.json. */
export async function build(outDir = join(ROOT, 'dist'), options: { check?: boolean } = {}): Promise<Required<BuildInfo>> {
  const out = resolve(outDir);
  await rm(out, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out, ...(options.check === false ? ['--noCheck'] : [])], { cwd: ROOT, stdio: 'inherit' });
  await cp(join(ROOT, 'cards'), join(out, 'cards'), { recursive: true });
  const migrations = join(out, 'src', 'store', 'postgres', 'migrations');
  await mkdir(migrations, { recursive: true });
  await cp(join(ROOT, 'src', 'store', 'postgres', 'migrations'), migrations, { recursive: true });
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const info: Required<BuildInfo> = { version, commit: commitOf(ROOT), builtAt: new Date().toISOString() };
  await writeFile(join(out, 'build.json'), JSON.stringify(info, null, 2) + '\n');
  return info;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out-dir');
  const info = await build(at >= 0 ? args[at + 1] : undefined, { check: !args.includes('--no-check') });
  process.stdout.write(`Built ${info.version} (${info.commit}) into ${at >= 0 ? args[at + 1] : 'dist'}. Start it with \`npm start\` (node dist/index.js).\n`);
}
