import { allComponents } from './components-v2.js';
import { randomBytes } from 'node:crypto';
import type { Gateway } from './gateway.js';
import { HttpError } from './http-error.js';
import { ALL_PERMISSIONS } from './permissions.js';
import { channelJson, memberJson, userJson } from './payloads.js';
import { nextSnowflake } from './snowflake.js';
import type { InteractionHandle, InteractionResponse, JsonObject, StoredMessage } from './types.js';
import type { World } from './world.js';

const TOKEN_LIFETIME_MS = 15 * 60 * 1000;

export interface InteractionState {
  id: string;
  token: string;
  type: number;
  guildId: string | null;
  channelId: string;
  payload: JsonObject;
  dispatchedAt: number;
  ack: { type: number; at: number; ephemeral: boolean } | null;
  /** The message @original points at: the reply (4/5) or the message a component sits on (6/7). */
  originalMessageId: string | null;
  componentMessageId: string | null;
  responses: InteractionResponse[];
  /** Told when the first response is recorded: response() waits for it rather than polling. */
  onFirstResponse: (() => void)[];
  followUps: StoredMessage[];
  resolveAck: (ack: { type: number; afterMs: number }) => void;
  rejectAck: (error: Error) => void;
}

export interface SlashCommandInput {
  guildId: string;
  channelId: string;
  userId: string;
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  options?: Record<string, string | number | boolean>;
  attachments?: Record<string, AttachmentInput>;
}

/** A file attached to a command; the optional fields play a hostile or broken file host. */
export interface AttachmentInput {
  filename: string;
  contentType: string;
  /** Text, or the bytes of a binary file (an image). */
  content: string | Buffer;
  /** The URL the interaction names instead of the emulator's own. */
  url?: string;
  /** The size the interaction declares instead of the content's. */
  declaredSize?: number;
  redirectTo?: string;
  endless?: boolean;
}

export interface SelectChoiceInput {
  guildId?: string;
  channelId: string;
  userId: string;
  /** A message in the channel, or an ephemeral one shown to this member. */
  messageId: string;
  customId: string;
  values: string[];
  /** The components as this member's client last showed them (a stale view); by default, the message's own. */
  seen?: JsonObject[];
}

export interface ButtonClickInput {
  guildId?: string;
  channelId: string;
  userId: string;
  messageId: string;
  customId: string;
}

export interface ModalSubmitInput {
  guildId?: string;
  channelId: string;
  userId: string;
  customId: string;
  fields: Record<string, string>;
  messageId?: string;
}

/**
 * Interactions as a member's client would cause them, delivered over the gateway, and what the bot
 * answered to each: acknowledgement, visible responses and follow-ups, checked against Discord's rules.
 */
export class Interactions {
  private readonly byId = new Map<string, InteractionState>();
  private readonly byToken = new Map<string, InteractionState>();
  /** Ephemeral replies stay out of their channel, so @original finds them here. */
  private readonly ephemeralOriginals = new Map<string, StoredMessage>();

  constructor(
    private readonly world: World,
    private readonly gateway: Pick<Gateway, 'dispatch'>,
    private readonly violations: string[],
    private readonly options: { ackDeadlineMs: number; attachmentBaseUrl: string },
  ) {}

  // ── injecting ─────────────────────────────────────────────────────────────────────────────

  slashCommand(input: SlashCommandInput): InteractionHandle {
    return this.dispatch(2, input.guildId, input.channelId, input.userId, this.commandData(input), null);
  }

