/**
 * `npm run test:clock-ahead`: the unit and store tests with the wall clock moved more than a year
 * ahead, to a UK clock change: the first last-Sunday of March or October at least 400 days from
 * today, 00:58 UTC, so the change (01:00 UTC) happens while the tests run. A test that leans on
 * today's date, the year or the UK offset fails here before it fails on that day.
 *
 * The clock is moved for the whole process tree (PostgreSQL included) by a small LD_PRELOAD
 * library built here with the machine's C compiler (see clockAhead/shift.c). With libfaketime
 * installed, `LD_PRELOAD=…/libfaketime.so.1 FAKETIME=+400d npm run test:unit` does the same.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DAY = 86_400_000;

/** The last Sunday of a month (UTC day), where the UK clocks change in March and October. */
function lastSunday(year: number, month: number): Date {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return new Date(last.getTime() - last.getUTCDay() * DAY);
}

function clockChangeAhead(from: Date, days = 400): Date {
  const earliest = from.getTime() + days * DAY;
  for (let year = from.getUTCFullYear(); ; year++) {
    for (const month of [2, 9]) {
      const at = new Date(lastSunday(year, month).getTime() + 58 * 60_000);
      if (at.getTime() >= earliest) return at;
    }
  }
}

function buildShim(): string {
  const source = join(dirname(fileURLToPath(import.meta.url)), 'clockAhead', 'shift.c');
  const dir = mkdtempSync(join(tmpdir(), 'clock-ahead-'));
  // Readable by everyone: as root the tests' PostgreSQL runs as the `postgres` user, whose loader
  // would otherwise skip the library and leave the database on today's clock.
  chmodSync(dir, 0o755);
  const out = join(dir, 'shift.so');
  for (const [cc, args] of [['cc', []], ['c++', ['-x', 'c++']]] as const) {
    try {
      execFileSync(cc, [...args, '-shared', '-fPIC', '-O2', '-o', out, source, '-ldl'], { stdio: 'inherit' });
      return out;
    } catch {
      /* try the next compiler */
    }
  }
  throw new Error('no C compiler (cc or c++) to build the clock shim');
}

const target = process.env.CLOCK_AHEAD_TO ? new Date(process.env.CLOCK_AHEAD_TO) : clockChangeAhead(new Date());
const shift = Math.round((target.getTime() - Date.now()) / 1000);
const env = { ...process.env, LD_PRELOAD: buildShim(), CLOCK_SHIFT_SECONDS: String(shift) };

// The shim must work, or this run would prove nothing.
const seen = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { env }).toString());
if (Math.abs(seen - target.getTime()) > 60_000) throw new Error(`the clock did not move: a child saw ${new Date(seen).toISOString()}, not ${target.toISOString()}`);
process.stdout.write(`test:clock-ahead: the tests' clock starts at ${target.toISOString()} (${Math.round(shift / 86_400)} days ahead)\n`);

// test/ops (the production build and the operations rehearsals, minutes of whole processes) is
// left out: it compares no date with today, and CI has just run it in npm test.
const mocha = spawnSync('npx', ['mocha', 'test/**/*.test.ts', '--exclude', 'test/e2e/**', '--exclude', 'test/ops/**', ...process.argv.slice(2)], { env, stdio: 'inherit' });
process.exit(mocha.status ?? 1);
