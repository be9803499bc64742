import { Routes, type REST } from 'discord.js';
import type { Config } from '../config/config.js';

/**
 * Clickable command mentions (`</page start:ID>`) from the ids Discord gave the registered commands.
 * Until the ids are known (or if they cannot be read) a mention falls back to plain `/page start`.
 */
export class CommandMentions {
  private readonly ids = new Map<string, string>();

  learn(commands: readonly { id: string; name: string }[]): void {
    for (const command of commands) this.ids.set(command.name, command.id);
  }

  /** `path` is the command and subcommand as typed: "page start". */
  mention(path: string): string {
    const id = this.ids.get(path.split(' ')[0] ?? '');
    return id ? `</${path}:${id}>` : `\`/${path}\``;
  }

  /** Reads the registered commands' ids: the guild's when commands are registered per guild, the global ones otherwise. */
  async load(rest: REST, discord: Pick<Config['discord'], 'applicationId' | 'guildId'>): Promise<void> {
    const route = discord.guildId ? Routes.applicationGuildCommands(discord.applicationId, discord.guildId) : Routes.applicationCommands(discord.applicationId);
    this.learn((await rest.get(route)) as { id: string; name: string }[]);
  }
}
