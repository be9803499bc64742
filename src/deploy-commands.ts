import { loadConfigOrExit } from './config/load-config.js';
import { INVITE_PERMISSIONS, inviteUrl } from './discord/bot-permissions.js';
import { registerCommands } from './discord/register-commands.js';

// Run by hand after changing commands: `npm run deploy-commands` (DISCORD_GUILD_ID set → that guild only).
const config = loadConfigOrExit({ DATABASE_URL: 'postgres://unused@127.0.0.1/unused', ...process.env });
try {
  const { scope, count } = await registerCommands(config.discord);
  console.log(`Registered ${count} slash commands (${scope}).`);
  console.log(`Invite the bot with exactly the permissions it uses (${INVITE_PERMISSIONS}):\n${inviteUrl(config.discord.applicationId)}`);
} catch (error) {
  console.error(`Could not register commands: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
