import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { HandlerContext } from './context.js';
import type { Reply } from './reply.js';

type Deferral = 'ephemeral' | 'public' | 'modal';

export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  /**
   * How the router acknowledges before the handler runs: the visibility of the usual reply, or
   * 'modal' when the handler answers with a form (a form cannot follow an acknowledgement).
   */
  deferAs: Deferral | ((interaction: ChatInputCommandInteraction) => Deferral);
  execute(context: HandlerContext, interaction: ChatInputCommandInteraction<'cached' | 'raw'>): Promise<Reply>;
}
