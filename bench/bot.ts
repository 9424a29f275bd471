/** Starting the bot in a child process, and talking to it as Teams would (activities over HTTP). */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { channelOf, personalChat, providerUser, TENANT } from './generate.js';

export interface BotProcess {
  child: ChildProcess;
  url: string;
  startMs: number;
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * `onLog` hears each line the bot logs (tests keep them to show when they fail). With
 * BENCH_CPU_PROF=<folder> the bot runs under Node's own CPU profiler (`--cpu-prof`), writing
 * its profiles into `<folder>/<label>/` when it stops (see bench/profile.ts).
 */
export async function startBot(dataDir: string, extraEnv: Record<string, string> = {}, onLog?: (line: string) => void, label?: string): Promise<BotProcess> {
  const t0 = performance.now();
  const port = await freePort();
  const prof = process.env.BENCH_CPU_PROF;
  // A folder per run: the tsx loader's thread writes a profile of its own beside the main thread's.
  const profile = prof && label ? ['--cpu-prof', `--cpu-prof-dir=${join(prof, label)}`, '--cpu-prof-interval=250'] : [];
  // BENCH_NODE_ARGS: V8/Node flags for the bot (a look at memory settings), split on spaces.
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // BENCH_BUILT=<folder>: the bot as production runs it (`npm start`: compiled JavaScript, source maps on), built by buildBenchBot.
  const built = process.env.BENCH_BUILT;
  const entry = built ? ['--enable-source-maps', join(built, 'bench', 'child.js')] : ['--import', 'tsx', join(import.meta.dirname, 'child.ts')];
  const child = spawn(process.execPath, [...profile, ...extra, ...entry], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', MICROSOFT_APP_ID: '', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let errText = '';
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    errText += text;
    if (errText.length > 20_000) errText = errText.slice(-10_000);
    if (onLog) for (const line of text.split('\n')) if (line) onLog(line);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`bot exited (${code}) before it was ready:\n${errText.slice(-3000)}`)));
  });
  return { child, url, startMs: performance.now() - t0, exited };
}

export async function stopBot(bot: BotProcess): Promise<void> {
  if (bot.child.exitCode !== null) return;
  bot.child.kill('SIGTERM');
  await bot.exited;
}

/** Resident memory of a process, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** CPU ticks (user + system) a process has used, from /proc. */
export function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Waits until the process has been (nearly) idle for `quietMs`: start-up work done. */
export async function settle(pid: number, quietMs = 1000, maxMs = 120_000): Promise<void> {
  const until = Date.now() + maxMs;
  let last = cpuTicks(pid);
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = cpuTicks(pid);
    if (now - last <= 2) return; // ≤ 20 ms of CPU in the window
    last = now;
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Reply {
  status: number;
  body: string;
  ms: number;
}

export function post(url: string, body: unknown, timeoutMs = 30_000): Promise<Reply> {
  const data = Buffer.from(JSON.stringify(body));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/messages`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(data);
  });
}

let seq = 0;

/** An Action.Execute invoke from provider i's user in its channel, as Teams sends it. */
export function invoke(serviceUrl: string, provider: number, verb: string, data: Record<string, unknown>): Record<string, unknown> {
  const aad = providerUser(provider);
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `bench-${++seq}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: `29:${aad}`, aadObjectId: aad, name: `Staff ${provider}` },
    conversation: { id: channelOf(provider), conversationType: 'channel', isGroup: true, tenantId: TENANT },
    recipient: { id: '28:bot', name: 'Brokerage Bot' },
    channelData: { tenant: { id: TENANT }, channel: { id: channelOf(provider) } },
    replyToId: `card-${seq}`,
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

/** A message from a council user in their 1:1 chat with the bot. */
export function message(serviceUrl: string, aad: string, text: string): Record<string, unknown> {
  return {
    type: 'message',
    id: `bench-${++seq}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: `29:${aad}`, aadObjectId: aad, name: 'Alex Morgan' },
    conversation: { id: personalChat(aad), conversationType: 'personal', tenantId: TENANT },
    recipient: { id: '28:bot', name: 'Brokerage Bot' },
    channelData: { tenant: { id: TENANT } },
    text,
  };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
