import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { HandlerContext } from './context.js';
import type { Reply } from './reply.js';

export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  /** How the router acknowledges when the handler is slow: the visibility of the eventual reply. */
  deferAs: 'ephemeral' | 'public';
  execute(context: HandlerContext, interaction: ChatInputCommandInteraction<'cached' | 'raw'>): Promise<Reply>;
}
