import { formatUk } from '../../src/domain/dates.js';
import type { OpsStatus } from '../../src/app/ops/status.js';
import type { CardJson } from '../render.js';
import { listCard, type ListRow } from './listCard.js';

/** Rows of each kind the card lists before it only counts the rest (a card stays well inside Teams' size budget). */
const ROWS_EACH = 10;

/** "40 s", "12 min", "3 h", "2 days". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function schemaLine(s: NonNullable<OpsStatus['schema']>): string {
  const newest = s.applied.at(-1);
  const applied = newest ? `${plural(s.applied.length, 'migration')} applied, the newest ${String(newest.version).padStart(3, '0')} ${newest.name}` : 'no migrations applied';
  if (!s.current) return `${applied}; this build needs up to ${s.known}: run the migrations`;
  if (s.newer) return `${applied}; newer than this build (${s.known}): an upgrade is under way, or this instance runs an older build`;
  return `${applied}; this build knows ${s.known}`;
}

/** The operations view: health first, then what needs someone (failed posts with Send again, unreachable channels, late jobs). */
export function opsCard(s: OpsStatus, notice?: { text: string; good: boolean }): CardJson {
  const now = Date.parse(s.at);
  const problems = [
    !s.store.answers && 'the store does not answer',
    s.schema && !s.schema.current && 'the schema is behind',
    s.failed.length && plural(s.failed.length, 'failed post'),
    s.unreachable.length && plural(s.unreachable.length, 'unreachable channel'),
    s.overdue.length && plural(s.overdue.length, 'overdue job'),
  ].filter(Boolean);
  const more = (n: number, what: string): ListRow[] => (n > ROWS_EACH ? [{ title: `… and ${n - ROWS_EACH} more ${what}`, subtitle: '' }] : []);
  const rows: ListRow[] = [
    ...s.instances.map((i) => ({
      title: `Instance ${i.id}${i.self ? ' (this one)' : ''}`,
      subtitle: `build ${i.build} · up ${ago(now - Date.parse(i.startedAt))} · last seen ${ago(now - Date.parse(i.seenAt))} ago`,
    })),
    ...s.failed.slice(0, ROWS_EACH).map((f) => ({
      title: `Failed: ${f.kind}${f.ref ? ` for ${f.ref}` : ''} to ${f.to}`,
      subtitle: `${f.why} · last tried ${formatUk(f.lastTriedAt)} · ${plural(f.attempts, 'attempt')}${f.unreachable ? ' · its channel must be reachable again before sending again' : ''}`,
      attention: true,
      actions: [{ title: 'Send again', verb: 'ops.resend', data: { id: f.id } }],
    })),
    ...more(s.failed.length, 'failed posts'),
    ...s.unreachable.slice(0, ROWS_EACH).map((u) => ({ title: `Unreachable: ${u.name}'s channel`, subtitle: u.explained ? u.why : `${u.why} · once the bot is in the channel, a commissioner types \`register provider ${u.providerId}\` there`, attention: true })),
    ...more(s.unreachable.length, 'unreachable channels'),
    ...s.overdue.slice(0, ROWS_EACH).map((j) => ({ title: `Overdue: ${j.kind} for ${j.ref}`, subtitle: `due ${formatUk(j.at)}, ${ago(j.lateMs)} late`, attention: true })),
    ...more(s.overdue.length, 'overdue jobs'),
  ];
  const outbox = s.outbox.pending
    ? `${plural(s.outbox.pending, 'post')} waiting (${s.outbox.retrying} retrying); the oldest queued ${ago(now - Date.parse(s.outbox.oldestQueuedAt!))} ago`
    : 'nothing waiting';
  return listCard({
    title: 'Operations',
    notice: notice?.text ?? (problems.length ? `Needs attention: ${problems.join(', ')}.` : 'All well: the store answers and nothing needs attention.'),
    noticeColor: notice ? (notice.good ? 'Good' : 'Attention') : problems.length ? 'Attention' : 'Good',
    facts: [
      { title: 'Store', value: `${s.store.kind === 'postgres' ? 'PostgreSQL' : 'embedded (one process)'} · ${s.store.where}${s.store.answers ? '' : ` · not answering: ${s.store.problem ?? 'no answer'}`}` },
      ...(s.schema ? [{ title: 'Schema', value: schemaLine(s.schema) }] : []),
      { title: 'Instances alive', value: String(s.instances.length) },
      { title: 'Outbox', value: outbox },
      { title: 'Failed posts (7 days)', value: String(s.failed.length) },
      { title: 'Unreachable channels', value: String(s.unreachable.length) },
      { title: 'Jobs overdue', value: s.overdue.length ? `${s.overdue.length}, the oldest ${ago(s.overdue[0].lateMs)} late` : 'none' },
    ],
    rows,
    actions: [{ title: 'Refresh', verb: 'ops.refresh', data: {} }],
  });
}
