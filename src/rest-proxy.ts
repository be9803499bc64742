import { parseOrExit } from './config/load-config.js';
import { parseRestProxyConfig } from './config/rest-proxy-config.js';
import { startRestProxy } from './discord/rest-proxy.js';
import { createLogger } from './logger.js';
import { closeOnSignals } from './shutdown.js';

// The bot's one Discord REST client (docs/operations.md): bot shards and workers reach Discord through it.
const config = parseOrExit(() => parseRestProxyConfig(process.env));
const logger = createLogger({ level: config.logLevel, name: 'rest-proxy' });
const running = await startRestProxy(config, logger);

closeOnSignals(logger, running);
