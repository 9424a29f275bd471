import { agreementId, current } from '../../domain/agreement.js';
import { periodContaining, round2 } from '../../domain/agreementRules.js';
import { isRealDate } from '../../domain/dates.js';
import { plainNumber } from '../../domain/numbers.js';
import { REQUEST_REF } from '../../domain/request.js';
import type { BrokerageStore } from '../../store/collections.js';
import type { Who } from '../actor.js';
import { providerUser } from '../calloffs/access.js';
import { AppError, invalid } from '../errors.js';
import { ownsAgreement, rulesFor, rulesTx } from './load.js';
import { recordReturnTx, type ReturnResult } from './returns.js';

/**
 * Delivered hours from a provider's call-monitoring export, pasted into the return card.
 *
 * The file: a header row, then one row per visit (or per day). Columns, in any order, names not
 * case-sensitive; any other column (carer, planned times) is ignored:
 *
 * | column | also accepted | what |
 * |---|---|---|
 * | `reference` | `package_reference`, `package` | the package reference, PKG-YYYY-NNNN |
 * | `date` | `visit_date` | the day of the visit, YYYY-MM-DD or DD/MM/YYYY |
 * | `hours` | `actual_hours` | hours delivered, a decimal (e.g. 2.5) |
 * | `minutes` | `duration_minutes`, `actual_minutes` | or whole minutes, when there is no hours column |
 *
 * Rows are added up into the agreement's periods (weekly or four-weekly, from its start); each
 * period's total is recorded as that period's return, exactly as if typed into the card. The file
 * is taken whole or not at all: one bad line and nothing is recorded, with every bad line named.
 */
/** The longest CSV the card takes (bot/inputLimits.ts lets this field through uncut up to here). */
export const CSV_MAX_CHARS = 20000;

export interface CsvVisit {
  line: number;
  ref: string;
  date: string;
  hours: number;
}

const COLUMNS = {
  ref: ['reference', 'package_reference', 'package'],
  date: ['date', 'visit_date'],
  hours: ['hours', 'actual_hours'],
  minutes: ['minutes', 'duration_minutes', 'actual_minutes'],
};

/** RFC 4180 fields: commas, quotes doubled inside quotes. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur.trim()), (cur = '');
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

const toIso = (s: string) => {
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  return uk ? `${uk[3]}-${uk[2].padStart(2, '0')}-${uk[1].padStart(2, '0')}` : s;
};

export function parseVisits(text: string): { visits: CsvVisit[]; errors: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = fields(lines[0] ?? '').map((h) => h.toLowerCase().replace(/\s+/g, '_'));
  const col = (names: string[]) => header.findIndex((h) => names.includes(h));
  const at = { ref: col(COLUMNS.ref), date: col(COLUMNS.date), hours: col(COLUMNS.hours), minutes: col(COLUMNS.minutes) };
  const errors: string[] = [];
  if (at.ref < 0 || at.date < 0 || (at.hours < 0 && at.minutes < 0)) {
    return { visits: [], errors: ['the first line must name the columns: reference, date, and hours (or minutes)'] };
  }
  const visits: CsvVisit[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const f = fields(lines[i]);
    const ref = (f[at.ref] ?? '').toUpperCase();
    const date = toIso(f[at.date] ?? '');
    // Plain decimals only: Number() reads "0x10" as 16, "1e1" as 10 and an empty cell as 0.
    const hours = at.hours >= 0 ? plainNumber(f[at.hours] ?? '') : plainNumber(f[at.minutes] ?? '') / 60;
    const why = !REQUEST_REF.test(ref) ? `"${ref.slice(0, 20)}" is not a package reference` : !isRealDate(date) ? `"${(f[at.date] ?? '').slice(0, 20)}" is not a date` : !Number.isFinite(hours) || hours < 0 || hours > 24 ? 'the hours must be a number from 0 to 24' : '';
    if (why) errors.push(`line ${i + 1}: ${why}`);
    else visits.push({ line: i + 1, ref, date, hours });
  }
  if (!visits.length && !errors.length) errors.push('there are no rows under the header');
  return { visits, errors };
}

const lineOf = (problem: string) => Number(/^line (\d+):/.exec(problem)?.[1] ?? Infinity);

/** 9, 10, 11, 15 → "9–11, 15". */
function ranges(ns: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ns.length; i++) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j] + 1) j++;
    out.push(i === j ? String(ns[i]) : `${ns[i]}–${ns[j]}`);
    i = j;
  }
  return out.join(', ');
}

