/**
 * The bench's bot as production runs it: `npm run build`'s compiled JavaScript (scripts/build.ts),
 * plus bench/child.ts compiled beside it, so `BENCH_BUILT=<folder>` starts `node
 * --enable-source-maps <folder>/bench/child.js` (bench/bot.ts) instead of TypeScript through tsx,
 * whose loader keeps every module's source and map in memory: the RSS figures are the deployed bot's.
 */
import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from '../scripts/build.js';

const ROOT = resolve(import.meta.dirname, '..');

export async function buildBenchBot(outDir: string): Promise<string> {
  const out = resolve(outDir);
  await build(out, { check: false });
  const config = join(out, 'tsconfig.bench.json');
  await writeFile(config, JSON.stringify({ extends: join(ROOT, 'tsconfig.build.json'), compilerOptions: { outDir: out, rootDir: ROOT, noCheck: true, typeRoots: [join(ROOT, 'node_modules', '@types')] }, include: [join(ROOT, 'bench', 'child.ts')] }));
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', config], { cwd: ROOT, stdio: 'inherit' });
  // The packages, found from the folder as a deployment's are (the build folder is in the bench's temp folder).
  await symlink(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  return out;
}
