import { loadConfigOrExit } from './config/load-config.js';
import { startBot } from './discord/bot-app.js';
import { createLogger } from './logger.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'bot' });
const running = await startBot(config, logger);

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
