import { parseWebConfig } from './config/config.js';
import { parseOrExit } from './config/load-config.js';
import { createLogger } from './logger.js';
import { startWebServer } from './web/web-server.js';

const config = parseOrExit(() => parseWebConfig(process.env));
const logger = createLogger({ level: config.logLevel, name: 'web' });
const running = await startWebServer(config, logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await running.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