  /** The `data` of a command interaction: the options typed as the command declared them, with what they resolve to. */
  private commandData(input: SlashCommandInput): JsonObject {
    const registered = this.world.findCommand(input.guildId, input.name);
    // An option takes the type the command declared (a user, a number), as Discord's client would send it.
    type Declared = { name: string; type: number; options?: Declared[] };
    let declared = (registered?.options ?? []) as unknown as Declared[];
    if (input.subcommandGroup) declared = declared.find((o) => o.name === input.subcommandGroup)?.options ?? [];
    if (input.subcommand) declared = declared.find((o) => o.name === input.subcommand)?.options ?? [];
    const resolvedUsers: Record<string, JsonObject> = {};
    const resolvedMembers: Record<string, JsonObject> = {};
    let options: JsonObject[] = Object.entries(input.options ?? {}).map(([name, value]) => {
      const type =
        declared.find((o) => o.name === name)?.type ??
        (typeof value === 'boolean' ? 5 : typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3);
      const user = type === 6 ? this.world.findUser(String(value)) : undefined;
      if (user) {
        resolvedUsers[user.id] = userJson(user);
        const member = this.world.findMember(input.guildId, user.id);
        if (member) {
          const { user: _user, ...rest } = memberJson(member, user);
          resolvedMembers[user.id] = rest;
        }
      }
      return { name, type, value };
    });
    const resolvedAttachments: Record<string, JsonObject> = {};
    for (const [name, file] of Object.entries(input.attachments ?? {})) {
      const content = Buffer.from(file.content);
      const id = this.world.storeAttachment({
        filename: file.filename,
        contentType: file.contentType,
        content,
        ...(file.redirectTo ? { redirectTo: file.redirectTo } : {}),
        ...(file.endless ? { endless: true } : {}),
      });
      const url = file.url ?? `${this.options.attachmentBaseUrl}/${id}/${encodeURIComponent(file.filename)}`;
      resolvedAttachments[id] = {
        id,
        filename: file.filename,
        size: file.declaredSize ?? content.length,
        content_type: file.contentType,
        url,
        proxy_url: url,
      };
      options.push({ name, type: 11, value: id });
    }
    if (input.subcommand) options = [{ name: input.subcommand, type: 1, options }];
    if (input.subcommandGroup) options = [{ name: input.subcommandGroup, type: 2, options }];
    const data: JsonObject = { id: registered?.id ?? nextSnowflake(), name: input.name, type: 1, options };
    const resolved: JsonObject = {};
    if (Object.keys(resolvedAttachments).length > 0) resolved.attachments = resolvedAttachments;
    if (Object.keys(resolvedUsers).length > 0) Object.assign(resolved, { users: resolvedUsers, members: resolvedMembers });
    if (Object.keys(resolved).length > 0) data.resolved = resolved;
    return data;
  }

  /** A member typing into an option with autocomplete: `focused` names the option being typed, with its text so far. */
  autocomplete(input: SlashCommandInput & { focused: string }): InteractionHandle {
    // The focused option carries the text typed so far, whatever type the option has.
    const mark = (options: JsonObject[]): JsonObject[] =>
      options.map((option) =>
        Array.isArray(option.options)
          ? { ...option, options: mark(option.options as JsonObject[]) }
          : option.name === input.focused
            ? { ...option, value: String(option.value), focused: true }
            : option,
      );
    const data = this.commandData(input);
    return this.dispatch(
      4,
      input.guildId,
      input.channelId,
      input.userId,
      { ...data, options: mark((data.options as JsonObject[]) ?? []) },
      null,
    );
  }

  clickButton(input: ButtonClickInput): InteractionHandle {
    const channel = this.world.requireChannel(input.channelId);
    const message = channel.messages.find((m) => m.id === input.messageId);
    if (!message) throw new Error(`clickButton: message ${input.messageId} is not in channel ${input.channelId}`);
    return this.dispatch(
      3,
      input.guildId ?? channel.guildId,
      input.channelId,
      input.userId,
      { custom_id: input.customId, component_type: 2 },
      message,
    );
  }

  /**
   * A member choosing options in a string select, as the Discord client allows it: only on a select
   * the message shows, enabled, with values among its options and as many as it asks for.
   */
  chooseOption(input: SelectChoiceInput): InteractionHandle {
    const channel = this.world.requireChannel(input.channelId);
    const message =
      channel.messages.find((m) => m.id === input.messageId) ??
      [...this.byId.values()].flatMap((state) => state.followUps).find((m) => m.id === input.messageId) ??
      [...this.ephemeralOriginals.values()].find((m) => m.id === input.messageId);
    if (!message) throw new Error(`chooseOption: message ${input.messageId} is not in channel ${input.channelId}`);
    const select = allComponents(input.seen ?? message.components).find((c) => c.type === 3 && c.custom_id === input.customId);
    if (!select) throw new Error(`chooseOption: no string select ${input.customId} on message ${message.id}`);
    if (select.disabled === true) throw new Error(`chooseOption: select ${input.customId} is disabled`);
    const offered = (select.options as JsonObject[]).map((o) => String(o.value));
    const min = typeof select.min_values === 'number' ? select.min_values : 1;
    const max = typeof select.max_values === 'number' ? select.max_values : 1;
    if (input.values.some((v) => !offered.includes(v)) || input.values.length < min || input.values.length > max)
      throw new Error(`chooseOption: ${JSON.stringify(input.values)} is not a choice select ${input.customId} offers`);
    return this.dispatch(
      3,
      input.guildId ?? channel.guildId,
      input.channelId,
      input.userId,
      { custom_id: input.customId, component_type: 3, values: input.values },
      message,
    );
  }

