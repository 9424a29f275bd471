import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.js';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const TENANT = '476CA735-cce2-462b-b69e-f7284b54fab0';

describe('loadConfig', () => {
  it('gives defaults for an empty environment and runs anonymously', () => {
    const c = loadConfig({});
    assert.deepEqual(
      { PORT: c.PORT, HOST: c.HOST, DATA_DIR: c.DATA_DIR, LOG_LEVEL: c.LOG_LEVEL, MICROSOFT_APP_TYPE: c.MICROSOFT_APP_TYPE, anonymous: c.anonymous },
      { PORT: 3978, HOST: '0.0.0.0', DATA_DIR: './data', LOG_LEVEL: 'info', MICROSOFT_APP_TYPE: 'MultiTenant', anonymous: true },
    );
  });

  it('treats empty variables as unset', () => {
    assert.equal(loadConfig({ PORT: '', MICROSOFT_APP_ID: '' }).anonymous, true);
  });

  it('reads a port and credentials, and is not anonymous with an app id', () => {
    const c = loadConfig({ PORT: '8080', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'secret', MICROSOFT_APP_TENANT_ID: TENANT });
    assert.equal(c.PORT, 8080);
    assert.equal(c.anonymous, false);
  });

  it('needs no password for a managed identity', () => {
    assert.equal(loadConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TYPE: 'UserAssignedMSI', MICROSOFT_APP_TENANT_ID: TENANT }).anonymous, false);
  });

  it('with several instances in a real tenant, needs PUBLIC_URL: report links must name the load balancer, not an instance', () => {
    const production = { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: TENANT, DATABASE_URL: 'postgres://brokerage_app@db.example/brokerage', LINK_SECRET: 'x'.repeat(32) };
    assert.throws(() => loadConfig(production), /PUBLIC_URL: is required when DATABASE_URL and MICROSOFT_APP_ID are set: the load balancer's HTTPS address/);
    assert.equal(loadConfig({ ...production, PUBLIC_URL: 'https://brokerage.council.gov.uk/' }).PUBLIC_URL, 'https://brokerage.council.gov.uk');
    assert.equal(loadConfig({ ...production, MICROSOFT_APP_ID: '' }).PUBLIC_URL, undefined, 'anonymous (tests, a laptop): links name localhost');
  });

  it('refuses a bad PORT, naming it', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: Error) => e instanceof ConfigError && /PORT/.test(e.message));
    assert.throws(() => loadConfig({ PORT: '70000' }), /PORT/);
  });

  it('refuses an app id without a password, naming the password', () => {
    assert.throws(() => loadConfig({ MICROSOFT_APP_ID: APP_ID }), (e: Error) => e instanceof ConfigError && /MICROSOFT_APP_PASSWORD: is required when MICROSOFT_APP_ID is set/.test(e.message));
  });

  it('names every bad variable at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TYPE: 'SingleTenant' }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        for (const name of ['PORT', 'LOG_LEVEL', 'MICROSOFT_APP_PASSWORD', 'MICROSOFT_APP_TENANT_ID']) assert.match(e.message, new RegExp(`  ${name}: `), name);
        return true;
      },
    );
  });

  it('refuses an app id that is not a GUID', () => {
    assert.throws(() => loadConfig({ MICROSOFT_APP_ID: 'my-bot', MICROSOFT_APP_PASSWORD: 'x' }), /MICROSOFT_APP_ID: must be the Azure Bot's app \(client\) id/);
  });

  it("needs the council's tenant with an app id, and reads the council tenants in lower case", () => {
    assert.throws(() => loadConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'x' }), /MICROSOFT_APP_TENANT_ID: is required when MICROSOFT_APP_ID is set \(the council's tenant/);
    assert.deepEqual(loadConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: TENANT, COUNCIL_TENANT_IDS: ' b-2 , ,A-1' }).councilTenants, [TENANT.toLowerCase(), 'b-2', 'a-1']);
    assert.deepEqual(loadConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'x', COUNCIL_TENANT_IDS: 'a-1' }).councilTenants, ['a-1']);
    assert.deepEqual(loadConfig({}).councilTenants, []);
  });

  it('chooses PostgreSQL with DATABASE_URL, and then needs the shared link key', () => {
    assert.equal(loadConfig({}).DATABASE_URL, undefined);
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://bot@db/brokerage' }), /LINK_SECRET: is required when DATABASE_URL is set/);
    const c = loadConfig({ DATABASE_URL: 'postgres://bot@db/brokerage?sslmode=verify-full', LINK_SECRET: 'x'.repeat(32), PGPASSWORD_FROM: 'managed-identity' });
    assert.equal(c.DATABASE_URL, 'postgres://bot@db/brokerage?sslmode=verify-full');
    assert.equal(c.PG_POOL_SIZE, 10);
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://db/x', LINK_SECRET: 'x'.repeat(32) }), /DATABASE_URL: must be a PostgreSQL URL/);
    assert.throws(() => loadConfig({ PGPASSWORD_FROM: 'managed-identity' }), /PGPASSWORD_FROM: only applies with DATABASE_URL/);
  });
});
