/**
 * Copies an embedded data folder into PostgreSQL and checks the counts:
 * `DATABASE_URL=postgres://… npm run copy-to-postgres -- ./data`. Stop the bot first. The database
 * must be empty (its schema is created if missing); on a count mismatch nothing is kept and the
 * command exits 1.
 */
import { copyFolder, CopyRefused, type CopyReport } from '../src/store/postgres/copyFolder.js';
import { createPool } from '../src/store/postgres/pool.js';

export function formatReport(report: CopyReport): string {
  const rows = [['collection', 'in folder', 'in PostgreSQL', ''], ...report.lines.map((l) => [l.collection, String(l.inFolder), String(l.inDatabase), l.ok ? 'OK' : 'MISMATCH'])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
  const verdict = report.ok ? 'Copied: every count matches.' : 'Counts differ: the copy was rolled back, nothing was kept.';
  return `${table}\n${verdict}\n`;
}

async function main() {
  const dir = process.argv[2];
  const url = process.env.DATABASE_URL;
  if (!dir || !url) {
    process.stderr.write('Usage: DATABASE_URL=postgres://… npm run copy-to-postgres -- <data-folder>\n');
    process.exit(2);
  }
  const pool = createPool(url, 2);
  try {
    const report = await copyFolder(dir, pool);
    process.stdout.write(formatReport(report));
    process.exitCode = report.ok ? 0 : 1;
  } catch (e) {
    process.stderr.write(`${e instanceof CopyRefused ? 'Refused' : 'Copy failed, nothing was kept'}: ${(e as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}

if (import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
