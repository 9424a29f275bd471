/**
 * One bot process for the two-instance test: bench/child.ts, plus a short claim lease and send
 * timeout from the environment (INSTANCE_LEASE_MS, INSTANCE_SEND_TIMEOUT_MS), so that an instance
 * taking over a killed one's posts is seen in seconds instead of a minute.
 */
import { startServer } from '../../index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';

const ms = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const config = loadConfig({ ...process.env, PORT: process.env.PORT ?? '0', HOST: '127.0.0.1' });
const logger = createLogger(config.LOG_LEVEL, (line) => process.stderr.write(line + '\n'));
const server = await startServer(config, logger, { leaseMs: ms('INSTANCE_LEASE_MS'), sendTimeoutMs: ms('INSTANCE_SEND_TIMEOUT_MS') });
process.stdout.write(`READY ${server.url}\n`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
