import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { managedIdentityPassword, POSTGRES_RESOURCE } from '../../../src/store/postgres/managedIdentity.js';

describe('signing in to Azure PostgreSQL with the managed identity', () => {
  let server: Server;
  let endpoint: string;
  let calls: URL[];
  let answer: { status: number; body: unknown };

  beforeEach(async () => {
    calls = [];
    answer = { status: 200, body: { access_token: 'token-1', expires_on: String(Math.floor(Date.now() / 1000) + 3600) } };
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      calls.push(url);
      if (req.headers['x-identity-header'] !== 'secret') {
        // Two calls: restify, loaded by other tests, patches writeHead so it no longer returns the response.
        res.writeHead(401);
        res.end('{"error":"bad header"}');
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
  });
  afterEach(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });

  it('asks App Service for a token for Azure Database for PostgreSQL, with the identity header, and reuses it', async () => {
    const password = managedIdentityPassword({ IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: 'secret', AZURE_CLIENT_ID: 'client-9' });
    assert.equal(await password(), 'token-1');
    assert.equal(await password(), 'token-1');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].searchParams.get('resource'), POSTGRES_RESOURCE);
    assert.equal(calls[0].searchParams.get('api-version'), '2019-08-01');
    assert.equal(calls[0].searchParams.get('client_id'), 'client-9');
  });

  it('fetches a new token five minutes before the old one expires', async () => {
    let clock = Date.now();
    const password = managedIdentityPassword({ IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: 'secret' }, () => clock);
    await password();
    clock += 56 * 60_000;
    answer.body = { access_token: 'token-2', expires_on: String(Math.floor(clock / 1000) + 3600) };
    assert.equal(await password(), 'token-2');
    assert.equal(calls.length, 2);
  });

  it('says what went wrong when the endpoint refuses', async () => {
    const password = managedIdentityPassword({ IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: 'wrong' });
    await assert.rejects(password(), /answered 401/);
  });

  it('refuses to start without the App Service identity variables', () => {
    assert.throws(() => managedIdentityPassword({}), /IDENTITY_ENDPOINT/);
  });
});
