import { HttpError } from '../http-error.js';
import { checkMessageBody } from '../limits.js';
import { channelJson } from '../payloads.js';
import type { World } from '../world.js';
import { defineRoute, ID, knownChannel, knownMessage, rejectInvalid, type Route, type RouteContext, type RouteResult } from './route.js';

/** Channels and their messages: fetch or delete a channel; send, fetch, edit, delete, pin messages. */
export function channelRoutes(world: World, violations: string[]): Route[] {
  return [
    defineRoute('GET', `/channels/${ID}`, '/channels/:id', true, (ctx) => {
      const [channelId] = ctx.params as [string];
      return { status: 200, body: channelJson(knownChannel(world, channelId)) };
    }),
    defineRoute('DELETE', `/channels/${ID}`, '/channels/:id', true, (ctx) => {
      const [channelId] = ctx.params as [string];
      const body = channelJson(knownChannel(world, channelId));
      world.deleteChannel(channelId);
      return { status: 200, body };
    }),
    defineRoute('POST', `/channels/${ID}/messages`, '/channels/:id/messages', true, (ctx) => {
      const [channelId] = ctx.params as [string];
      const channel = knownChannel(world, channelId);
      rejectInvalid(violations, checkMessageBody(ctx.body, { creating: true, hasFiles: ctx.files.length > 0 }), 'message');
      const earlier = world.messageByNonce(ctx.body);
      if (earlier) return { status: 200, body: world.toMessageJson(earlier, channel.guildId) };
      const message = world.postMessage(channel, ctx.body, ctx.files, {});
      world.rememberNonce(message, ctx.body);
      return { status: 200, body: world.toMessageJson(message, channel.guildId) };
    }),
    defineRoute('GET', `/channels/${ID}/messages/${ID}`, '/channels/:id/messages/:id', true, (ctx) => {
      const [channelId, messageId] = ctx.params as [string, string];
      const channel = knownChannel(world, channelId);
      return { status: 200, body: world.toMessageJson(knownMessage(channel, messageId), channel.guildId) };
    }),
    defineRoute('PATCH', `/channels/${ID}/messages/${ID}`, '/channels/:id/messages/:id', true, (ctx) => {
      const [channelId, messageId] = ctx.params as [string, string];
      const channel = knownChannel(world, channelId);
      const message = knownMessage(channel, messageId);
      if (message.authorId !== world.bot.id) throw new HttpError(403, 50005, 'Cannot edit a message authored by another user');
      rejectInvalid(
        violations,
        checkMessageBody(ctx.body, { creating: false, hasFiles: ctx.files.length > 0, editing: message }),
        'message edit',
      );
      world.editMessage(message, ctx.body, ctx.files);
      return { status: 200, body: world.toMessageJson(message, channel.guildId) };
    }),
    defineRoute('DELETE', `/channels/${ID}/messages/${ID}`, '/channels/:id/messages/:id', true, (ctx) => {
      const [channelId, messageId] = ctx.params as [string, string];
      const channel = knownChannel(world, channelId);
      knownMessage(channel, messageId);
      world.deleteMessage(channel.id, messageId);
      return { status: 204 };
    }),
    // Newer clients pin under /messages/pins, older ones under /pins.
    defineRoute('PUT', `/channels/${ID}/(?:messages/)?pins/${ID}`, '/channels/:id/pins/:id', true, (ctx) => setPinned(world, ctx, true)),
    defineRoute('DELETE', `/channels/${ID}/(?:messages/)?pins/${ID}`, '/channels/:id/pins/:id', true, (ctx) =>
      setPinned(world, ctx, false),
    ),
  ];
}

function setPinned(world: World, ctx: RouteContext, pinned: boolean): RouteResult {
  const [channelId, messageId] = ctx.params as [string, string];
  knownMessage(knownChannel(world, channelId), messageId).pinned = pinned;
  return { status: 204 };
}
