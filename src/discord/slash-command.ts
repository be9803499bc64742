import type { AutocompleteInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Choice } from '../services/autocomplete-service.js';
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
  /** What the bot itself must be allowed to do in the channel for this command (checked before it runs). */
  botPermissions?: (interaction: ChatInputCommandInteraction) => bigint;
  /** Suggestions for the option being typed (those built with setAutocomplete). */
  autocomplete?(context: HandlerContext, interaction: AutocompleteInteraction<'cached' | 'raw'>): Promise<Choice[]>;
  execute(context: HandlerContext, interaction: ChatInputCommandInteraction<'cached' | 'raw'>): Promise<Reply>;
}
