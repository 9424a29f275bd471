import restify from 'restify';
import { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { createBot } from './bot/app.js';
import { activityProblem } from './bot/activityShape.js';
import type { Deps } from './bot/deps.js';
import { teamsDelivery } from './bot/delivery.js';
import { graphChannelMessages, graphToken } from './bot/channelMessages.js';
import { startRuntime, type Runtime } from './bot/runtime.js';
import { newInstanceId } from './src/store/instance.js';
import { ConfigError, loadConfig, type Config } from './src/config.js';
import { createLogger, type Logger } from './src/log.js';
import { openStore } from './src/store/open.js';
import type { BrokerageStore } from './src/store/collections.js';
import { ReportLinks } from './src/reports/links.js';
import { ReportFiles } from './src/reports/files.js';
import { linkSecret } from './src/reports/linkSecret.js';
import { FileShelf, PRIVATE_FILE_TTL_MS, shelfResponse } from './src/reports/shelf.js';
import { RefusalAudit } from './src/app/refusals.js';
import { buildName } from './src/buildInfo.js';
import { traced, turn, turnOutcome } from './src/metrics.js';
import { observe, startTelemetry } from './bot/telemetry.js';

export interface Server {
  url: string;
  /** The background posting and deadlines, for tests that move time on. */
  runtime: Runtime;
  /** The store, for tests that seed data the bot then reports on. */
  store: BrokerageStore;
  /** Report charts and CSVs behind signed links (GET /files/:token), drawn when opened. */
  files: ReportFiles;
  /** Choice packs and payments exports behind one-hour signed links, on the same route. */
  shelf: FileShelf;
  /**
   * Stops: readiness and new turns answer 503 at once; with `drainMs`, the port stays open that
   * long first, so turns already on their way (a balancer that has not yet seen /readyz fail) get
   * that clean 503, which it can send to another instance, instead of a dropped connection.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

export interface ServerOptions {
  /** The clock (tests replace it to pass a deadline without waiting). */
  now?: () => Date;
  /** Claims on posts and jobs (default 60 s) and the wait for the Bot Connector's answer (default 20 s): tests shorten them to see an instance take over. */
  leaseMs?: number;
  sendTimeoutMs?: number;
  /** This process among the instances (default: a new id); main() makes it first, for telemetry. */
  instanceId?: string;
}

/** How long a stopping instance waits for posts already on their way to Teams to be answered. */
const STOP_POSTING_GRACE_MS = 5_000;
/** On SIGTERM, how long the port stays open answering 503 before it closes (Server.close's drainMs). */
const SIGTERM_DRAIN_MS = 1_000;

/** Starts the bot: store, Teams adapter, HTTP endpoints. Resolves once it is listening. */
export async function startServer(config: Config, logger: Logger, options: ServerOptions = {}): Promise<Server> {
  const instanceId = options.instanceId ?? newInstanceId();
  const opened = await openStore(config, { instanceId });
  // Each transaction a span of the turn, job or send that ran it (nothing when telemetry is off).
  const store = traced(opened.store);
  const auth: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.MICROSOFT_APP_ID,
    MicrosoftAppPassword: config.MICROSOFT_APP_PASSWORD,
    MicrosoftAppType: config.MICROSOFT_APP_TYPE,
    MicrosoftAppTenantId: config.MICROSOFT_APP_TENANT_ID,
  };
  const adapter = new TeamsAdapter(config.anonymous ? {} : auth);
  if (config.anonymous) {
    logger.warn('ANONYMOUS MODE: MICROSOFT_APP_ID is not set, so requests are accepted without a Bot Framework token. Use this only on your own machine with the Agents Playground.');
  }
  const now = options.now ?? (() => new Date());
  let publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`; // the real port once listening
  // Links name what to draw and are signed with LINK_SECRET (or a key kept in DATA_DIR), so they open after a restart and on any instance with the key.
  const secret = await linkSecret(config.LINK_SECRET, config.DATA_DIR);
  const links = new ReportLinks({ secret, ttlMs: config.LINK_TTL_DAYS * 86_400_000, baseUrl: () => publicUrl, now });
  const files = new ReportFiles(store, links, now);
  // Choice packs and payments exports hold personal or payment data: made when asked, kept in memory for an hour.
  const shelf = new FileShelf({ secret, ttlMs: PRIVATE_FILE_TTL_MS, baseUrl: () => publicUrl, now, storage: opened.shelf });
  // Every refusal is audited from the first turn: the log exists before the bot does.
  const deps: Deps = {
    store,
    logger,
    config,
    now,
    links,
    files: shelf,
    refusals: new RefusalAudit(store, logger),
    ops: { probe: opened.probe, kind: opened.kind, where: opened.where, instanceId },
  };
  const bot = createBot(deps, adapter);
  // Queued posts and deadlines resume here after a restart, or on another instance (each claims what it sends or runs).
  const channelMessages = config.READ_CHANNEL_MESSAGES ? graphChannelMessages({ graphUrl: config.GRAPH_URL, appId: config.MICROSOFT_APP_ID ?? '', token: graphToken(config) }) : undefined;
  const runtime = startRuntime(deps, teamsDelivery(adapter, config.MICROSOFT_APP_ID ?? '', deps, { channelMessages }), { receipts: opened.receipts, ledger: opened.ledger, instanceId, leaseMs: options.leaseMs, timeoutMs: options.sendTimeoutMs });
  // Other instances (and `ops`) see this one alive until it stops.
  const presence = await opened.probe.announce({ id: instanceId, build: buildName(), startedAt: new Date().toISOString(), seenAt: '' }, (error) =>
    logger.warn('could not record this instance as alive; ops may not list it', { error: String(error) }),
  );

  const server = restify.createServer({ name: 'brokerage-bot' });
  server.use(restify.plugins.queryParser());
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024 }));
  let stopping = false;

  server.post('/api/messages', async (req, res) =>
    turn(String((req.body as { type?: unknown } | undefined)?.type ?? ''), async () => {
      if (stopping) {
        turnOutcome('stopping');
        res.header('connection', 'close');
        res.send(503, { error: 'shutting down' });
        return;
      }
      const problem = activityProblem(req.body);
      if (problem) {
        turnOutcome('malformed');
        logger.warn('malformed activity refused', { problem });
        res.send(400, { error: `Not a Bot Framework activity the bot can act on: ${problem}.` });
        return;
      }
      await adapter.process(req, res, (ctx) => bot.app.run(ctx).then(() => undefined));
    }),
  );
  server.get('/files/:token', async (req, res) => {
    const token = String(req.params.token ?? '');
    // A report link names what to draw (five parts); a personal document's link names a file on the shelf (three).
    const answer = token.split('.').length === 3 ? await shelfResponse(shelf, token, now()) : await files.respond(token);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  server.get('/healthz', (_req, res, next) => {
    res.send(stopping ? 503 : 200, { status: stopping ? 'stopping' : 'ok', anonymous: config.anonymous });
    next();
  });
  // Liveness is /healthz; readiness asks the store, so a load balancer sends turns only to an
  // instance whose store answers with the schema this build needs (and none to one stopping).
  server.get('/readyz', async (_req, res) => {
    if (stopping) return void res.send(503, { status: 'stopping' });
    const health = await opened.probe.health();
    const ready = health.answers && (health.schema?.current ?? true);
    if (!ready) logger.warn('not ready', { problem: health.problem });
    const schema = health.schema && { database: health.schema.applied.at(-1)?.version ?? 0, build: health.schema.known };
    // The reason in general words: the store's own error (a host, a role) stays in the log.
    const reason = !health.answers ? 'the store does not answer' : 'the database schema is not the one this build needs';
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', store: health.kind, ...(schema ? { schema } : {}), ...(ready ? {} : { reason }) });
  });

  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${address.port}`;
  if (!config.PUBLIC_URL) publicUrl = `http://localhost:${address.port}`;
  if (!config.anonymous && !publicUrl.startsWith('https://')) logger.warn('PUBLIC_URL is not an https:// address Teams can reach: report charts and CSV links will not open in Teams', { publicUrl });
  logger.info('listening', { url, messages: `${url}/api/messages`, store: opened.kind, at: opened.where, instance: instanceId });

  return {
    url,
    runtime,
    store,
    files,
    shelf,
    async close(options = {}) {
      stopping = true;
      // Posting stops at once: sends under way finish and their claims are given back, so another
      // instance takes the rest now rather than when the claims' leases run out (within the 10 s
      // the process gives itself to stop).
      const posting = runtime.stop(STOP_POSTING_GRACE_MS);
      if (options.drainMs) await new Promise((r) => setTimeout(r, options.drainMs));
      // Stop taking requests, let the ones in flight finish, then flush every pending write.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections (the Bot Connector keeps them) would hold close() open for seconds, or
      // up to the 10 s force exit while traffic keeps them busy: end each as soon as it is idle.
      const sweep = setInterval(() => (server.server as import('node:http').Server).closeIdleConnections(), 100);
      await closed;
      clearInterval(sweep);
      await posting;
      await deps.refusals.flush(); // counts of a flood still inside its window
      await presence.stop();
      await store.close();
      logger.info('stopped');
    },
  };
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nSee the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const instanceId = newInstanceId();
  const telemetry = await startTelemetry({ instanceId, build: buildName() });
  if (telemetry) logger.info('telemetry on', { to: telemetry.to });
  const server = await startServer(config, logger, { instanceId });
  if (telemetry) observe(server, logger);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await server.close({ drainMs: SIGTERM_DRAIN_MS });
    await telemetry?.shutdown(); // what is buffered goes out before the process ends
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((e) => {
    process.stderr.write(`Brokerage Bot failed to start: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
