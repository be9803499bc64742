import { pino, type Logger } from 'pino';

export type { Logger };

// Secrets never reach a log line, whatever object they ride in on.
const REDACTED_PATHS = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'config.discord.token',
  'config.model.apiKey',
  // Connection URLs can carry passwords.
  'config.databaseUrl',
  'config.redis.url',
  'interaction.token',
];

export function createLogger(options: { level: string; name: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { process: options.name },
    },
    options.destination ?? process.stdout,
  );
}
