import { AsyncLocalStorage } from 'node:async_hooks';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Where a turn's time goes, phase by phase, for the bench (`npm run bench` prints the bid turn
 * split this way). Off unless `enablePhases()` was called (the bench's bot process does): then
 * each HTTP turn (`inTurn`) keeps a clock, and code on the turn's path says which phase it is in
 * (`timed`). Time is charged to the innermost phase running, so the phases of one turn add up to
 * the turn; time in no phase is the adapter's (Teams' HTTP handling around the bot's own work).
 * Off, every call is one check of a variable: nothing is recorded and no async context is kept.
 *
 * The names (one list, here) say what a phase covers; `count` adds events (round trips, re-runs).
 */
export const PHASES = {
  adapter: "the Teams adapter and teams-ai around the bot's own work: the activity read, the turn context, the invoke response written",
  route: 'the action router and guard: who is acting (the user read), role check, repeat-click check',
  load: 'the use case loading what it acts on and checking access (the provider user, the call-off, the provider)',
  validate: "checking the card's inputs (zod and the bid's own rules)",
  stage: 'the use case building its changes and queuing what they cause (the card refresh)',
  view: "reading what the reply shows (the provider's own view, lookups)",
  'tx.wait': 'waiting for the store: earlier transactions still running (lowdb runs one at a time)',
  'tx.begin': 'PostgreSQL: BEGIN and the turn lock (with the first read when they go together)',
  'tx.read': 'PostgreSQL: round trips for reads inside the transaction',
  'tx.write': 'PostgreSQL: round trips writing staged changes before a read that must see them',
  'commit.prepare': 'the commit worked out in memory: audit entries, index changes, the journal record',
  'commit.write': 'the commit written: lowdb appends to its journal; PostgreSQL sends writes, audit, notify and COMMIT',
  'commit.durable': "waiting until the commit is on disk (lowdb's fsync, shared by the transactions queued behind one; PostgreSQL's COMMIT)",
  render: 'drawing the reply card from the view model (template expansion, size check)',
  reply: 'sending the invoke response into the adapter',
  after: "what the turn starts after its work and does not wait for (nudging the outbox and scheduler)",
} as const;

export type Phase = keyof typeof PHASES;

export interface TurnPhases {
  /** The activity id. */
  id: string;
  /** Action verb, or the activity type. */
  what: string;
  /** Milliseconds from the handler's start to the end of the HTTP answer. */
  totalMs: number;
  phases: Partial<Record<Phase, number>>;
  counts: Record<string, number>;
  /** When the handler started, on performance.now()'s clock. */
  startMs: number;
  /**
   * Garbage-collection pauses that stopped the bot while this turn was in flight, and their
   * milliseconds inside it: already inside the phases' times (a pause stops whatever phase runs).
   */
  gcPauses: number;
  gcMs: number;
}

interface Clock extends TurnPhases {
  last: number;
  stack: Phase[];
  done: boolean;
}

let storage: AsyncLocalStorage<Clock> | undefined;
let finished: TurnPhases[] = [];
/** V8's pauses while recording, as [start, end] on performance.now()'s clock. */
let gcObserver: PerformanceObserver | undefined;
const pauses: { start: number; end: number }[] = [];
const keepPauses = (entries: PerformanceEntryList) => {
  for (const e of entries) pauses.push({ start: e.startTime, end: e.startTime + e.duration });
};

/** Starts recording (the bench's bot process). Not undone: the async context it keeps costs a little on every promise. */
export function enablePhases(): void {
  if (storage) return;
  storage = new AsyncLocalStorage();
  gcObserver = new PerformanceObserver((list) => keepPauses(list.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
}

export const phasesEnabled = (): boolean => storage !== undefined;

/** The turns recorded so far, handed over once, each with the pauses that fell inside it. */
export function takeTurnPhases(): TurnPhases[] {
  const out = finished;
  finished = [];
  if (gcObserver) keepPauses(gcObserver.takeRecords());
  for (const t of out) {
    for (const p of pauses) {
      const inside = Math.min(t.startMs + t.totalMs, p.end) - Math.max(t.startMs, p.start);
      if (inside <= 0) continue;
      t.gcPauses++;
      t.gcMs += inside;
    }
  }
  return out;
}

function charge(clock: Clock, now: number): void {
  const top = clock.stack.at(-1) ?? 'adapter';
  clock.phases[top] = (clock.phases[top] ?? 0) + (now - clock.last);
  clock.last = now;
}

/** Runs one HTTP turn (or a piece of background work, named by `what`) with its own clock, when recording. */
export async function inTurn<T>(id: string, fn: () => Promise<T>, what = ''): Promise<T> {
  if (!storage) return fn();
  const now = performance.now();
  const clock: Clock = { id, what, totalMs: 0, phases: {}, counts: {}, startMs: now, gcPauses: 0, gcMs: 0, last: now, stack: [], done: false };
  try {
    return await storage.run(clock, fn);
  } finally {
    const end = performance.now();
    charge(clock, end);
    clock.done = true;
    clock.totalMs = end - now;
    finished.push({ id: clock.id, what: clock.what, totalMs: clock.totalMs, phases: clock.phases, counts: clock.counts, startMs: now, gcPauses: 0, gcMs: 0 });
  }
}

/** Names what the current turn is (its verb). */
export function nameTurn(what: string): void {
  const clock = storage?.getStore();
  if (clock) clock.what = what;
}

/** Runs `fn` (sync or async) as phase `name` of the current turn, if one is being recorded. */
export function timed<T>(name: Phase, fn: () => T): T {
  const clock = storage?.getStore();
  if (!clock || clock.done) return fn();
  charge(clock, performance.now());
  clock.stack.push(name);
  const end = () => {
    charge(clock, performance.now());
    const at = clock.stack.lastIndexOf(name);
    if (at >= 0) clock.stack.splice(at, 1);
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    end();
    throw error;
  }
  if (result instanceof Promise) return result.finally(end) as T;
  end();
  return result;
}

/** Adds one (or `n`) to a count of the current turn: round trips, re-runs. */
export function count(name: string, n = 1): void {
  const clock = storage?.getStore();
  if (clock && !clock.done) clock.counts[name] = (clock.counts[name] ?? 0) + n;
}

/** Runs `fn` outside any turn: work a turn starts but does not wait for is not charged to it. */
export function detached<T>(fn: () => T): T {
  return storage ? storage.exit(fn) : fn();
}
