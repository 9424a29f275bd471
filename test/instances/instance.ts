/**
 * Starts a bot process as bench/bot.ts's startBot does, but on test/instances/child.ts (short
 * leases), and keeps its log lines for a failing test to show. Stop it with bench's stopBot.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, type BotProcess } from '../../bench/bot.js';

export async function startInstance(dataDir: string, env: Record<string, string>, log: (line: string) => void): Promise<BotProcess> {
  const t0 = performance.now();
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'child.ts')], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', MICROSOFT_APP_ID: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let tail = '';
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    tail = (tail + text).slice(-5000);
    for (const line of text.split('\n')) if (line) log(line);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`bot exited (${code}) before it was ready:\n${tail}`)));
  });
  return { child, url, startMs: performance.now() - t0, exited };
}
