/**
 * `npm run rehearse -- [sigterm] [rolling-upgrade] [backup-restore]` (all three by default): the
 * operations rehearsals of docs/operations.md on real processes on this machine. It builds the app
 * (`npm run build`, type check included), installs it as production does (`npm ci --omit=dev`,
 * from the npm cache where it can), starts PostgreSQL from npm, runs each rehearsal, and prints
 * its figures and whether everything held. Exit code 1 if anything did not. The same rehearsals run
 * in `npm test` (test/ops/).
 */
import { prepareApp, removeApp } from './rehearse/app.js';
import { backupProblems, rehearseBackupRestore } from './rehearse/backupRestore.js';
import { startPostgres } from './rehearse/postgres.js';
import { rehearseRollingUpgrade, rollingProblems } from './rehearse/rollingUpgrade.js';
import { rehearseSigterm, sigtermProblems } from './rehearse/sigterm.js';
import { knownMigrations } from '../src/store/postgres/migrate.js';

const ALL = ['sigterm', 'rolling-upgrade', 'backup-restore'] as const;
type Name = (typeof ALL)[number];

const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !(ALL as readonly string[]).includes(a));
if (unknown.length) {
  process.stderr.write(`Unknown rehearsal ${unknown.join(', ')}. Usage: npm run rehearse -- [${ALL.join('] [')}]\n`);
  process.exit(2);
}
const names: Name[] = asked.length ? (asked as Name[]) : [...ALL];

process.stdout.write('Building and installing the app as production does…\n');
const app = await prepareApp();
process.stdout.write(`Built ${app.info.version} (${app.info.commit}) in ${(app.buildMs / 1000).toFixed(1)} s; npm ci --omit=dev took ${(app.installMs / 1000).toFixed(1)} s.\n`);
const server = await startPostgres();
let failed = false;
try {
  for (const [i, name] of names.entries()) {
    process.stdout.write(`\n== ${name} ==\n`);
    const t0 = Date.now();
    let figures: object;
    let problems: string[];
    if (name === 'backup-restore') {
      const f = await rehearseBackupRestore({ appDir: app.dir });
      [figures, problems] = [f, backupProblems(f)];
    } else {
      const databaseUrl = await server.createDatabase(`rehearsal_${i}`);
      if (name === 'sigterm') {
        const f = await rehearseSigterm({ appDir: app.dir, databaseUrl });
        [figures, problems] = [f, sigtermProblems(f)];
      } else {
        const f = await rehearseRollingUpgrade({ appDir: app.dir, databaseUrl });
        [figures, problems] = [f, rollingProblems(f, (await knownMigrations()).map((m) => m.version))];
      }
    }
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n${problems.length ? `FAILED:\n- ${problems.join('\n- ')}` : 'Everything held.'} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    failed ||= problems.length > 0;
  }
} finally {
  await server.stop();
  await removeApp(app);
}
process.exit(failed ? 1 : 0);
