/**
 * The bid turn split into phases: the bot records each turn's clock (src/telemetry/phases.ts,
 * switched on by BENCH_PHASES_FILE in bench/child.ts) and writes it when it stops; here each
 * measured request is matched with its record by activity id. `http` is what the bench saw minus
 * what the bot's handler took: the socket, HTTP parsing and restify's body parser, both sides.
 * Means add up to the mean turn; percentiles of phases do not add up, so both are given.
 */
import { readFile } from 'node:fs/promises';
import { PHASES, type Phase, type TurnPhases } from '../src/telemetry/phases.js';
import { percentile } from './bot.js';

export interface Sample {
  id: string;
  ms: number;
}

export interface Stat {
  mean: number;
  p50: number;
  p99: number;
}

export interface PhaseFigures {
  turns: number;
  total: Stat;
  /** Phase → figures; `http` first, then the bot's phases in the order PHASES lists them. */
  phases: Record<string, Stat>;
  /** Mean per turn: round trips to PostgreSQL, transaction attempts. */
  counts: Record<string, number>;
  /**
   * Garbage-collection pauses inside the turns: the share of turns that had one, the pauses'
   * milliseconds per turn, and the turn's own time less them (what the turn would take without).
   */
  gc: { share: number; ms: Stat; total_less_gc: Stat };
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const stat = (xs: number[]): Stat => ({ mean: r2(xs.reduce((a, b) => a + b, 0) / (xs.length || 1)), p50: r2(percentile(xs, 50)), p99: r2(percentile(xs, 99)) });

export async function readPhases(file: string): Promise<TurnPhases[]> {
  return JSON.parse(await readFile(file, 'utf8').catch(() => '[]')) as TurnPhases[];
}

/** The figures of the measured turns `sent` (by activity id), or undefined when none was recorded. */
export function phaseFigures(records: TurnPhases[], sent: Sample[]): PhaseFigures | undefined {
  const byId = new Map(records.map((r) => [r.id, r]));
  const matched = sent.flatMap((s) => (byId.has(s.id) ? [{ s, r: byId.get(s.id)! }] : []));
  if (!matched.length) return undefined;
  const phases: Record<string, Stat> = { http: stat(matched.map(({ s, r }) => Math.max(0, s.ms - r.totalMs))) };
  for (const name of Object.keys(PHASES) as Phase[]) {
    if (!matched.some(({ r }) => r.phases[name])) continue;
    phases[name] = stat(matched.map(({ r }) => r.phases[name] ?? 0));
  }
  const counts: Record<string, number> = {};
  for (const { r } of matched) for (const [k, n] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + n;
  for (const k of Object.keys(counts)) counts[k] = r2(counts[k] / matched.length);
  const gc = {
    share: r2(matched.filter(({ r }) => r.gcPauses).length / matched.length),
    ms: stat(matched.map(({ r }) => r.gcMs ?? 0)),
    total_less_gc: stat(matched.map(({ s, r }) => s.ms - (r.gcMs ?? 0))),
  };
  return { turns: matched.length, total: stat(matched.map(({ s }) => s.ms)), phases, counts, gc };
}

/**
 * Work the measured turns set going and did not wait for (the outbox's card refresh a bid queues),
 * per measured bid: how many pieces, their time (wall clock, each on its own clock) and phases.
 */
export function backgroundFigures(records: TurnPhases[], bids: number): { pieces_per_bid: number; ms_per_bid: number; phases_ms_per_bid: Record<string, number>; kinds: Record<string, number> } | undefined {
  const work = records.filter((r) => r.what.startsWith('outbox'));
  if (!work.length || !bids) return undefined;
  const phases: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  for (const w of work) {
    kinds[w.what] = (kinds[w.what] ?? 0) + 1;
    for (const [k, ms] of Object.entries(w.phases)) phases[k] = (phases[k] ?? 0) + ms;
  }
  return {
    pieces_per_bid: r2(work.length / bids),
    ms_per_bid: r2(work.reduce((a, w) => a + w.totalMs, 0) / bids),
    phases_ms_per_bid: Object.fromEntries(Object.entries(phases).map(([k, ms]) => [k, r2(ms / bids)])),
    kinds,
  };
}

/** A table: one row per phase, the bid's mean, p50 and p99 beside the echo's mean. */
export function phaseTable(bid: PhaseFigures, echo?: PhaseFigures): string {
  const rows = [['phase', 'bid mean', 'bid p50', 'bid p99', 'echo mean']];
  for (const [name, s] of Object.entries(bid.phases)) rows.push([name, s.mean.toFixed(2), s.p50.toFixed(2), s.p99.toFixed(2), echo?.phases[name]?.mean.toFixed(2) ?? '']);
  rows.push(['total', bid.total.mean.toFixed(2), bid.total.p50.toFixed(2), bid.total.p99.toFixed(2), echo?.total.mean.toFixed(2) ?? '']);
  const counts = Object.entries(bid.counts).map(([k, n]) => `${k} ${n}`).join(', ');
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const gc = (f: PhaseFigures) => `${Math.round(f.gc.share * 100)}% of turns, p99 ${f.gc.ms.p99.toFixed(2)} ms; the turn less its pauses p50 / p99 ${f.gc.total_less_gc.p50.toFixed(2)} / ${f.gc.total_less_gc.p99.toFixed(2)} ms`;
  return (
    rows.map((row) => '    ' + row.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ')).join('\n') +
    (counts ? `\n    per bid: ${counts}` : '') +
    `\n    GC pauses inside the turn (already in the phases): bid ${gc(bid)}` +
    (echo ? `; echo ${gc(echo)}` : '')
  );
}
