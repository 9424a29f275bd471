/**
 * Reads a CPU profile the bench had the bot write (`BENCH_CPU_PROF=<folder> npm run bench`, Node's
 * own `--cpu-prof`) and says where the time went during the measured turns only: the window the
 * latency run kept beside the profile (`window.json`, on the same monotonic clock V8 stamps
 * samples with). Prints busy, idle and garbage-collection time, the functions with the most self
 * time, and the inclusive time of the functions that matter to a turn, per measured bid.
 *
 *   npx tsx bench/profile.ts /tmp/prof/lowdb-empty [--top 40] [--fn commit,render,…] [--json]
 *   npx tsx bench/profile.ts /tmp/prof/lowdb-empty --callers parseRow [--depth 8]   (who spends that self time)
 *   npx tsx bench/profile.ts /tmp/prof/lowdb-empty --within providerCard [--depth 3] (what runs under a function)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Functions on a bid turn's path worth naming (inclusive time), in the order they run. */
export const TURN_FUNCTIONS = [
  'process', // TeamsAdapter.process: the HTTP request through the adapter
  'run', // Application.run
  'answer', // bot/app.ts: route, guard, action
  'identify',
  'loadUser',
  'submitBid',
  'runTransaction',
  'loadForProvider',
  'checkBid',
  'refreshProviderCard',
  'ownCallOffOf',
  'commit',
  'writeDirty',
  'writePartition',
  'writeFileDurable',
  'syncDirs',
  'deriveIndexes',
  'ownCard',
  'providerCard',
  'render',
  'expand',
  'replyPrivately',
  'drain',
  'attempt',
  'sendClaimed',
  'renderMessage',
  'deliver',
  'settle',
  'structuredClone',
  'stringify',
  'parse',
];

export interface ProfileSummary {
  window_ms: number;
  busy_ms: number;
  idle_ms: number;
  gc_ms: number;
  per_bid_busy_ms: number | null;
  self: { fn: string; ms: number; pct: number }[];
  inclusive: { fn: string; ms: number; per_bid_ms: number | null }[];
  by_package: { pkg: string; ms: number; pct: number }[];
}

const short = (f: CallFrame) => {
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/)/, '$1').replace(/^.*\/(src|bot|bench|index\.ts)/, '$1');
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
};

const packageOf = (url: string) => {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return 'node internals';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const own = /\/(src\/[^/]+|bot|bench|index\.ts)/.exec(url);
  return own ? own[1] : url;
};

export function summarise(profile: CpuProfile, window?: { from: number; to: number; bids?: number }, top = 30, extra: string[] = []): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  let idle = 0;
  let gc = 0;
  const from = window?.from ?? -Infinity;
  const to = window?.to ?? Infinity;
  const names = new Set([...TURN_FUNCTIONS, ...extra]);
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    // A sample's time is the gap to the next one (the last sample gets none).
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (t < from || t > to || dt <= 0) continue;
    const ms = dt / 1000;
    total += ms;
    const node = byId.get(profile.samples[i])!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idle += ms;
      continue;
    }
    if (name === '(garbage collector)') gc += ms;
    const key = short(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    const pkg = name.startsWith('(') ? name : packageOf(node.callFrame.url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
    // Inclusive: once per distinct named function on the stack.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const fn = byId.get(id)!.callFrame.functionName;
      if (names.has(fn) && !seen.has(fn)) {
        seen.add(fn);
        inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
      }
    }
  }
  const busy = total - idle;
  const bids = window?.bids;
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    window_ms: r(total),
    busy_ms: r(busy),
    idle_ms: r(idle),
    gc_ms: r(gc),
    per_bid_busy_ms: bids ? r(busy / bids) : null,
    self: [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, ms]) => ({ fn, ms: r(ms), pct: r((100 * ms) / busy) })),
    inclusive: [...names].filter((n) => inclusive.has(n)).map((fn) => ({ fn, ms: r(inclusive.get(fn)!), per_bid_ms: bids ? r(inclusive.get(fn)! / bids) : null })),
    by_package: [...packages].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([pkg, ms]) => ({ pkg, ms: r(ms), pct: r((100 * ms) / busy) })),
  };
}

