import { prepareApp, removeApp, type PreparedApp } from '../../scripts/rehearse/app.js';

/**
 * The production build, installed without dev dependencies (scripts/rehearse/app.ts), made once per
 * test run for every test that starts it, and removed when the run ends. `npm test` has already
 * type-checked the sources, so the build here only emits (`--noCheck`).
 */
let prepared: Promise<PreparedApp> | undefined;

export function productionApp(): Promise<PreparedApp> {
  prepared ??= prepareApp({ check: false });
  return prepared;
}

if (typeof after === 'function') {
  after(async function () {
    this.timeout(60_000);
    const app = await prepared?.catch(() => undefined);
    prepared = undefined;
    if (app) await removeApp(app);
  });
}
