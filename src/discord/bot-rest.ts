import { DefaultRestOptions, type RESTOptions } from '@discordjs/rest';
import type { Config } from '../config/config.js';
import { restApiBase } from '../config/discord-rest.js';

/** Interaction responses: the callback and the webhook calls made with an interaction's token. */
const INTERACTION_RESPONSE = /^\/v\d+\/(?:interactions|webhooks)\//;

/**
 * The bot's REST client options. With a REST proxy, everything goes through it except interaction
 * responses, which go straight to Discord: the global limit does not bind them and their limits are
 * each interaction's own, so the proxy would add only a hop (and, in a burst of clicks, a queue in one
 * process) before the acknowledgement Discord waits 3 s for.
 */
export function botRestOptions(discord: Pick<Config['discord'], 'apiUrl' | 'restProxyUrl'>): Partial<RESTOptions> {
  const api = restApiBase(discord);
  if (!api) return {};
  if (!discord.restProxyUrl) return { api };
  const direct = discord.apiUrl ?? 'https://discord.com/api';
  return {
    api,
    makeRequest: (url, init) => {
      const path = url.startsWith(api) ? url.slice(api.length) : null;
      return DefaultRestOptions.makeRequest(path !== null && INTERACTION_RESPONSE.test(path) ? `${direct}${path}` : url, init);
    },
  };
}
