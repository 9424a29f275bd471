/** The real bot server in its own process (so the bench can SIGKILL it): prints its URL when listening. */
import { startServer } from '../index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';

const config = loadConfig({ ...process.env, PORT: process.env.PORT ?? '0', HOST: '127.0.0.1' });
const logger = createLogger(config.LOG_LEVEL, (line) => process.stderr.write(line + '\n'));
const server = await startServer(config, logger);
process.stdout.write(`READY ${server.url}\n`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
