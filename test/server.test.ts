import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { startServer, type Server } from '../index.js';
import { loadConfig } from '../src/config.js';
import { createLogger, silentLogger, type Logger } from '../src/log.js';
import { importFile } from '../scripts/import.js';

const APP_ID = '7d2f1c3e-5b4a-4c6d-8e9f-0a1b2c3d4e5f';
const COMMISSIONER = 'c0ffee00-0000-4000-8000-000000000001';

/** A stand-in Bot Connector: records what the bot sends back to the conversation. */
async function fakeConnector() {
  const received: { url: string; body: { text?: string; type?: string } }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: body ? JSON.parse(body) : {} });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `reply-${received.length}` }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** A Teams message activity as the Bot Connector posts it, from `aadObjectId`, replying to `serviceUrl`. */
function message(text: string, serviceUrl: string, aadObjectId = 'a1e0f3b2-9999-4000-8000-000000000009') {
  return {
    type: 'message',
    id: `m-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: '29:user', name: 'Test User', aadObjectId },
    recipient: { id: '28:brokerage-bot', name: 'Brokerage Bot' },
    conversation: { id: 'a:personal-chat', conversationType: 'personal', tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' } },
    text,
    textFormat: 'plain',
    locale: 'en-GB',
  };
}

const post = (server: Server, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('server (index.ts startServer)', function () {
  this.timeout(5000);
  let dataDir: string;
  let server: Server | undefined;
  let connector: Awaited<ReturnType<typeof fakeConnector>>;

  async function start(env: Record<string, string> = {}, logger: Logger = silentLogger): Promise<Server> {
    // loadConfig accepts ports 1-65535 only, so port 0 (any free port) is set after it has checked the rest.
    const config = { ...loadConfig({ HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env }), PORT: 0 };
    server = await startServer(config, logger);
    return server;
  }

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'server-test-'));
    connector = await fakeConnector();
  });

  afterEach(async () => {
    sinon.restore();
    await server?.close();
    server = undefined;
    await connector.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('GET /healthz answers 200 {status: "ok"}', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string };
    assert.equal(body.status, 'ok');
  });

  describe('with MICROSOFT_APP_ID set (production auth)', () => {
    let outbound: sinon.SinonSpy[];

    beforeEach(async () => {
      await start({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-a-real-secret', MICROSOFT_APP_TENANT_ID: '476ca735-cce2-462b-b69e-f7284b54fab0' });
      // No request may leave this machine: a token check that fetched OpenID metadata would show here.
      const refuse = () => {
        throw new Error('outbound network call during an auth test');
      };
      outbound = [sinon.stub(http, 'request').callsFake(refuse), sinon.stub(https, 'request').callsFake(refuse), sinon.stub(https, 'get').callsFake(refuse)];
      sinon.stub(console, 'error'); // CloudAdapter prints every refused request with console.error
    });

    const expect401 = async (headers: Record<string, string>) => {
      const started = Date.now();
      const res = await post(server!, message('help', connector.url), headers);
      assert.equal(res.status, 401);
      assert.ok(Date.now() - started < 5000, 'refused at once, without waiting on the network');
      assert.equal(connector.received.length, 0, 'the bot did not answer');
      for (const spy of outbound) assert.equal(spy.callCount, 0, 'no outbound request');
    };

    it('refuses a message with no Authorization header: 401', async () => {
      await expect401({});
    });

    it('refuses a bogus bearer token: 401', async () => {
      await expect401({ authorization: 'Bearer not-a-real-token' });
    });

    it('refuses a well-formed JWT from an issuer it does not trust: 401, without fetching keys', async () => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const jwt = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64({ iss: 'https://evil.example/', aud: APP_ID, exp: Math.floor(Date.now() / 1000) + 600 })}.c2lnbmF0dXJl`;
      await expect401({ authorization: `Bearer ${jwt}` });
    });

    it('still answers /healthz, showing it is not anonymous', async () => {
      const res = await fetch(`${server!.url}/healthz`);
      assert.deepEqual(await res.json(), { status: 'ok', anonymous: false });
    });
  });

  describe('with no MICROSOFT_APP_ID (anonymous, for the Agents Playground)', () => {
    it('accepts a message without a token and answers it', async () => {
      const s = await start();
      const res = await post(s, message('whoami', connector.url));
      assert.ok([200, 201, 202].includes(res.status), `status ${res.status}`);
      const replies = connector.received.filter((r) => r.body.type === 'message');
      assert.equal(replies.length, 1);
      assert.match(replies[0].url, /^\/v3\/conversations\/a%3Apersonal-chat\/activities/);
      assert.match(replies[0].body.text ?? '', /don't have a role/);
    });
  });

  describe('malformed activities', () => {
    it('get a 400 naming what is wrong, never a 500 or 501, and the bot keeps answering', async () => {
      const s = await start();
      const good = message('whoami', connector.url);
      const invoke = { ...good, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'calloff.view', data: {} }, trigger: 'manual' } };
      const { conversation: _c, ...noConversation } = good;
      const { serviceUrl: _s, ...noServiceUrl } = good;
      const cases: [string, unknown, RegExp][] = [
        ['{}', {}, /type is required/],
        ['an array', [], /must be a JSON object/],
        ['no conversation', noConversation, /conversation is required/],
        ['no serviceUrl', noServiceUrl, /serviceUrl is required/],
        ['a conversation id of the wrong type', { ...good, conversation: { id: 42 } }, /conversation\.id must be a string/],
        ['text of the wrong type', { ...good, text: { a: 1 } }, /text must be a string/],
        ['from of the wrong type', { ...good, from: 'me' }, /from must be an object/],
        ['an invoke with no value', { ...invoke, value: undefined }, /value is required/],
        ['an invoke with a non-string verb', { ...invoke, value: { action: { type: 'Action.Execute', verb: 7 } } }, /value\.action\.verb must be a string/],
        ['an invoke whose data is not an object', { ...invoke, value: { action: { type: 'Action.Execute', verb: 'x', data: 'y' } } }, /value\.action\.data must be an object/],
        ['an invoke with no name', { ...invoke, name: undefined }, /name is required/],
      ];
      for (const [what, body, why] of cases) {
        const res = await post(s, body);
        assert.equal(res.status, 400, what);
        assert.match(((await res.json()) as { error: string }).error, why, what);
      }
      const res = await post(s, good);
      assert.ok([200, 201, 202].includes(res.status), `a good message after the bad ones: ${res.status}`);
      const unknownVerb = await post(s, invoke);
      assert.equal(unknownVerb.status, 200, 'an invoke the bot does not recognise is answered, not 501');
      const submit = await post(s, { ...invoke, value: { action: { type: 'Action.Submit', data: { verb: 'whoami.card' } }, trigger: 'manual' } });
      assert.equal(submit.status, 200, 'an Action.Submit is answered as the verb it names, not 501');
      const noVerb = await post(s, { ...invoke, value: { action: { type: 'Action.Submit', data: {} }, trigger: 'manual' } });
      assert.equal(noVerb.status, 400, 'an Action.Submit naming no verb: 400, not 501');
      const search = await post(s, { ...good, type: 'invoke', name: 'application/search', value: { queryText: 'care', dataset: 'nothing' } });
      assert.equal(search.status, 400, 'a search of a list the bot has none of: 400, not 501');
      assert.equal(((await search.json()) as { type: string }).type, 'application/vnd.microsoft.error');
    });
  });

  describe('graceful close', () => {
    it('finishes a change that started just before close() and has it on disk when close resolves', async () => {
      const file = join(dataDir, 'framework.json');
      await writeFile(
        file,
        JSON.stringify({
          lots: [{ id: 'autism', name: 'Autism' }],
          zones: [{ id: 'east', name: 'East' }],
          providers: [{ id: 'acme', name: 'Acme Care', cqcNumber: '1-101234567', status: 'admitted', lots: ['autism'], zones: ['east'] }],
          users: [{ id: COMMISSIONER, name: 'Casey Commissioner', roles: ['commissioner'] }],
        }),
      );
      await importFile(file, dataDir);

      // close() is called the moment the bot starts running the command, i.e. just as its
      // transaction is queued and before it is written.
      let closing: Promise<void> | undefined;
      const logger = createLogger('debug', (line) => {
        const entry = JSON.parse(line) as { msg: string };
        if (entry.msg === 'command' && !closing) setImmediate(() => (closing = s.close()));
      });
      const s = await start({}, logger);
      const res = await post(s, message('suspend acme graceful shutdown test', connector.url, COMMISSIONER));
      assert.equal(res.status, 200, 'the request in flight was answered');
      assert.ok(closing, 'close() was called while the request was in flight');
      const waited = Date.now();
      await closing;
      assert.ok(Date.now() - waited < 4000, 'close() does not wait for the keep-alive connection to time out');
      server = undefined; // already closed

      const providers = JSON.parse(await readFile(join(dataDir, 'providers', '0.json'), 'utf8')) as { items: Record<string, { status: string; statusReason?: string }> };
      assert.equal(providers.items.acme.status, 'suspended');
      assert.equal(providers.items.acme.statusReason, 'graceful shutdown test');
      const audit = (await readFile(join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; actor: string });
      assert.ok(audit.some((e) => e.action === 'providers.suspended' && e.actor === COMMISSIONER), 'the audit log has the change');
      assert.match(connector.received.at(-1)?.body.text ?? '', /Acme Care is now suspended/);
    });

    it('refuses new messages with 503 once closing has begun', async () => {
      const s = await start();
      const closing = s.close();
      const res = await post(s, message('help', connector.url)).catch(() => undefined);
      // Either the listener is already gone (connection refused) or the request is turned away.
      if (res) assert.equal(res.status, 503);
      await closing;
      server = undefined;
    });
  });
});
