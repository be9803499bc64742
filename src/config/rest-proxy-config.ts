import * as z from 'zod';
import { url } from './config-fields.js';
import { ConfigError } from './config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// The Discord REST proxy reads no secret: every process behind it sends its own Authorization header,
// which the proxy passes on. It needs only where Discord is and where to listen.
const restProxySchema = z.object({
  DISCORD_API_URL: url(['http:', 'https:']).optional(),
  REST_PROXY_PORT: z.coerce.number().int().min(0).max(65_535).default(8090),
  REST_PROXY_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export interface RestProxyConfig {
  /** Discord's API base (DISCORD_API_URL; null: discord.com's). */
  upstream: string | null;
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

export function parseRestProxyConfig(env: Record<string, string | undefined>): Readonly<RestProxyConfig> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = restProxySchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const e = result.data;
  return Object.freeze({ upstream: e.DISCORD_API_URL ?? null, port: e.REST_PROXY_PORT, host: e.REST_PROXY_HOST, logLevel: e.LOG_LEVEL });
}
