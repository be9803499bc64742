import type { Logger } from './logger.js';

/** SIGTERM or SIGINT closes the process's work once (a second signal while closing changes nothing), then exits 0. */
export function closeOnSignals(logger: Logger, running: { close(): Promise<void> }): void {
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
