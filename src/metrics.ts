/**
 * The bot's telemetry, named in one place: every metric and span, and the one-line calls the
 * outbox, the scheduler, the store and the turn handling make. Only the OpenTelemetry API is used
 * here, which does nothing until an SDK is registered (bot/telemetry.ts, from index.ts's main, and
 * only when an exporter is configured): no use case imports an exporter, and with telemetry off
 * every call below costs next to nothing.
 *
 * No attribute may hold personal detail: only names the code defines (a verb, an outcome, a message
 * or job kind, an HTTP status, a transaction's action). Never an id, a name, a reference or text.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

export const METRICS = {
  turnDuration: 'brokerage.turn.duration',
  refusals: 'brokerage.refusals',
  outboxBacklog: 'brokerage.outbox.backlog',
  outboxOldestAge: 'brokerage.outbox.oldest_age',
  outboxSent: 'brokerage.outbox.sent',
  outboxRetried: 'brokerage.outbox.retried',
  outboxFailed: 'brokerage.outbox.failed',
  teamsThrottled: 'brokerage.teams.throttled',
  teamsRetryAfter: 'brokerage.teams.retry_after',
  schedulerLag: 'brokerage.scheduler.lag',
  transactionReruns: 'brokerage.store.transaction.reruns',
  poolConnections: 'db.client.connection.count',
  poolPending: 'db.client.connection.pending_requests',
} as const;

export type TurnOutcome = 'ok' | 'refused' | 'rejected' | 'unknown' | 'failed' | 'stopping' | 'malformed';

const NAME = 'brokerage-bot';
const tracer = () => trace.getTracer(NAME);

/** Instruments are made on first use, after main() has registered the SDK (if any). */
let made: ReturnType<typeof instruments> | undefined;
function instruments() {
  const m = metrics.getMeter(NAME);
  return {
    turn: m.createHistogram(METRICS.turnDuration, { unit: 's', description: 'How long a Teams turn took, by verb and outcome' }),
    refusals: m.createCounter(METRICS.refusals, { description: 'Refused actions (each also audited)' }),
    sent: m.createCounter(METRICS.outboxSent, { description: 'Posts Teams accepted' }),
    retried: m.createCounter(METRICS.outboxRetried, { description: 'Attempts that failed and will be tried again' }),
    failed: m.createCounter(METRICS.outboxFailed, { description: 'Posts given up on' }),
    throttled: m.createCounter(METRICS.teamsThrottled, { description: '429 answers from Teams' }),
    retryAfter: m.createHistogram(METRICS.teamsRetryAfter, { unit: 's', description: 'The Retry-After each 429 asked for' }),
    lag: m.createHistogram(METRICS.schedulerLag, { unit: 's', description: 'How late a job ran after it fell due' }),
    reruns: m.createCounter(METRICS.transactionReruns, { description: 'Transactions run again after losing a conflict' }),
  };
}
const use = () => (made ??= instruments());

// ── turns ──

interface TurnRecord {
  verb: string;
  outcome: TurnOutcome;
  span: Span;
}
const turns = new AsyncLocalStorage<TurnRecord>();

