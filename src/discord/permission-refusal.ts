import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';
import { UserError } from '../services/user-error.js';

/**
 * Discord's "Missing Permissions" (50013) or "Missing Access" (50001) for something the bot tried, as
 * a refusal that names the permission to grant; null for any other error (the caller rethrows it).
 */
export function missingPermissionRefusal(error: unknown, doing: string, permission: string, after: string): UserError | null {
  if (!(error instanceof DiscordAPIError)) return null;
  if (error.code === RESTJSONErrorCodes.MissingPermissions) {
    return new UserError(`I could not ${doing}: I am missing the **${permission}** permission here. ${after}`);
  }
  if (error.code === RESTJSONErrorCodes.MissingAccess) {
    return new UserError(`I could not ${doing}: I cannot see this channel (**View Channel**). ${after}`);
  }
  return null;
}
