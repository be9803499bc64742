import { parseWebConfig } from './config/config.js';
import { parseOrExit } from './config/load-config.js';
import { createLogger } from './logger.js';
import { closeOnSignals } from './shutdown.js';
import { startWebServer } from './web/web-server.js';

const config = parseOrExit(() => parseWebConfig(process.env));
const logger = createLogger({ level: config.logLevel, name: 'web' });
const running = await startWebServer(config, logger);

closeOnSignals(logger, running);
