import { PermissionFlagsBits, PermissionsBitField, type Interaction } from 'discord.js';
import type { SlashCommand } from './slash-command.js';

// What the bot itself must be allowed to do where an interaction happens. Discord sends the bot's
// permissions in that channel with every interaction (appPermissions), so a missing one is named to
// the person before anything is changed, instead of failing later as "something went wrong".

/** Posting and editing drafts, cards and notices in a chapter thread: what every vote and page needs. */
export const THREAD_WORK =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.ReadMessageHistory;

/** Opening a chapter: a public thread off the story channel with its card. */
export const CHAPTER_OPENING = THREAD_WORK | PermissionFlagsBits.SendMessages | PermissionFlagsBits.CreatePublicThreads;

/**
 * The invite's permissions: everything above, attachments for finished pages, and pinning each
 * chapter's progress message (Pin Messages; older servers know it as part of Manage Messages).
 */
export const INVITE_PERMISSIONS = CHAPTER_OPENING | PermissionFlagsBits.AttachFiles | PermissionFlagsBits.PinMessages;

/** The permissions the bot needs for this interaction (0n: none beyond answering it). */
export function requiredBotPermissions(interaction: Interaction, commands: ReadonlyMap<string, SlashCommand>): bigint {
  if (interaction.isChatInputCommand()) return commands.get(interaction.commandName)?.botPermissions?.(interaction) ?? 0n;
  // Every button and form acts on a page or chapter in its thread.
  if (interaction.isButton() || interaction.isModalSubmit()) return THREAD_WORK;
  return 0n;
}

/** "Create Public Threads" from CreatePublicThreads. */
const spoken = (flag: string) => flag.replace(/([a-z])([A-Z])/g, '$1 $2');

/** The names of the required permissions the bot lacks here; empty when it has them all (or Discord did not say). */
export function missingBotPermissions(granted: Readonly<PermissionsBitField> | null, required: bigint): string[] {
  const missing = granted ? required & ~granted.bitfield : 0n;
  // toArray walks every flag there is: only when something is missing, not on every click.
  return missing === 0n ? [] : new PermissionsBitField(missing).toArray().map(spoken);
}

export function missingPermissionMessage(missing: readonly string[]): string {
  const list = missing.map((name) => `**${name}**`).join(', ');
  return (
    `I can't do that here: I'm missing the ${list} permission${missing.length > 1 ? 's' : ''} in this channel. ` +
    'Nothing was changed. Ask someone who can manage the server to grant it to storyroom (or its role), then try again.'
  );
}

/** The invite link with exactly the permissions storyroom uses, and the scopes for the bot and its commands. */
export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: 'bot applications.commands',
    permissions: INVITE_PERMISSIONS.toString(),
    integration_type: '0',
  });
  return `https://discord.com/oauth2/authorize?${query.toString()}`;
}
