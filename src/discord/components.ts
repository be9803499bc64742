import type { ComponentHandler, ComponentInput, ComponentInteraction } from './component-handler.js';
import { COMPONENTS } from './components/index.js';
import type { HandlerContext } from './context.js';
import { decodeCustomId, type CustomIdAction, type CustomIdOf } from '../views/custom-id.js';
import { ephemeral, type Reply } from './reply.js';

const HANDLERS: { [A in CustomIdAction]: ComponentHandler<A, unknown> } = COMPONENTS;

/** Buttons, selects and forms: the custom_id is decoded (and checked) once, then its action's handler parses and runs. */
export async function handleComponent(context: HandlerContext, interaction: ComponentInteraction): Promise<Reply> {
  const data = decodeCustomId(interaction.customId);
  if (!data) return ephemeral('That button is not one storyroom understands (it may be from an older version). Nothing was changed.');
  const place = { guildId: interaction.guildId ?? '', channelId: interaction.channelId ?? '', userId: interaction.user.id };
  return runHandler(context, { data, place, interaction });
}

function runHandler<A extends CustomIdAction>(
  context: HandlerContext,
  input: ComponentInput<A> & { data: CustomIdOf<A> & { action: A } },
): Promise<Reply> {
  const handler = HANDLERS[input.data.action];
  if ((handler.on === 'form') !== input.interaction.isModalSubmit() || (handler.on === 'select') !== input.interaction.isStringSelectMenu())
    return Promise.resolve(ephemeral('That button is not one storyroom understands. Nothing was changed.'));
  return handler.run(context, handler.parse(input));
}

/** Buttons answered with a form: the router must not acknowledge them first. */
export function opensForm(action: string): boolean {
  return Object.hasOwn(COMPONENTS, action) && HANDLERS[action as CustomIdAction].opensForm === true;
}