  submitModal(input: ModalSubmitInput): InteractionHandle {
    const channel = this.world.requireChannel(input.channelId);
    const message = input.messageId ? (channel.messages.find((m) => m.id === input.messageId) ?? null) : null;
    const data = {
      custom_id: input.customId,
      components: Object.entries(input.fields).map(([customId, value]) => ({
        type: 1,
        components: [{ type: 4, custom_id: customId, value }],
      })),
    };
    return this.dispatch(5, input.guildId ?? channel.guildId, input.channelId, input.userId, data, message);
  }

  redeliver(handle: InteractionHandle): void {
    const state = this.byId.get(handle.id);
    if (!state) throw new Error('unknown interaction');
    this.gateway.dispatch('INTERACTION_CREATE', state.payload, state.guildId);
  }

  /** Fails every acknowledgement still awaited, so no test hangs on a closed emulator. */
  rejectAll(error: Error): void {
    for (const state of this.byId.values()) state.rejectAck(error);
  }

  // ── answering ─────────────────────────────────────────────────────────────────────────────

  /** The interaction a callback names; Discord answers 10062 for one it does not know. */
  forCallback(id: string, token: string): InteractionState {
    const state = this.byId.get(id);
    if (!state || state.token !== token) throw new HttpError(404, 10062, 'Unknown interaction');
    return state;
  }

  /** The interaction behind a webhook call (editReply, followUp): only after it was acknowledged, for 15 minutes. */
  /** Every interaction token handed out so far: tests check none of them leaks into a log. */
  tokens(): string[] {
    return [...this.byToken.keys()];
  }

  forWebhook(applicationId: string, token: string): InteractionState {
    const state = this.byToken.get(token);
    if (!state || applicationId !== this.world.applicationId) throw new HttpError(404, 10015, 'Unknown Webhook');
    if (Date.now() - state.dispatchedAt > TOKEN_LIFETIME_MS) throw new HttpError(401, 50027, 'Invalid Webhook Token');
    if (!state.ack) throw new HttpError(404, 10015, 'Unknown Webhook');
    return state;
  }

  /** Refuses a second or late acknowledgement as Discord does (40060, 10062); returns the time since dispatch. */
  checkAcknowledgeable(state: InteractionState, callbackType: number): number {
    const elapsed = Date.now() - state.dispatchedAt;
    if (state.ack) {
      this.violations.push(`interaction ${state.id} was acknowledged twice (callback type ${callbackType} after ${state.ack.type})`);
      throw new HttpError(400, 40060, 'Interaction has already been acknowledged.');
    }
    if (elapsed > this.options.ackDeadlineMs) {
      this.violations.push(`interaction ${state.id} was acknowledged after ${elapsed} ms (deadline ${this.options.ackDeadlineMs} ms)`);
      throw new HttpError(404, 10062, 'Unknown interaction');
    }
    return elapsed;
  }

  acknowledge(state: InteractionState, ack: { type: number; ephemeral: boolean; afterMs: number }): void {
    state.ack = { type: ack.type, at: Date.now(), ephemeral: ack.ephemeral };
    state.resolveAck({ type: ack.type, afterMs: ack.afterMs });
  }

  /** Makes this message the interaction's @original (its reply, or the deferred placeholder). */
  setOriginal(state: InteractionState, message: StoredMessage): void {
    state.originalMessageId = message.id;
    if (message.ephemeral) this.ephemeralOriginals.set(state.id, message);
  }

  forgetEphemeralOriginal(state: InteractionState): void {
    this.ephemeralOriginals.delete(state.id);
  }

  /** `@original` or a message id, as the webhook routes name them. */
  findMessage(state: InteractionState, messageId: string): StoredMessage | undefined {
    if (messageId === '@original') {
      const id = state.originalMessageId ?? state.componentMessageId;
      if (!id) return undefined;
      return (
        this.world.findMessage(state.channelId, id) ?? state.followUps.find((m) => m.id === id) ?? this.ephemeralOriginals.get(state.id)
      );
    }
    return state.followUps.find((m) => m.id === messageId) ?? this.world.findMessage(state.channelId, messageId);
  }

  /** Records what the member now sees: a reply (or follow-up) or the updated component message. */
  recordAnswer(state: InteractionState, kind: 'reply' | 'update', message: StoredMessage): void {
    this.record(state, {
      kind,
      ephemeral: message.ephemeral,
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments.map((a) => ({ filename: a.filename, content: a.content })),
    });
  }

