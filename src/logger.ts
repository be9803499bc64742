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

// Discord puts the interaction or webhook token in the path (/interactions/<id>/<token>/callback,
// /webhooks/<id>/<token>), and its errors carry that URL; a token is a credential for 15 minutes.
// Bounded character classes keep this linear on any input.
const TOKEN_IN_PATH = /\/(interactions|webhooks)\/(\d{1,25})\/[^/?#\s"\\]{1,500}/g;
// user:password@ in a connection or proxy URL.
const PASSWORD_IN_URL = /(\b[a-z][a-z0-9+.-]{0,20}:\/\/[^:/@\s"\\]{0,200}):[^@/\s"\\]{1,200}@/gi;

/** A log line with any credential that rode in inside a URL or an error message replaced. */
export function scrubSecrets(line: string): string {
  return line.replace(TOKEN_IN_PATH, '/$1/$2/[redacted]').replace(PASSWORD_IN_URL, '$1:[redacted]@');
}

// Errors from the REST client also carry what was sent (requestBody: a person's text, attachments),
// and pg's pool attaches the whole client to a lost connection's error (its settings, its prepared
// statements' SQL): the log keeps type, message, code, status and where it came from, not those.
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (serialized && typeof serialized === 'object') {
    delete serialized.requestBody;
    delete serialized.client;
  }
  return serialized;
}

export function createLogger(options: { level: string; name: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      hooks: { streamWrite: scrubSecrets },
      base: { process: options.name },
    },
    options.destination ?? process.stdout,
  );
}
