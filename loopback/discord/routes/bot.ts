import { userJson } from '../payloads.js';
import type { World } from '../world.js';
import { defineRoute, type Route } from './route.js';

/** Who the bot is and where its gateway is: what discord.js asks before it connects. */
export function botRoutes(world: World, gateway: { url: string; shards: number }): Route[] {
  return [
    defineRoute('GET', '/gateway/bot', '/gateway/bot', true, () => ({
      status: 200,
      body: {
        url: gateway.url,
        shards: gateway.shards,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      },
    })),
    defineRoute('GET', '/gateway', '/gateway', false, () => ({ status: 200, body: { url: gateway.url } })),
    defineRoute('GET', '/users/@me', '/users/@me', true, () => ({ status: 200, body: userJson(world.bot) })),
    defineRoute('GET', '/applications/@me', '/applications/@me', true, () => ({
      status: 200,
      body: { id: world.applicationId, name: world.bot.username, flags: 0, bot_public: true },
    })),
  ];
}
