import { HttpError } from '../http-error.js';
import type { ChannelState } from '../payloads.js';
import type { JsonObject, StoredMessage, UploadedFile } from '../types.js';
import type { World } from '../world.js';

export interface RouteContext {
  /** The path's captured segments, in order. */
  params: string[];
  body: JsonObject;
  files: UploadedFile[];
  query: URLSearchParams;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** The path with ids and tokens replaced, as calls record it and failNext matches it. */
  name: string;
  /** Whether the call needs the bot's Authorization header (interaction callbacks and webhooks do not). */
  auth: boolean;
  handle: (ctx: RouteContext) => Promise<RouteResult> | RouteResult;
}

/** A snowflake path segment, captured. */
export const ID = '(\\d{15,21})';
/** An interaction token path segment, captured. */
export const TOKEN = '([^/]+)';

export function defineRoute(method: string, path: string, name: string, auth: boolean, handle: Route['handle']): Route {
  return { method, pattern: new RegExp(`^${path}$`), name, auth, handle };
}

/** Answers 400 as Discord does for a body over its limits, and records why so the test can say. */
export function rejectInvalid(violations: string[], problems: string[], what: string): void {
  if (problems.length === 0) return;
  for (const problem of problems) violations.push(`${what}: ${problem}`);
  throw new HttpError(400, 50035, `Invalid Form Body (${problems.join('; ')})`);
}

export function knownChannel(world: World, channelId: string): ChannelState {
  const channel = world.findChannel(channelId);
  if (!channel) throw new HttpError(404, 10003, 'Unknown Channel');
  return channel;
}

export function knownMessage(channel: ChannelState, messageId: string): StoredMessage {
  const message = channel.messages.find((m) => m.id === messageId);
  if (!message) throw new HttpError(404, 10008, 'Unknown Message');
  return message;
}
