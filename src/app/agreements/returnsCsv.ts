import { agreementId, current } from '../../domain/agreement.js';
import { periodContaining, round2 } from '../../domain/agreementRules.js';
import { isRealDate } from '../../domain/dates.js';
import { plainNumber } from '../../domain/numbers.js';
import { REQUEST_REF } from '../../domain/request.js';
import type { BrokerageStore } from '../../store/collections.js';
import type { Who } from '../actor.js';
import { providerUser } from '../calloffs/access.js';
import { AppError, invalid } from '../errors.js';
import { checkProvider, rulesFor, rulesTx } from './load.js';
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

export async function submitReturnsCsv(store: BrokerageStore, who: Who, text: string, now: Date): Promise<ReturnResult[]> {
  const user = await providerUser(store, who);
  if (text.length > CSV_MAX_CHARS) throw invalid({ csv: `the CSV must be at most ${CSV_MAX_CHARS.toLocaleString('en-GB')} characters; send it in parts (a week or a package at a time)` });
  const { visits, errors } = parseVisits(text);
  if (errors.length) throw invalid({ csv: errors.slice(0, 5).join('; ') + (errors.length > 5 ? `; and ${errors.length - 5} more` : '') });
  return store.transact({ actor: user.id, action: 'agreement.return.csv' }, async (tx) => {
    const rules = await rulesTx(tx);
    const totals = new Map<string, { ref: string; start: string; hours: number }>();
    for (const v of visits) {
      const a = await tx.get('agreements', agreementId(v.ref));
      if (!a) throw invalid({ csv: `line ${v.line}: ${v.ref} has no service agreement` });
      // Before anything about the package is read back (its start date): another organisation's
      // package is refused, and audited, as the card would refuse it.
      checkProvider(tx, user, a);
      const start = current(a).startDate;
      if (v.date < start) throw invalid({ csv: `line ${v.line}: ${v.date} is before ${v.ref}'s start (${start})` });
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
        // Another organisation's package stays a refusal of its own (and is audited as one).
        if (e instanceof AppError && e.kind !== 'forbidden') throw invalid({ csv: `${t.ref}, period from ${t.start}: ${Object.values(e.fields)[0] ?? e.message}` });
        throw e;
      }
    }
    return out;
  });
}
