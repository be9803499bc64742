import type { Interaction } from 'discord.js';
import type { LogFn } from 'pino';
import type { Logger } from '../logger.js';

/** What the router and its helpers log an interaction with. */
export type InteractionLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

type Level = keyof InteractionLog;

/**
 * The interaction's logger, with its ids bound, made on its first line at an enabled level: most
 * interactions log nothing, and a pino child (its bindings serialized and redacted) would otherwise
 * cost more, in a burst of clicks, than building the acknowledgement.
 */
export function interactionLog(logger: Logger, interaction: Interaction): InteractionLog {
  let child: Logger | null = null;
  const at =
    (level: Level): LogFn =>
    (...args: Parameters<LogFn>) => {
      if (!logger.isLevelEnabled(level)) return;
      child ??= logger.child({
        interactionId: interaction.id,
        guildId: interaction.guildId,
        channelId: interaction.channelId,
        userId: interaction.user.id,
        action: interaction.isCommand() || interaction.isAutocomplete() ? interaction.commandName : interaction.customId,
      });
      child[level](...args);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
