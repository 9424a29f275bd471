/**
 * The real bot server in its own process (so the bench and tests can SIGKILL it): prints its URL
 * when listening. BOT_LEASE_MS and BOT_SEND_TIMEOUT_MS shorten the claim lease and the send
 * timeout, so a test sees an instance take over a killed one's posts in seconds, not a minute.
 */
import { startServer } from '../index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { enablePhases, takeTurnPhases } from '../src/telemetry/phases.js';

// BENCH_PHASES_FILE: every turn timed phase by phase, written there when the bot stops (bench/phases.ts reads it).
if (process.env.BENCH_PHASES_FILE) enablePhases();

const config = loadConfig({ ...process.env, PORT: process.env.PORT ?? '0', HOST: '127.0.0.1' });
const logger = createLogger(config.LOG_LEVEL, (line) => process.stderr.write(line + '\n'));
const ms = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const server = await startServer(config, logger, { leaseMs: ms('BOT_LEASE_MS'), sendTimeoutMs: ms('BOT_SEND_TIMEOUT_MS') });
process.stdout.write(`READY ${server.url}\n`);
// BENCH_MEMORY_FILE: where the memory went (V8's heap spaces, buffers), written on stop, for the RSS figures.
const memory = () => ({ ...process.memoryUsage(), spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size])) });
const stop = async () => {
  if (process.env.BENCH_MEMORY_FILE) writeFileSync(process.env.BENCH_MEMORY_FILE, JSON.stringify(memory()));
  // BENCH_HEAP_SNAPSHOT=<folder>: what is still alive after the turns (a look for what grew), before closing.
  if (process.env.BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(join(process.env.BENCH_HEAP_SNAPSHOT, `bot-${process.pid}.heapsnapshot`));
  await server.close();
  if (process.env.BENCH_PHASES_FILE) writeFileSync(process.env.BENCH_PHASES_FILE, JSON.stringify(takeTurnPhases()));
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
