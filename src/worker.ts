import { getPriority, setPriority } from 'node:os';
import { loadConfigOrExit } from './config/load-config.js';
import { createLogger } from './logger.js';
import { startWorker } from './worker/worker-app.js';

/**
 * Lowers this process's CPU priority to WORKER_NICENESS (never raises it: that needs privileges). A
 * click must be acknowledged within 3 s and a draft waits seconds on the model anyway, so on a machine
 * the bot shares with workers, the bot's work goes first. Set here, not in startWorker: only a worker
 * process of its own lowers itself.
 */
function yieldCpuToTheBot(niceness: number): void {
  try {
    if (getPriority() < niceness) setPriority(niceness);
  } catch (error) {
    logger.warn({ err: error, niceness }, "could not lower the worker's CPU priority; it runs at its current one");
  }
}

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker' });
yieldCpuToTheBot(config.worker.niceness);
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
