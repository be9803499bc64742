import { nextSnowflake } from '../snowflake.js';
import type { JsonObject } from '../types.js';
import type { World } from '../world.js';
import { defineRoute, ID, type Route, type RouteContext, type RouteResult } from './route.js';

/** Application command registration, global and per guild: a PUT replaces the whole list, as Discord's bulk overwrite does. */
export function commandRoutes(world: World): Route[] {
  return [
    defineRoute('PUT', `/applications/${ID}/commands`, '/applications/:id/commands', true, (ctx) => putCommands(world, ctx, 'global')),
    defineRoute('PUT', `/applications/${ID}/guilds/${ID}/commands`, '/applications/:id/guilds/:id/commands', true, (ctx) => {
      const [, guildId] = ctx.params as [string, string];
      return putCommands(world, ctx, guildId);
    }),
    defineRoute('GET', `/applications/${ID}/commands`, '/applications/:id/commands', true, () => ({
      status: 200,
      body: world.commandsIn('global'),
    })),
    defineRoute('GET', `/applications/${ID}/guilds/${ID}/commands`, '/applications/:id/guilds/:id/commands', true, (ctx) => {
      const [, guildId] = ctx.params as [string, string];
      return { status: 200, body: world.commandsIn(guildId) };
    }),
  ];
}

function putCommands(world: World, ctx: RouteContext, scope: string): RouteResult {
  const list = Array.isArray(ctx.body) ? (ctx.body as JsonObject[]) : [];
  const stored = list.map((command) => ({
    ...command,
    id: nextSnowflake(),
    application_id: world.applicationId,
    version: nextSnowflake(),
    type: command.type ?? 1,
    ...(scope === 'global' ? {} : { guild_id: scope }),
  }));
  world.setCommands(scope, stored);
  return { status: 200, body: stored };
}
