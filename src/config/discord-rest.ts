import type { Config } from './config.js';

/**
 * The API base every Discord REST client of this process uses: the REST proxy's when one is configured
 * (the whole bot then shares Discord's global and per-route limits), else DISCORD_API_URL's, else null
 * (discord.com's). The proxy answers under /api as Discord does.
 */
export function restApiBase(discord: Pick<Config['discord'], 'apiUrl'> & { restProxyUrl?: string | null }): string | null {
  return discord.restProxyUrl ? `${discord.restProxyUrl}/api` : discord.apiUrl;
}
