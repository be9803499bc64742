import { HttpError } from '../http-error.js';
import { channelJson } from '../payloads.js';
import type { JsonObject } from '../types.js';
import type { World } from '../world.js';
import { defineRoute, ID, knownChannel, type Route, type RouteResult } from './route.js';

/** Starting threads (on their own or from a message) and joining them. */
export function threadRoutes(world: World, violations: string[]): Route[] {
  return [
    defineRoute('POST', `/channels/${ID}/threads`, '/channels/:id/threads', true, (ctx) => {
      const [parentId] = ctx.params as [string];
      return createThread(world, violations, parentId, ctx.body, null);
    }),
    defineRoute('POST', `/channels/${ID}/messages/${ID}/threads`, '/channels/:id/messages/:id/threads', true, (ctx) => {
      const [parentId, messageId] = ctx.params as [string, string];
      return createThread(world, violations, parentId, ctx.body, messageId);
    }),
    defineRoute('PUT', `/channels/${ID}/thread-members/(@me|\\d+)`, '/channels/:id/thread-members/:id', true, (ctx) => {
      const [threadId] = ctx.params as [string];
      knownChannel(world, threadId);
      return { status: 204 };
    }),
  ];
}

function createThread(world: World, violations: string[], parentId: string, body: JsonObject, messageId: string | null): RouteResult {
  const parent = knownChannel(world, parentId);
  const name = typeof body.name === 'string' ? body.name : '';
  if (name.length < 1 || name.length > 100) {
    violations.push(`thread name is ${name.length} characters (1–100)`);
    throw new HttpError(400, 50035, 'Invalid Form Body');
  }
  // A thread from a message is public (11); one on its own defaults to private (12), as in API v9+.
  const type = messageId ? 11 : Number(body.type ?? 12);
  const thread = world.createThread(parent, { name, type, ...(messageId ? { id: messageId } : {}) });
  return { status: 201, body: channelJson(thread) };
}
