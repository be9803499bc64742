import {
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { UserError } from '../services/user-error.js';
import type { HandlerContext } from './context.js';
import { NO_MENTIONS } from './render/message-parts.js';
import { ephemeral, type Reply } from './reply.js';
import type { SlashCommand } from './slash-command.js';
import { handleComponent } from './components.js';

/** Past this, the router acknowledges first and answers by editing: Discord allows 3 s. */
const DEFER_AFTER_MS = 1_500;

type Deferral = null | 'ephemeral' | 'public' | 'update';
type Answerable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/**
 * The one entry for interactions: dedupes redelivery, runs the handler, acknowledges within the
 * deadline, and turns refusals into ephemeral replies. Handlers never touch the acknowledgement.
 */
export function createInteractionRouter(context: HandlerContext, commands: ReadonlyMap<string, SlashCommand>) {
  return async function route(interaction: Interaction): Promise<void> {
    if (!interaction.isChatInputCommand() && !interaction.isButton() && !interaction.isModalSubmit()) return;
    if (!interaction.inGuild()) {
      await interaction.reply({ content: 'storyroom works inside a server.', flags: MessageFlags.Ephemeral }).catch(() => undefined);
      return;
    }
    const log = context.logger.child({
      interactionId: interaction.id,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      userId: interaction.user.id,
      action: interaction.isChatInputCommand() ? interaction.commandName : interaction.customId,
    });
    const answerable: Answerable = interaction;
    let deferral: Deferral = null;
    let deferring: Promise<unknown> | null = null;
    const deferAs: Exclude<Deferral, null> = interaction.isChatInputCommand()
      ? (commands.get(interaction.commandName)?.deferAs ?? 'ephemeral')
      : interaction.isButton() || interaction.isFromMessage()
        ? 'update'
        : 'ephemeral';
    const timer = setTimeout(() => {
      deferral = deferAs;
      deferring = (
        deferAs === 'update' && !interaction.isChatInputCommand()
          ? interaction.deferUpdate()
          : answerable.deferReply(deferAs === 'ephemeral' ? { flags: MessageFlags.Ephemeral } : {})
      ).catch((error: unknown) => log.warn({ err: error }, 'could not defer'));
    }, DEFER_AFTER_MS);

    let reply: Reply;
    try {
      if (!(await isFirstDelivery(context, interaction.id))) {
        clearTimeout(timer);
        log.info('interaction delivered twice; handled once');
        return;
      }
      reply = await dispatch(context, commands, interaction);
    } catch (error) {
      reply = refusalFor(error, interaction.id, log);
    }
    clearTimeout(timer);
    if (deferring) await deferring;
    try {
      await deliver(answerable, reply, deferral);
    } catch (error) {
      log.error({ err: error }, 'could not answer the interaction');
    }
  };
}

async function isFirstDelivery(context: HandlerContext, interactionId: string): Promise<boolean> {
  const inserted = await context.db
    .insertInto('interaction_receipts')
    .values({ interaction_id: interactionId })
    .onConflict((oc) => oc.column('interaction_id').doNothing())
    .returning('interaction_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

async function dispatch(context: HandlerContext, commands: ReadonlyMap<string, SlashCommand>, interaction: Answerable): Promise<Reply> {
  if (interaction.isChatInputCommand()) {
    const command = commands.get(interaction.commandName);
    if (!command) return ephemeral('That command is not part of storyroom (any more). Try `/` to see the current ones.');
    return command.execute(context, interaction as ChatInputCommandInteraction<'cached' | 'raw'>);
  }
  return handleComponent(context, interaction);
}

function refusalFor(error: unknown, interactionId: string, log: HandlerContext['logger']): Reply {
  if (error instanceof UserError) return ephemeral(error.message);
  if (isDatabaseUnavailable(error)) {
    log.error({ err: error }, 'database unavailable while handling an interaction');
    return ephemeral('The story database cannot be reached right now, so nothing was changed. Please try again in a minute.');
  }
  log.error({ err: error }, 'interaction handler failed');
  return ephemeral(`Something went wrong on our side and nothing was changed. (reference ${interactionId})`);
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006']);
function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/.test(message);
}

async function deliver(interaction: Answerable, reply: Reply, deferral: Deferral): Promise<void> {
  switch (reply.type) {
    case 'modal': {
      if (deferral === null && !interaction.isModalSubmit()) await interaction.showModal(reply.modal);
      else await sayEphemeral(interaction, 'That took too long to open. Please press the button again.', deferral);
      return;
    }
    case 'update': {
      const body = { ...reply.body, allowedMentions: NO_MENTIONS };
      const onMessage = interaction.isButton() || (interaction.isModalSubmit() && interaction.isFromMessage());
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
      const body = { ...reply.body, allowedMentions: NO_MENTIONS };
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
      if (messageId && reply.afterSend) await reply.afterSend(messageId);
      return;
    }
  }
}

/** A line only the person who acted sees, whatever acknowledgement already went out. */
async function sayEphemeral(interaction: Answerable, content: string, deferral: Deferral): Promise<void> {
  const body = { content, allowedMentions: NO_MENTIONS };
  if (deferral === null) await interaction.reply({ ...body, flags: MessageFlags.Ephemeral });
  else if (deferral === 'ephemeral') await interaction.editReply(body);
  else {
    if (deferral === 'public') await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ ...body, flags: MessageFlags.Ephemeral });
  }
}
