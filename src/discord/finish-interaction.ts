import {
  ButtonInteraction,
  ChatInputCommandInteraction,
  DiscordAPIError,
  InteractionType,
  ModalSubmitInteraction,
  RESTJSONErrorCodes,
  type Client,
} from 'discord.js';
import type { UnfinishedInteraction } from '../db/interaction-receipts.js';
import type { HandlerContext } from './context.js';
import type { InteractionInbox } from './interaction-inbox.js';
import type { Reply } from './reply.js';
import { deliver, sayEphemeral, type Answerable, type Deferral } from './deliver-reply.js';
import { answerAndComplete, deferralFor, runHandler } from './router.js';
import type { SlashCommand } from './slash-command.js';

// A handler that died this many times with the interaction is not run again: its member is told.
const MAX_ATTEMPTS = 3;
export const DONE_BUT_UNSHOWN = 'This went through, but storyroom restarted before it could show the result here.';
export const GAVE_UP = 'storyroom restarted while handling this and could not finish it. Nothing was changed: please try again.';

/**
 * Finishes an interaction another process acknowledged and left: delivers its kept reply again if it
 * has one; says it went through if its effects committed without a reply kept; runs it again if they
 * never committed (its acknowledgement having reached Discord); or, after MAX_ATTEMPTS, says plainly
 * that it failed and nothing changed. Answers go through the interaction's webhook, with its token.
 */
export async function finishInteraction(
  client: Client<true>,
  context: HandlerContext,
  commands: ReadonlyMap<string, SlashCommand>,
  inbox: InteractionInbox,
  claimed: UnfinishedInteraction,
): Promise<void> {
  const log = context.logger.child({ interactionId: claimed.interactionId, finishing: true });
  // The handler may read the channel from the cache (discord.js caches it as a packet arrives); another shard's guild is not cached here.
  const channelId = (claimed.payload.channel as { id?: unknown } | undefined)?.id;
  if (typeof channelId === 'string' && !client.channels.cache.has(channelId)) await client.channels.fetch(channelId).catch(() => null);
  const interaction = rebuildInteraction(client, { ...claimed.payload, token: claimed.token });
  const deferral = interaction ? deferralFor(interaction, commands) : null;
  if (!interaction || deferral === null) {
    // Only an acknowledged interaction keeps a payload; this one is not one storyroom can answer now.
    await inbox.complete(claimed.interactionId);
    return;
  }
  markAcknowledged(interaction, deferral);
  if (claimed.reply !== null) {
    await deliverOrLog(() => deliver(interaction, claimed.reply as Reply, deferral), log);
  } else if (claimed.committed) {
    await deliverOrLog(() => sayEphemeral(interaction, DONE_BUT_UNSHOWN, deferral), log);
  } else if (claimed.attempts > MAX_ATTEMPTS) {
    await deliverOrLog(() => sayEphemeral(interaction, GAVE_UP, deferral), log);
  } else if (!(await wasAcknowledged(interaction, deferral))) {
    // The member saw "This interaction failed": doing it now would surprise them.
    log.warn('the acknowledgement never reached Discord; not run');
  } else {
    const answer = await runHandler(context, commands, interaction, inbox.hold(claimed.interactionId), log);
    if (!answer) return inbox.release(claimed.interactionId);
    log.info({ outcome: answer.outcome }, 'interaction run again and answered');
    return answerAndComplete(context, interaction, answer.reply, deferral, inbox, null, log);
  }
  await inbox.complete(claimed.interactionId);
}

/**
 * The interaction as discord.js would have built it from the gateway packet; its constructors are
 * private to its gateway handling, and this is the same packet, replayed from the receipt.
 */
function rebuildInteraction(client: Client<true>, payload: Record<string, unknown>): Answerable | null {
  const data = payload.data as { type?: unknown; component_type?: unknown } | undefined;
  const type = payload.type;
  const build = (kind: typeof ChatInputCommandInteraction | typeof ButtonInteraction | typeof ModalSubmitInteraction) =>
    Reflect.construct(kind, [client, payload]) as Answerable;
  if (type === InteractionType.ApplicationCommand && data?.type === 1) return build(ChatInputCommandInteraction);
  if (type === InteractionType.MessageComponent && data?.component_type === 2) return build(ButtonInteraction);
  if (type === InteractionType.ModalSubmit) return build(ModalSubmitInteraction);
  return null;
}

/** The state the acknowledgement left the interaction in, so discord.js answers through the webhook. */
function markAcknowledged(interaction: Answerable, deferral: Exclude<Deferral, null>): void {
  interaction.deferred = true;
  interaction.ephemeral = deferral === 'ephemeral';
}

/**
 * Whether Discord has the acknowledgement: without it the interaction has no webhook, and a deferred
 * reply no original message. A deferred update's original is the clicked message, whose absence says
 * nothing about the acknowledgement, so only the webhook's absence counts there.
 */
async function wasAcknowledged(interaction: Answerable, deferral: Exclude<Deferral, null>): Promise<boolean> {
  try {
    await interaction.fetchReply();
    return true;
  } catch (error) {
    if (!(error instanceof DiscordAPIError)) throw error;
    const gone = [RESTJSONErrorCodes.UnknownWebhook, RESTJSONErrorCodes.UnknownInteraction, RESTJSONErrorCodes.InvalidWebhookToken];
    if (gone.includes(error.code as RESTJSONErrorCodes)) return false;
    if (error.code === RESTJSONErrorCodes.UnknownMessage) return deferral === 'update';
    // Anything else (Discord unavailable): tried again once the lease runs out.
    throw error;
  }
}

async function deliverOrLog(send: () => Promise<void>, log: HandlerContext['logger']): Promise<void> {
  try {
    await send();
    log.info('interaction answered by a later process');
  } catch (error) {
    log.error({ err: error }, 'could not answer a left interaction');
  }
}
