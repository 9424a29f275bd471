import pg from 'pg';

/** A value written into SQL text: the statements of one round trip go as one simple-protocol query, which takes no parameters. */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a number SQL can hold: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(',')}]::text[]`;
  if (typeof value === 'string') return pg.escapeLiteral(value);
  throw new Error(`no SQL literal for a ${typeof value}`);
}

/** `$1`, `$2` … replaced by their values as literals (the brokerage's own SQL: no `$` inside its string constants). */
export const inline = (sql: string, values: unknown[] = []) => sql.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
