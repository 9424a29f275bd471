/**
 * Teams retries an invoke it thinks timed out, and people double-click. A repeat of the same
 * click (the caller's key: who, from which tenant, on which card) gets the first answer again only
 * while nothing it is about has changed since that answer (`Revisions`, src/app/revisions.ts): a
 * retry or a double click. Once something changed (the needs summary was fixed, the bid was
 * withdrawn), the repeat acts on the present state instead of replaying the past. Use cases stay
 * idempotent by state, so a repeat that does run still has its effect once.
 */
export class ActionDedup<T> {
  private readonly recent = new Map<string, { at: number; result: Promise<T>; stamp?: number }>();

  constructor(
    // Teams retries an unanswered invoke within seconds; longer would keep answers nobody repeats.
    private readonly windowMs = 15_000,
    private readonly now: () => number = Date.now,
    /** The revision of what an action is about (a call-off, or '*' for the rest); 0 when not tracked. */
    private readonly revision: (subject: string) => number = () => 0,
  ) {}

  run(key: string, job: () => Promise<T>, subject = '*'): Promise<T> {
    const t = this.now();
    // Oldest first (a key is re-added when it runs again), so pruning stops at the first still in the window.
    for (const [k, v] of this.recent) {
      if (t - v.at <= this.windowMs) break;
      this.recent.delete(k);
    }
    const hit = this.recent.get(key);
    // Still running (a retry while the first is in flight), or finished with nothing changed since.
    if (hit && (hit.stamp === undefined || hit.stamp === this.revision(subject))) return hit.result;
    const entry: { at: number; result: Promise<T>; stamp?: number } = { at: t, result: job() };
    this.recent.delete(key);
    this.recent.set(key, entry);
    entry.result.then(
      () => (entry.stamp = this.revision(subject)), // after its own changes: those are not "since"
      () => this.recent.get(key) === entry && this.recent.delete(key), // a failure may be retried
    );
    return entry.result;
  }
}

/** Stable JSON: the same data in another key order is the same action. */
export function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
