import { ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId } from 'discord-api-types/v10';

// Buttons and their rows as the API objects Discord takes. The views the worker draws build them
// directly, not through @discordjs/builders: its builders and their validator cost the worker about
// 6 MiB resident. Ids are checked where they are made (encodeCustomId: 100 characters at most) and
// the labels are short fixed words.

export type Button = APIButtonComponentWithCustomId;

/** A button with a custom id; `disabled` is left out unless given, as the builder did. */
export function button(customId: string, label: string, style: Button['style'], disabled?: boolean): Button {
  return { type: ComponentType.Button, custom_id: customId, label, style, ...(disabled === undefined ? {} : { disabled }) };
}

/** One row of up to five buttons. */
export function buttonRow(buttons: readonly Button[]): APIActionRowComponent<Button> {
  return { type: ComponentType.ActionRow, components: [...buttons] };
}
