import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { HandlerContext } from './context.js';
import type { Reply } from './reply.js';

export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  /** How the router acknowledges before the handler runs: the visibility of the usual reply. */
  deferAs: 'ephemeral' | 'public' | ((interaction: ChatInputCommandInteraction) => 'ephemeral' | 'public');
  execute(context: HandlerContext, interaction: ChatInputCommandInteraction<'cached' | 'raw'>): Promise<Reply>;
}
