import {
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { NO_MENTIONS } from '../views/message-parts.js';
import type { Reply } from './reply.js';

// How a handler's reply reaches Discord, given the acknowledgement that already went out.

export type Deferral = null | 'ephemeral' | 'public' | 'update';
export type Answerable = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction;

export async function deliver(interaction: Answerable, reply: Reply, deferral: Deferral): Promise<void> {
  switch (reply.type) {
    case 'modal': {
      if (deferral === null && !interaction.isModalSubmit()) await interaction.showModal(reply.modal);
      else await sayEphemeral(interaction, 'That took too long to open. Please press the button again.', deferral);
      return;
    }
    case 'update': {
      const body = { ...reply.body, allowedMentions: NO_MENTIONS };
      const onMessage =
        interaction.isButton() || interaction.isStringSelectMenu() || (interaction.isModalSubmit() && interaction.isFromMessage());
      if (!onMessage) {
        await sayEphemeral(interaction, reply.note ?? 'Done.', deferral);
        return;
      }
      if (deferral === 'update') await interaction.editReply(body);
      else await (interaction as ButtonInteraction).update(body);
      if (reply.note) await interaction.followUp({ content: reply.note, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    case 'message': {
      const flags = reply.ephemeral ? MessageFlags.Ephemeral : undefined;
      const { files, ...rest } = reply.body;
      const body = {
        ...rest,
        allowedMentions: NO_MENTIONS,
        ...(files ? { files: files.map((f) => ({ attachment: f.data, name: f.name })) } : {}),
      };
      let messageId: string | null = null;
      if (deferral === null) {
        const response = await interaction.reply({ ...body, ...(flags ? { flags } : {}), withResponse: true });
        messageId = response.resource?.message?.id ?? null;
      } else if (deferral !== 'update' && (deferral === 'ephemeral') === reply.ephemeral) {
        messageId = (await interaction.editReply(body)).id;
      } else {
        // Deferred with the other visibility (or as an update): drop the placeholder, answer afresh.
        if (deferral !== 'update') await interaction.deleteReply().catch(() => undefined);
        messageId = (await interaction.followUp({ ...body, ...(flags ? { flags } : {}) })).id;
      }
      if (messageId && reply.afterSend && (await reply.afterSend(messageId)) === 'withdraw') {
        await interaction.deleteReply(messageId).catch(() => undefined);
      }
      return;
    }
  }
}

/** A line only the person who acted sees, whatever acknowledgement already went out. */
export async function sayEphemeral(interaction: Answerable, content: string, deferral: Deferral): Promise<void> {
  const body = { content, allowedMentions: NO_MENTIONS };
  if (deferral === null) await interaction.reply({ ...body, flags: MessageFlags.Ephemeral });
  else if (deferral === 'ephemeral') await interaction.editReply(body);
  else {
    if (deferral === 'public') await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ ...body, flags: MessageFlags.Ephemeral });
  }
}
