import { MessageFlags, type AutocompleteInteraction, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import { insertInteractionReceipt } from '../db/interaction-receipts.js';
import { UserError } from '../services/user-error.js';
import type { InteractionOutcome } from '../ops/metrics.js';
import { missingBotPermissions, missingPermissionMessage, requiredBotPermissions } from './bot-permissions.js';
import type { HandlerContext } from './context.js';
import type { Choice } from '../services/autocomplete-service.js';
import { ephemeral, type Reply } from './reply.js';
import type { SlashCommand } from './slash-command.js';
import { handleComponent, opensForm } from './components.js';
import { deliver, type Answerable, type Deferral } from './deliver-reply.js';
import { decodeCustomId } from '../views/custom-id.js';
import { InteractionTakenOver, runInInteractionScope, type InteractionScope } from '../db/interaction-scope.js';
import type { InteractionInbox } from './interaction-inbox.js';
import { interactionLog, type InteractionLog } from './interaction-log.js';

/** Interaction ids seen lately by this process: a redelivery is dropped before it is acknowledged twice. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  /** True the first time an id is offered. */
  offer(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}

/**
 * How to acknowledge before doing any work: Discord allows 3 s, and answering first keeps the
 * acknowledgement as fast as a bare client's. Only a button that opens a modal must answer with it.
 */
export function deferralFor(interaction: Answerable, commands: ReadonlyMap<string, SlashCommand>): Deferral {
  if (interaction.isChatInputCommand()) {
    const deferAs = commands.get(interaction.commandName)?.deferAs ?? 'ephemeral';
    const chosen = typeof deferAs === 'function' ? deferAs(interaction) : deferAs;
    return chosen === 'modal' ? null : chosen;
  }
  if (interaction.isButton()) return opensForm(decodeCustomId(interaction.customId)?.action ?? '') ? null : 'update';
  if (interaction.isStringSelectMenu()) return 'update';
  return interaction.isFromMessage() ? 'update' : 'ephemeral';
}

function acknowledge(interaction: Answerable, deferral: Exclude<Deferral, null>): Promise<unknown> {
  if (deferral === 'update' && !interaction.isChatInputCommand()) return interaction.deferUpdate();
  return interaction.deferReply(deferral === 'ephemeral' ? { flags: MessageFlags.Ephemeral } : {});
}

/**
 * The one entry for interactions: acknowledges at once, dedupes redelivery, runs the handler, and
 * turns refusals into ephemeral replies. Handlers never touch the acknowledgement. With an inbox, the
 * receipt keeps what another process needs to finish the interaction should this one die.
 */
export function createInteractionRouter(
  context: HandlerContext,
  commands: ReadonlyMap<string, SlashCommand>,
  inbox: InteractionInbox | null = null,
) {
  const recent = new RecentIds(10_000);
  return async function route(interaction: Interaction): Promise<void> {
    const received = performance.now();
    const payload = inbox?.takePayload(interaction.id) ?? null;
    if (interaction.isAutocomplete()) {
      await answerAutocomplete(context, commands, interaction);
      context.metrics.observeInteraction('autocomplete', 'ok', (performance.now() - received) / 1000);
      return;
    }
    if (!interaction.isChatInputCommand() && !interaction.isButton() && !interaction.isStringSelectMenu() && !interaction.isModalSubmit())
      return;
    if (!interaction.inGuild()) {
      await interaction.reply({ content: 'storyroom works inside a server.', flags: MessageFlags.Ephemeral }).catch(() => undefined);
      return;
    }
    const log = interactionLog(context.logger, interaction);
    if (!recent.offer(interaction.id)) {
      log.info('interaction delivered twice; handled once');
      return;
    }
    const answerable: Answerable = interaction;
    const missing = missingBotPermissions(interaction.appPermissions, requiredBotPermissions(interaction, commands));
    if (missing.length > 0) {
      log.info({ missing }, 'bot lacks permissions here; refused before acting');
      await deliver(answerable, ephemeral(missingPermissionMessage(missing)), null).catch((error: unknown) =>
        log.warn({ err: error }, 'could not answer the interaction'),
      );
      context.metrics.observeInteraction(kindOf(answerable), 'refused', (performance.now() - received) / 1000);
      return;
    }
    let deferral = deferralFor(answerable, commands);
    let deferring = deferral
      ? acknowledge(answerable, deferral).catch((error: unknown) => log.warn({ err: error }, 'could not acknowledge'))
      : null;
    // A form is its own acknowledgement: when the handler cannot draw it in time (a busy database), the
    // click is acknowledged privately instead, and then told to press again, rather than failing in Discord.
    const formDeadline =
      deferral === null
        ? setTimeout(() => {
            deferral = 'ephemeral';
            deferring = acknowledge(answerable, 'ephemeral').catch((error: unknown) => log.warn({ err: error }, 'could not acknowledge'));
          }, FORM_DEADLINE_MS)
        : null;
    // In a burst, every acknowledgement leaves before any of the burst's work (a receipt, a handler) takes the event loop.
    await afterAcknowledgementsLeave();
    // Kept right after the acknowledgement, in the receipt's one statement: only what was acknowledged before any work is finished elsewhere.
    const record = deferral && payload && inbox ? inbox.recordOf(payload) : null;

    let answer: Answer | null;
    let scope: InteractionScope | null = null;
    try {
      // A form is the acknowledgement, so its reads are the clicker's wait: drawn beside the receipt, not
      // after it. Drawing a form changes nothing (its submission does), so a redelivery drawn twice is harmless.
      // A form's read and receipt go by the form lane, so a burst of other handlers holding the pool cannot hold it back.
      const db = deferral === null ? context.formDb : context.db;
      const drawing = deferral === null ? runHandler({ ...context, db }, commands, answerable, null, log) : null;
      // The durable check catches a redelivery that reached another process (a restart, another shard).
      if (!(await insertInteractionReceipt(db, interaction.id, record))) {
        log.info('interaction delivered twice; handled once');
        await Promise.allSettled([deferring, drawing]);
        if (deferral === 'public' || deferral === 'ephemeral') await answerable.deleteReply().catch(() => undefined);
        return;
      }
      scope = record && inbox ? inbox.hold(interaction.id) : null;
      await pauseForTest(context, answerable, 'afterAck', deferring, log);
      answer = await (drawing ?? runHandler(context, commands, answerable, scope, log));
    } catch (error) {
      answer = refusalFor(error, interaction.id, log, context.mentions);
    }
    if (formDeadline) clearTimeout(formDeadline);
    if (answer) await answerAndComplete(context, answerable, answer.reply, deferral, scope && inbox, deferring, log);
    else inbox?.release(interaction.id);
    context.metrics.observeInteraction(kindOf(answerable), answer?.outcome ?? 'error', (performance.now() - received) / 1000);
  };
}

type Answer = { reply: Reply; outcome: InteractionOutcome };

/** Discord allows 3 s from the click; the form, or the fallback acknowledgement, must be sent well before. */
const FORM_DEADLINE_MS = 2_000;

/**
 * Resolves once the acknowledgements requested so far are on the wire. undici (discord.js's HTTP
 * client) writes a request on a kept-alive connection from a setImmediate of its own, queued after
 * this one would be: the second turn comes after those writes and the I/O they brought back.
 */
async function afterAcknowledgementsLeave(): Promise<void> {
  for (let turn = 0; turn < 2; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * The handler, under the interaction's scope when it has an inbox receipt (its effects' transaction
 * then records that they committed). Null: another process took the interaction over and answers it.
 */
export async function runHandler(
  context: HandlerContext,
  commands: ReadonlyMap<string, SlashCommand>,
  interaction: Answerable,
  scope: InteractionScope | null,
  log: InteractionLog,
): Promise<Answer | null> {
  try {
    const reply = await (scope
      ? runInInteractionScope(scope, () => dispatch(context, commands, interaction))
      : dispatch(context, commands, interaction));
    return { reply, outcome: 'ok' };
  } catch (error) {
    if (error instanceof InteractionTakenOver) {
      log.warn('another process took this interaction over; it answers');
      return null;
    }
    return refusalFor(error, interaction.id, log, context.mentions);
  }
}

/** Keeps the reply with the receipt, delivers it, and marks the receipt finished. */
export async function answerAndComplete(
  context: HandlerContext,
  interaction: Answerable,
  reply: Reply,
  deferral: Deferral,
  inbox: InteractionInbox | null,
  deferring: Promise<unknown> | null,
  log: InteractionLog,
): Promise<void> {
  if (inbox) await inbox.keepReply(interaction.id, reply);
  await pauseForTest(context, interaction, 'beforeReply', deferring, log);
  await deferring;
  try {
    await deliver(interaction, reply, deferral);
  } catch (error) {
    log.error({ err: error }, 'could not answer the interaction');
  }
  if (inbox) await inbox.complete(interaction.id);
}

/**
 * Tests only (TEST_PAUSE_AFTER_ACK, TEST_PAUSE_BEFORE_REPLY; refused unless Discord is on loopback):
 * stops here for good, once the acknowledgement is out, so a test can kill the process at this point.
 */
async function pauseForTest(
  context: HandlerContext,
  interaction: Answerable,
  at: 'afterAck' | 'beforeReply',
  deferring: Promise<unknown> | null,
  log: InteractionLog,
): Promise<void> {
  const action = context.config.discord.testPause[at];
  if (action === null) return;
  const name = interaction.isChatInputCommand() ? interaction.commandName : (decodeCustomId(interaction.customId)?.action ?? '');
  if (name !== action) return;
  await deferring;
  log.warn({ at }, 'paused for a test (TEST_PAUSE_*): waiting to be killed');
  await new Promise<never>(() => undefined);
}

/** Suggestions while someone types: never a refusal (Discord has no room for one), at worst no suggestions. */
async function answerAutocomplete(
  context: HandlerContext,
  commands: ReadonlyMap<string, SlashCommand>,
  interaction: AutocompleteInteraction,
): Promise<void> {
  let choices: Choice[] = [];
  try {
    const command = commands.get(interaction.commandName);
    if (interaction.inGuild() && command?.autocomplete) choices = await command.autocomplete(context, interaction);
  } catch (error) {
    context.logger.warn(
      { err: error, interactionId: interaction.id, command: interaction.commandName },
      'autocomplete failed; no suggestions',
    );
  }
  await interaction
    .respond(choices.slice(0, 25))
    .catch((error: unknown) => context.logger.debug({ err: error, interactionId: interaction.id }, 'could not answer autocomplete'));
}

const kindOf = (interaction: Answerable) =>
  interaction.isChatInputCommand() ? 'command' : interaction.isButton() ? 'button' : interaction.isStringSelectMenu() ? 'select' : 'modal';

async function dispatch(context: HandlerContext, commands: ReadonlyMap<string, SlashCommand>, interaction: Answerable): Promise<Reply> {
  if (interaction.isChatInputCommand()) {
    const command = commands.get(interaction.commandName);
    if (!command) return ephemeral('That command is not part of storyroom (any more). Try `/` to see the current ones.');
    return command.execute(context, interaction as ChatInputCommandInteraction<'cached' | 'raw'>);
  }
  return handleComponent(context, interaction);
}

function refusalFor(error: unknown, interactionId: string, log: InteractionLog, mentions: HandlerContext['mentions']): Answer {
  // Services name commands as plain text; here, where the command ids are known, they become clickable.
  if (error instanceof UserError) return { reply: ephemeral(mentions.linkHints(error.message)), outcome: 'refused' };
  if (isDatabaseUnavailable(error)) {
    log.error({ err: error }, 'database unavailable while handling an interaction');
    return {
      reply: ephemeral('The story database cannot be reached right now, so nothing was changed. Please try again in a minute.'),
      outcome: 'error',
    };
  }
  log.error({ err: error }, 'interaction handler failed');
  return { reply: ephemeral(`Something went wrong on our side and nothing was changed. (reference ${interactionId})`), outcome: 'error' };
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006']);
function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/.test(message);
}