/** Every bad line named, in file order: the first five with why, any others by number, so the message stays card-sized. */
export function describeProblems(problems: string[]): string {
  const sorted = [...problems].sort((x, y) => lineOf(x) - lineOf(y));
  const rest = sorted.slice(5);
  const lines = rest.map(lineOf).filter(Number.isFinite);
  const others = rest.length - lines.length;
  const also = [lines.length ? `line${lines.length > 1 ? 's' : ''} ${ranges([...new Set(lines)])}` : '', others ? `${others} more` : ''].filter(Boolean).join(' and ');
  return sorted.slice(0, 5).join('; ') + (also ? `; also ${also}` : '');
}

/**
 * The file is checked whole before anything is kept: every line that cannot be read, names a
 * package with no agreement or another organisation's (refused and audited, and nothing about it
 * read back), or falls before its package's start, and every period the card would refuse, are
 * named together. Another organisation's package makes the refusal a `forbidden` one.
 */
export async function submitReturnsCsv(store: BrokerageStore, who: Who, text: string, now: Date): Promise<ReturnResult[]> {
  const user = await providerUser(store, who);
  if (text.length > CSV_MAX_CHARS) throw invalid({ csv: `the CSV must be at most ${CSV_MAX_CHARS.toLocaleString('en-GB')} characters; send it in parts (a week or a package at a time)` });
  const { visits, errors } = parseVisits(text);
  if (!visits.length) throw invalid({ csv: describeProblems(errors) });
  return store.transact({ actor: user.id, action: 'agreement.return.csv' }, async (tx) => {
    const rules = await rulesTx(tx);
    const problems = [...errors];
    const refused: string[] = [];
    const refusedRefs = new Set<string>();
    const totals = new Map<string, { ref: string; start: string; hours: number }>();
    for (const v of visits) {
      const a = await tx.get('agreements', agreementId(v.ref));
      if (!a) {
        problems.push(`line ${v.line}: ${v.ref} has no service agreement`);
        continue;
      }
      // Before anything about the package is read back (its start date): another organisation's
      // package is refused, and audited once, as the card would refuse it.
      if (!ownsAgreement(tx, user, a, !refusedRefs.has(v.ref))) {
        refusedRefs.add(v.ref);
        refused.push(`line ${v.line}: ${v.ref} is not your organisation's package`);
        continue;
      }
      const start = current(a).startDate;
      if (v.date < start) {
        problems.push(`line ${v.line}: ${v.date} is before ${v.ref}'s start (${start})`);
        continue;
      }
      const p = periodContaining(start, rulesFor(a, rules).period, v.date);
      const key = `${v.ref}|${p.start}`;
      const t = totals.get(key) ?? { ref: v.ref, start: p.start, hours: 0 };
      totals.set(key, { ...t, hours: round2(t.hours + v.hours) });
    }
    const out: ReturnResult[] = [];
    for (const t of totals.values()) {
      try {
        out.push(await recordReturnTx(tx, user, t.ref, t.start, t.hours, 'csv', now, 'csv'));
      } catch (e) {
        // One period refused refuses the file: say which, in the words the card would have used.
        if (!(e instanceof AppError)) throw e;
        problems.push(`${t.ref}, period from ${t.start}: ${Object.values(e.fields)[0] ?? e.message}`);
      }
    }
    if (refused.length) throw new AppError('forbidden', `${refused.join('; ')}.`, { csv: describeProblems([...problems, ...refused]) });
    if (problems.length) throw invalid({ csv: describeProblems(problems) });
    return out;
  });
}
