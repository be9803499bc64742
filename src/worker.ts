import { loadConfigOrExit } from './config/load-config.js';
import { createLogger } from './logger.js';
import { startWorker } from './worker/worker-app.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker' });
const running = await startWorker(config, logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: finishing active jobs');
  // worker.close() waits for active jobs; past the bound, BullMQ's lock expiry hands them to another worker.
  const bound = setTimeout(() => {
    logger.warn('active jobs did not finish in time; exiting, their locks will expire and another worker takes them');
    process.exit(0);
  }, 25_000);
  bound.unref();
  await running.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