  recordChoices(state: InteractionState, choices: { name: string; value: string | number }[]): void {
    this.record(state, { kind: 'autocomplete', ephemeral: true, content: '', embeds: [], components: [], choices });
  }

  recordModal(state: InteractionState, modal: NonNullable<InteractionResponse['modal']>): void {
    this.record(state, { kind: 'modal', ephemeral: true, content: '', embeds: [], components: [], modal });
  }

  private record(state: InteractionState, response: InteractionResponse): void {
    state.responses.push(response);
    for (const notify of state.onFirstResponse.splice(0)) notify();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private dispatch(
    type: number,
    guildId: string,
    channelId: string,
    userId: string,
    data: JsonObject,
    message: StoredMessage | null,
  ): InteractionHandle {
    this.world.requireGuild(guildId);
    const channel = this.world.requireChannel(channelId);
    const user = this.world.findUser(userId);
    const member = this.world.findMember(guildId, userId);
    if (!user || !member) throw new Error(`user ${userId} is not a member of guild ${guildId}`);
    const id = nextSnowflake();
    const token = `interaction.${randomBytes(24).toString('hex')}`;
    const payload: JsonObject = {
      id,
      application_id: this.world.applicationId,
      type,
      token,
      version: 1,
      app_permissions: (this.world.findMember(guildId, this.world.bot.id)?.permissions ?? ALL_PERMISSIONS).toString(),
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
      guild_id: guildId,
      guild: { id: guildId, locale: 'en-US', features: [] },
      channel_id: channelId,
      channel: channelJson(channel),
      member: memberJson(member, user),
      data,
      ...(message ? { message: this.world.toMessageJson(message, guildId) } : {}),
    };
    let resolveAck: InteractionState['resolveAck'] = () => undefined;
    let rejectAck: InteractionState['rejectAck'] = () => undefined;
    const acknowledged = new Promise<{ type: number; afterMs: number }>((resolve, reject) => {
      resolveAck = resolve;
      rejectAck = reject;
    });
    // A test that never awaits the acknowledgement must not see an unhandled rejection.
    acknowledged.catch(() => undefined);
    const state: InteractionState = {
      id,
      token,
      type,
      guildId,
      channelId,
      payload,
      dispatchedAt: Date.now(),
      ack: null,
      originalMessageId: null,
      componentMessageId: message?.id ?? null,
      responses: [],
      onFirstResponse: [],
      followUps: [],
      resolveAck,
      rejectAck,
    };
    this.byId.set(id, state);
    this.byToken.set(token, state);
    const { ackDeadlineMs } = this.options;
    const timer = setTimeout(() => {
      if (!state.ack) {
        this.violations.push(`interaction ${id} (${describeInteraction(type, data)}) was not acknowledged within ${ackDeadlineMs} ms`);
        rejectAck(new Error(`interaction ${id} was not acknowledged within ${ackDeadlineMs} ms`));
      }
    }, ackDeadlineMs + 250);
    timer.unref();
    this.gateway.dispatch('INTERACTION_CREATE', payload, guildId);
    const violations = this.violations;
    return {
      id,
      token,
      acknowledged,
      followUps: state.followUps,
      // Waits for the first response to be recorded (a timer of its own, not a poll: a bench of
      // hundreds of interactions at once would otherwise keep the emulator busy polling).
      async response(options = {}) {
        const first = state.responses[0];
        if (first) return first;
        let timer: NodeJS.Timeout | undefined;
        let notify: (() => void) | undefined;
        try {
          await new Promise<void>((resolve, reject) => {
            notify = resolve;
            state.onFirstResponse.push(resolve);
            timer = setTimeout(
              () =>
                reject(
                  new Error(
                    `no visible response to interaction ${id} (${describeInteraction(type, data)}); ack: ${JSON.stringify(state.ack)}; violations: ${violations.join('; ')}`,
                  ),
                ),
              options.timeoutMs ?? 10_000,
            );
          });
        } finally {
          clearTimeout(timer);
          const waiting = notify ? state.onFirstResponse.indexOf(notify) : -1;
          if (waiting >= 0) state.onFirstResponse.splice(waiting, 1);
        }
        const answered = state.responses[0];
        if (!answered) throw new Error(`interaction ${id}: told of a response that is not there`);
        return answered;
      },
    };
  }
}

function describeInteraction(type: number, data: JsonObject): string {
  if (type === 2 || type === 4) return `/${String(data.name)}`;
  return String(data.custom_id);
}
