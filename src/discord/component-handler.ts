import type { ButtonInteraction, ModalSubmitInteraction, StringSelectMenuInteraction } from 'discord.js';
import type { InteractionPlace } from '../services/co-writers.js';
import type { HandlerContext } from './context.js';
import type { CustomIdAction, CustomIdOf } from '../views/custom-id.js';
import type { Reply } from './reply.js';

/** A click or a form's submission, its custom_id already decoded and checked by the codec. */
export interface ComponentInput<A extends CustomIdAction> {
  data: CustomIdOf<A>;
  place: InteractionPlace;
  interaction: ComponentInteraction;
}

export type ComponentInteraction = ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction;

/**
 * One custom_id action, like a slash command (Sapphire's interaction handler): `parse` decodes and
 * checks what the custom_id does not carry (a form's typed fields, the clicker's rights) and throws a
 * UserError to refuse; `run` calls one service and says what to answer.
 */
export interface ComponentHandler<A extends CustomIdAction, Parsed = ComponentInput<A>> {
  /** Where the custom_id arrives: on a button, a string select (its chosen value), or a submitted form. */
  on: 'button' | 'select' | 'form';
  /** A button answered with a form: the router does not acknowledge it first (a form cannot follow). */
  opensForm?: true;
  parse(input: ComponentInput<A>): Parsed;
  run(context: HandlerContext, parsed: Parsed): Promise<Reply>;
}

/** The value of a text field of a submitted form ('' when absent). */
export function formField(interaction: ComponentInteraction, fieldId: string): string {
  if (!interaction.isModalSubmit()) return '';
  const found = interaction.fields.fields.find((f) => f.customId === fieldId);
  return found && 'value' in found && typeof found.value === 'string' ? found.value : '';
}

/** The option chosen in a string select ('' when none: a select of ours always asks for exactly one). */
export function selectedValue(interaction: ComponentInteraction): string {
  return interaction.isStringSelectMenu() ? (interaction.values[0] ?? '') : '';
}

/** For handlers whose custom_id says all they need. */
export const asIs = <A extends CustomIdAction>(input: ComponentInput<A>): ComponentInput<A> => input;
