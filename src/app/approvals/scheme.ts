import { ApprovalScheme, COUNCIL_BODY, DEFAULT_SCHEME, type ApprovalLevel } from '../../domain/approvals.js';
import { isRealDate } from '../../domain/dates.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, invalid } from '../errors.js';

/** An approving body's scheme; the council's defaults until a commissioner saves its own. */
export async function schemeTx(tx: Pick<BrokerageTx, 'get'>, body = COUNCIL_BODY): Promise<ApprovalScheme> {
  const saved = await tx.get('approvalSchemes', body);
  if (saved) return saved;
  if (body === COUNCIL_BODY) return DEFAULT_SCHEME;
  throw conflict(`No approval levels are set for "${body}".`);
}

export async function getScheme(store: BrokerageStore, who: Who, body = COUNCIL_BODY): Promise<ApprovalScheme> {
  await requirePermission(store, who, 'approvals.view');
  return store.transact({ actor: who.aadObjectId, action: 'approvals.scheme.view' }, (tx) => schemeTx(tx, body));
}

/** Levels the card edits, by position; a blank name leaves that row out. */
export const LEVEL_ROWS = 4;
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'level';

/**
 * The commissioner's card: up to four levels (name and three limits each), the working hours
 * before a reminder and before escalation, and the council's closed days. Each level keeps its id
 * by position, so the approvers who hold it keep it when it is renamed. Saved as a whole; the store
 * audits the change with the scheme before and after.
 */
export async function setScheme(store: BrokerageStore, who: Who, raw: Record<string, unknown>, body = COUNCIL_BODY): Promise<{ scheme: ApprovalScheme; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'approvals.scheme');
  const s = (k: string) => (raw[k] === undefined || raw[k] === null ? '' : String(raw[k])).trim();
  return store.transact({ actor: user.id, action: 'approvals.scheme' }, async (tx) => {
    const before = await schemeTx(tx, body);
    const rows: { row: number; level: Record<string, unknown> }[] = [];
    for (let i = 1; i <= LEVEL_ROWS; i++) {
      const name = s(`level${i}Name`);
      if (!name) continue;
      const id = before.levels[i - 1]?.id ?? slug(name);
      rows.push({ row: i, level: { id, name, weeklyLimit: s(`level${i}Weekly`), commitmentLimit: s(`level${i}Commitment`), yearlyLimit: s(`level${i}Yearly`) } });
    }
    const days = s('closedDays').split(/[\s,;]+/).filter(Boolean);
    const errors: Record<string, string> = {};
    const badDay = days.find((d) => !isRealDate(d));
    if (badDay) errors.closedDays = `"${badDay.slice(0, 20)}" is not a date (YYYY-MM-DD)`;
    const parsed = ApprovalScheme.safeParse({
      ...before,
      levels: rows.map((r) => r.level),
      remindAfterHours: s('remindAfterHours'),
      escalateAfterHours: s('escalateAfterHours'),
      bankHolidays: s('bankHolidays') || before.bankHolidays,
      closedDays: badDay ? [] : [...new Set(days)].sort(),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [top, index, field] = issue.path;
        const row = typeof index === 'number' ? rows[index]?.row : undefined;
        const key = top === 'levels' && row ? `level${row}${({ weeklyLimit: 'Weekly', commitmentLimit: 'Commitment', yearlyLimit: 'Yearly' } as Record<string, string>)[String(field)] ?? 'Name'}` : top === 'levels' ? 'level1Name' : String(top);
        errors[key] ??= issue.message;
      }
    }
    if (Object.keys(errors).length || !parsed.success) throw invalid(errors);
    const scheme = parsed.data;
    const held = await heldLevels(tx, scheme.levels);
    if (held) throw invalid({ level1Name: held });
    if (JSON.stringify(before) === JSON.stringify(scheme) && (await tx.get('approvalSchemes', body))) return { scheme, unchanged: true };
    tx.put('approvalSchemes', scheme);
    return { scheme, unchanged: false };
  });
}

/** A level still held by an approver cannot be removed: they would silently drop to the lowest. */
async function heldLevels(tx: BrokerageTx, levels: ApprovalLevel[]): Promise<string | undefined> {
  const orphans = (await tx.usersWithRole('manager')).filter((u) => u.approvalLevel && !levels.some((l) => l.id === u.approvalLevel));
  return orphans.length ? `${orphans.map((u) => `${u.name} holds the level "${u.approvalLevel}"`).join('; ')}: give them another level first (users)` : undefined;
}
