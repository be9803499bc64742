import { REST, Routes } from 'discord.js';
import { COMMANDS } from '../../commands/index.js';
import type { Config } from '../config/config.js';
import { restApiBase } from '../config/discord-rest.js';

/** Registers every command for one guild (instant, for development) or globally (production). */
export async function registerCommands(
  discord: Pick<Config['discord'], 'token' | 'applicationId' | 'apiUrl' | 'guildId'> & { restProxyUrl?: string | null },
): Promise<{ scope: string; count: number }> {
  const api = restApiBase(discord);
  const rest = new REST({ version: '10', ...(api ? { api } : {}) }).setToken(discord.token);
  const body = [...COMMANDS.values()].map((command) => command.data.toJSON());
  const route = discord.guildId
    ? Routes.applicationGuildCommands(discord.applicationId, discord.guildId)
    : Routes.applicationCommands(discord.applicationId);
  await rest.put(route, { body });
  return { scope: discord.guildId ? `guild ${discord.guildId}` : 'global', count: body.length };
}
