import { ApplicationCommandOptionType, Routes, type REST } from 'discord.js';
import type { Config } from '../config/config.js';

/** A registered command as Discord lists it: enough to name it and its subcommands. */
interface RegisteredCommand {
  id: string;
  name: string;
  options?: readonly { type: ApplicationCommandOptionType; name: string }[];
}

/** `/page start` or `/help` in a text: the command, then a possible subcommand (both bounded). */
const HINT = /(^|[\s(])\/([a-z-]{1,32})(?: ([a-z-]{1,32}))?(?![\w-])/g;

/**
 * Clickable command mentions (`</page start:ID>`) from the ids Discord gave the registered commands.
 * Until the ids are known (or if they cannot be read) a mention falls back to plain `/page start`.
 */
export class CommandMentions {
  private readonly ids = new Map<string, string>();
  private readonly subcommands = new Set<string>();

  learn(commands: readonly RegisteredCommand[]): void {
    for (const command of commands) {
      this.ids.set(command.name, command.id);
      for (const option of command.options ?? []) {
        if (option.type === ApplicationCommandOptionType.Subcommand) this.subcommands.add(`${command.name} ${option.name}`);
      }
    }
  }

  /** `path` is the command and subcommand as typed: "page start". */
  mention(path: string): string {
    const id = this.ids.get(path.split(' ')[0] ?? '');
    return id ? `</${path}:${id}>` : `\`/${path}\``;
  }

  /**
   * Every `/command subcommand` hint in a text (a refusal written by a service, which knows nothing of
   * Discord) as a clickable mention; text naming no registered command stays as it is.
   */
  linkHints(text: string): string {
    return text.replace(HINT, (hint: string, before: string, name: string, sub: string | undefined) => {
      const id = this.ids.get(name);
      if (!id) return hint;
      if (sub !== undefined && this.subcommands.has(`${name} ${sub}`)) return `${before}</${name} ${sub}:${id}>`;
      return `${before}</${name}:${id}>${sub === undefined ? '' : ` ${sub}`}`;
    });
  }

  /** Reads the registered commands' ids: the guild's when commands are registered per guild, the global ones otherwise. */
  async load(rest: REST, discord: Pick<Config['discord'], 'applicationId' | 'guildId'>): Promise<void> {
    const route = discord.guildId
      ? Routes.applicationGuildCommands(discord.applicationId, discord.guildId)
      : Routes.applicationCommands(discord.applicationId);
    this.learn((await rest.get(route)) as RegisteredCommand[]);
  }
}