/** Runs one turn (an activity through POST /api/messages) as a span, and records its duration by verb and outcome. */
export async function turn<T>(activityType: string, run: () => Promise<T>): Promise<T> {
  const span = tracer().startSpan('turn', { kind: SpanKind.SERVER });
  const record: TurnRecord = { verb: activityType || 'unknown', outcome: 'ok', span };
  const started = performance.now();
  try {
    return await turns.run(record, () => context.with(trace.setSpan(context.active(), span), run));
  } catch (e) {
    record.outcome = 'failed';
    throw e;
  } finally {
    const attributes = { 'brokerage.verb': record.verb, 'brokerage.outcome': record.outcome };
    use().turn.record((performance.now() - started) / 1000, attributes);
    span.updateName(`turn ${record.verb}`);
    span.setAttributes(attributes);
    if (record.outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
}

/** The command or card verb this turn turned out to be (a name from the code, never the typed text). */
export function turnVerb(verb: string): void {
  const t = turns.getStore();
  if (t) t.verb = verb;
}

export function turnOutcome(outcome: TurnOutcome): void {
  const t = turns.getStore();
  if (t && (t.outcome === 'ok' || outcome === 'failed')) t.outcome = outcome;
}

/** The refusal reasons the code names (src/app/actor.ts unrecognisedReason, and 'role'); any other is a use case's forbidden message. */
const REFUSAL_KINDS: Record<string, string> = { 'no role': 'no_role', 'not recognised from this tenant': 'other_tenant', 'member lookup failed': 'member_lookup_failed', role: 'role' };

/** A refused action, by why, in a word (never the message itself, which may name what was refused). */
export function refused(reason: string): void {
  const kind = REFUSAL_KINDS[reason] ?? 'not_theirs';
  use().refusals.add(1, { 'brokerage.verb': turns.getStore()?.verb ?? 'none', 'brokerage.reason': kind });
  turnOutcome('refused');
}

// ── the store ──

/** A store transaction as a span, a child of the turn (or job, or send) that ran it. */
export function transaction<T>(action: string, run: () => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(`transaction ${action}`, { attributes: { 'brokerage.action': action } }, async (span) => {
    try {
      return await run();
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw e;
    } finally {
      span.end();
    }
  });
}

export const transactionRerun = (action: string) => use().reruns.add(1, { 'brokerage.action': action });

// ── the outbox ──

/**
 * A post queued inside a transaction: a span under it, whose W3C traceparent the outbox row keeps
 * (`trace`), so the post's sends, on any instance and however much later, join the same trace.
 */
export function queued(kind: string): { trace?: string } {
  const span = tracer().startSpan(`outbox.queue ${kind}`, { kind: SpanKind.PRODUCER, attributes: { 'brokerage.message.kind': kind } });
  span.end();
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier.traceparent ? { trace: carrier.traceparent } : {};
}

/** One attempt to send a post: a span under the post's queue span; `track` ends it with the outcome. */
export function sending(item: { message: { kind: string }; trace?: string; attempts: number }, edit: boolean) {
  const parent = item.trace ? propagation.extract(context.active(), { traceparent: item.trace }) : context.active();
  const span = tracer().startSpan(`outbox.send ${item.message.kind}`, { kind: SpanKind.CLIENT, attributes: { 'brokerage.message.kind': item.message.kind, 'brokerage.attempt': item.attempts + 1, 'brokerage.edit': edit } }, parent);
  return {
    track<T>(sent: Promise<T>): Promise<T> {
      return sent.then(
        (r) => {
          span.end();
          return r;
        },
        (e: { statusCode?: number; status?: number; code?: string }) => {
          const status = e?.statusCode ?? e?.status;
          span.setAttributes({ ...(typeof status === 'number' ? { 'http.response.status_code': status } : {}), ...(e?.code === 'timeout' ? { 'brokerage.timeout': true } : {}) });
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          throw e;
        },
      );
    },
  };
}

export const postSent = (kind: string) => use().sent.add(1, { 'brokerage.message.kind': kind });

/**
 * A failed attempt: tried again, given up on, or its conversation unreachable; a 429 is counted,
 * with the Retry-After it asked for.
 */
export function attemptFailed(kind: string, failure: { status?: number | string; retryAfterMs?: number }, next: 'retry' | 'gave_up' | 'unreachable'): void {
  const i = use();
  const status = typeof failure.status === 'number' ? { 'http.response.status_code': failure.status } : {};
  if (failure.status === 429) {
    i.throttled.add(1, { 'brokerage.message.kind': kind });
    if (Number.isFinite(failure.retryAfterMs)) i.retryAfter.record(failure.retryAfterMs! / 1000);
  }
  if (next === 'retry') i.retried.add(1, { 'brokerage.message.kind': kind, ...status });
  else i.failed.add(1, { 'brokerage.message.kind': kind, 'brokerage.failure': next === 'unreachable' ? 'unreachable' : [408, 412, 429, 500, 502, 503, 504, 'timeout'].includes(failure.status as number) ? 'gave_up' : 'rejected' });
}

// ── the scheduler ──

export const jobRan = (kind: string, lateMs: number) => use().lag.record(Math.max(0, lateMs) / 1000, { 'brokerage.job.kind': kind });

// ── gauges read when metrics are collected (wired in bot/telemetry.ts) ──

/** The outbox's backlog and its oldest post's age, as one instance sees them (every instance's posts). */
export function observeOutbox(read: () => { pending: number; oldestQueuedAt?: number }): void {
  const m = metrics.getMeter(NAME);
  const backlog = m.createObservableGauge(METRICS.outboxBacklog, { description: 'Posts waiting to be sent' });
  const age = m.createObservableGauge(METRICS.outboxOldestAge, { unit: 's', description: 'How long the oldest waiting post has waited' });
  m.addBatchObservableCallback(
    (o) => {
      const now = read();
      o.observe(backlog, now.pending);
      o.observe(age, now.oldestQueuedAt === undefined ? 0 : Math.max(0, (Date.now() - now.oldestQueuedAt) / 1000));
    },
    [backlog, age],
  );
}

/** This instance's PostgreSQL connections (pg.Pool's counts), in OpenTelemetry's database client names. */
export function observePool(pool: { totalCount: number; idleCount: number; waitingCount: number }): void {
  const m = metrics.getMeter(NAME);
  const count = m.createObservableGauge(METRICS.poolConnections, { description: 'PostgreSQL connections, by state' });
  const pending = m.createObservableGauge(METRICS.poolPending, { description: 'Transactions waiting for a connection' });
  m.addBatchObservableCallback(
    (o) => {
      const attributes = (state: string): Attributes => ({ 'db.client.connection.state': state, 'db.client.connection.pool.name': 'brokerage' });
      o.observe(count, pool.idleCount, attributes('idle'));
      o.observe(count, pool.totalCount - pool.idleCount, attributes('used'));
      o.observe(pending, pool.waitingCount, { 'db.client.connection.pool.name': 'brokerage' });
    },
    [count, pending],
  );
}

/** The store with each transaction traced (a span named by its action), everything else as it is. */
export function traced<S extends { transact(options: { action: string }, fn: never): Promise<unknown> }>(store: S): S {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key) {
      if (key === 'transact') return (options: { action: string }, fn: never) => transaction(options.action, () => target.transact(options, fn));
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      if (!bound.has(key)) bound.set(key, value.bind(target));
      return bound.get(key);
    },
  });
}
