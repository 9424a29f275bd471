/**
 * The production build as a council runs it: `npm run build`, then `npm ci --omit=dev` of the
 * built app in a folder of its own (no TypeScript, no tsx), and bot processes started from it with
 * plain `node dist/index.js`, known to be up when GET /readyz answers 200. The rehearsals and the
 * production-build test use it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from '../build.js';
import { freePort } from '../../bench/bot.js';
import type { BuildInfo } from '../../src/buildInfo.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PreparedApp {
  /** The installed app: package.json, package-lock.json, dist/ and a production node_modules. */
  dir: string;
  info: BuildInfo;
  buildMs: number;
  installMs: number;
}

/**
 * Builds and installs the app into a temporary folder. The install is `npm ci --omit=dev` from the
 * npm cache where it can (`--prefer-offline`): nothing is fetched but what the lock file names,
 * from the registry. `check: false` skips the build's type check (the tests run after it).
 */
export async function prepareApp(options: { check?: boolean } = {}): Promise<PreparedApp> {
  const dir = await mkdtemp(join(tmpdir(), 'brokerage-app-'));
  const t0 = Date.now();
  const info = await build(join(dir, 'dist'), { check: options.check });
  const buildMs = Date.now() - t0;
  for (const f of ['package.json', 'package-lock.json']) await cp(join(ROOT, f), join(dir, f));
  const t1 = Date.now();
  // Not the test run's npm settings (npm test sets npm_config_* for its scripts): a plain production install.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  await promisify(execFile)('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
  return { dir, info, buildMs, installMs: Date.now() - t1 };
}

export async function removeApp(app: PreparedApp): Promise<void> {
  await rm(app.dir, { recursive: true, force: true });
}

export interface AppProcess {
  name: string;
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** Its log lines (JSON, one a line), for figures and for a failing check to show. */
  logs: string[];
  /** Sends `signal` (default SIGTERM) and resolves when the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts `node dist/index.js` from an installed app folder (its own, or a copy of it) with the
 * environment given (DATA_DIR or DATABASE_URL, …) on a free port of 127.0.0.1; resolves once
 * GET /readyz answers 200.
 */
export async function startApp(appDir: string, env: Record<string, string>, options: { name?: string; readyWithinMs?: number } = {}): Promise<AppProcess> {
  const port = await freePort();
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|NODE_OPTIONS$|OTEL_|APPLICATIONINSIGHTS_)/i.test(k)));
  const child = spawn(process.execPath, ['--enable-source-maps', join(appDir, 'dist', 'index.js')], {
    cwd: appDir,
    env: { ...base, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', MICROSOFT_APP_ID: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line) logs.push(line);
    if (logs.length > 5000) logs.splice(0, logs.length - 4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((r) => child.on('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + (options.readyWithinMs ?? 60_000);
  let ended: number | string | undefined;
  void exited.then((c) => (ended = c));
  for (;;) {
    if (ended !== undefined) throw new Error(`${options.name ?? 'the bot'} exited (${ended}) before it was ready:\n${logs.slice(-20).join('\n')}`);
    const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`${options.name ?? 'the bot'} was not ready in time (last /readyz: ${status}):\n${logs.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: options.name ?? 'bot',
    child,
    url,
    exited,
    logs,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The log lines with this `msg`, parsed. */
export function logged(app: Pick<AppProcess, 'logs'>, msg: string): Record<string, unknown>[] {
  return app.logs.filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);
}
