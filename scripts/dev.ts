/**
 * `npm run dev`: the bot on the embedded store with the demo framework, and the Agents
 * Playground opened against it. A new data folder is loaded with demo/framework.yaml first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { importFile } from './import.js';
import { startPlayground } from './playground.js';

async function main() {
  const config = loadConfig({ DATA_DIR: './data', ...process.env });
  const logger = createLogger(config.LOG_LEVEL);
  if (!existsSync(join(config.DATA_DIR, 'meta.json'))) {
    const counts = await importFile('demo/framework.yaml', config.DATA_DIR);
    logger.info('loaded the demo framework', { dataDir: config.DATA_DIR, ...counts });
  }
  const server = await startServer(config, logger);
  const playground = await startPlayground({
    botEndpoint: `http://localhost:${config.PORT}/api/messages`,
    configPath: 'demo/playground.yml',
    openBrowser: process.env.OPEN_BROWSER !== 'false',
  });
  process.stdout.write(
    `\n  Brokerage Bot is running on ${server.url}/api/messages\n  Agents Playground (a local Teams): ${playground.url}\n` +
      `  You are Alex Morgan (broker and commissioner in the demo). Type "help" in the chat.\n  Ctrl+C stops both.\n\n`,
  );
  const stop = async () => {
    await playground.stop();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`Could not start: ${(e as Error).message}\n`);
  process.exit(1);
});