/**
 * A run's folder (`<BENCH_CPU_PROF>/<label>`): the main thread's profile (thread id 0 in Node's
 * file name `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`) and the measured window.
 */
/** Where the time in functions named `name` (self time, or inclusive with `inclusive`) comes from: the `depth` frames above it, heaviest first. */
export function callers(profile: CpuProfile, window: { from: number; to: number } | undefined, name: string, depth = 8, top = 15, inclusive = false): { stack: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<string, number>();
  if (name === '(anonymous)') name = '';
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if ((window && (t < window.from || t > window.to)) || dt <= 0) continue;
    const stack: CallFrame[] = [];
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!.callFrame);
    // Self: the frames above the function (its callers). Inclusive: the frames below it, down to what ran.
    let at = -1;
    if (!inclusive) at = stack[0].functionName === name ? 0 : -1;
    else for (let k = stack.length - 1; k >= 0 && at < 0; k--) if (stack[k].functionName === name) at = k;
    if (at < 0) continue;
    const frames = (inclusive ? stack.slice(Math.max(0, at - depth + 1), at + 1).reverse() : stack.slice(0, depth)).map(short);
    const key = frames.join(inclusive ? ' > ' : ' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + dt / 1000);
  }
  return [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top).map(([stack, ms]) => ({ stack, ms: Math.round(ms * 10) / 10 }));
}

export function readProfile(folder: string): { profile: CpuProfile; window?: { from: number; to: number; bids?: number } } {
  const main = readdirSync(folder).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!main) throw new Error(`no main-thread profile in ${folder}`);
  const profile = JSON.parse(readFileSync(join(folder, main), 'utf8')) as CpuProfile;
  const windowPath = join(folder, 'window.json');
  const window = existsSync(windowPath) ? (JSON.parse(readFileSync(windowPath, 'utf8')) as { from: number; to: number; bids?: number }) : undefined;
  return { profile, window };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const top = Number(opt('top') ?? 30);
  const fns = (opt('fn') ?? '').split(',').filter(Boolean);
  const json = args.includes('--json');
  const callersOf = opt('callers');
  const within = opt('within');
  const depth = Number(opt('depth') ?? 8);
  for (const path of args.filter((a) => !a.startsWith('--'))) {
    const { profile, window } = readProfile(path);
    if (callersOf || within) {
      for (const c of callers(profile, window, (callersOf ?? within)!, depth, top, !!within)) process.stdout.write(`${String(c.ms).padStart(9)} ms  ${c.stack}\n`);
      continue;
    }
    const s = summarise(profile, window, top, fns);
    if (json) {
      process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      continue;
    }
    process.stdout.write(`\n${path}${window ? '' : ' (no window file: the whole profile)'}\n`);
    process.stdout.write(`window ${s.window_ms} ms; busy ${s.busy_ms} ms (${s.per_bid_busy_ms ?? '?'} ms per bid, echo included); idle ${s.idle_ms} ms; GC ${s.gc_ms} ms (${Math.round((100 * s.gc_ms) / s.busy_ms)}% of busy)\n`);
    process.stdout.write('\ninclusive (per bid):\n');
    for (const x of s.inclusive) process.stdout.write(`  ${x.fn.padEnd(22)} ${String(x.ms).padStart(9)} ms  ${x.per_bid_ms ?? ''}\n`);
    process.stdout.write('\nby package (self time):\n');
    for (const x of s.by_package) process.stdout.write(`  ${x.pkg.padEnd(40)} ${String(x.ms).padStart(9)} ms  ${x.pct}%\n`);
    process.stdout.write('\nself time:\n');
    for (const x of s.self) process.stdout.write(`  ${String(x.ms).padStart(9)} ms ${String(x.pct).padStart(6)}%  ${x.fn}\n`);
  }
}
