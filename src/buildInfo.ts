import { readFileSync } from 'node:fs';

/**
 * The build this process runs, as `npm run build` wrote it into dist/build.json (scripts/build.ts);
 * run from the sources (tsx), the package's version and "source". Shown per instance in `ops`.
 */
export interface BuildInfo {
  version: string;
  commit: string;
  builtAt?: string;
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Record<string, string>;
  try {
    const b = read('../build.json');
    cached = { version: b.version, commit: b.commit, builtAt: b.builtAt };
  } catch {
    let version = 'unknown';
    try {
      version = read('../package.json').version;
    } catch {
      /* neither a build nor the repository */
    }
    cached = { version, commit: 'source' };
  }
  return cached;
}

export const buildName = (b: BuildInfo = buildInfo()) => `${b.version} (${b.commit})`;
