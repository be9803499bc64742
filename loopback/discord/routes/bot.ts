import { userJson } from '../payloads.js';
import type { SessionStarts } from '../session-starts.js';
import type { World } from '../world.js';
import { defineRoute, type Route } from './route.js';

/** Who the bot is and where its gateway is: what discord.js asks before it connects. */
export function botRoutes(world: World, gateway: { url: string; shards: number; sessionStarts: SessionStarts }): Route[] {
  return [
    defineRoute('GET', '/gateway/bot', '/gateway/bot', true, () => ({
      status: 200,
      body: {
        url: gateway.url,
        shards: gateway.shards,
        session_start_limit: gateway.sessionStarts.limit(),
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
