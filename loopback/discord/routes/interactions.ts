import { HttpError } from '../http-error.js';
import type { Interactions, InteractionState } from '../interactions.js';
import { checkMessageBody, checkModal } from '../limits.js';
import { EPHEMERAL_FLAG, LOADING_FLAG } from '../payloads.js';
import type { JsonObject, StoredMessage } from '../types.js';
import type { World } from '../world.js';
import { defineRoute, ID, rejectInvalid, TOKEN, type Route, type RouteContext, type RouteResult } from './route.js';

/** The answers to interactions: the callback (reply, defer, update, modal) and the webhook calls after it. */
export function interactionRoutes(world: World, interactions: Interactions, violations: string[]): Route[] {
  const webhookMessage = (ctx: RouteContext): { state: InteractionState; message: StoredMessage } => {
    const [applicationId, token, messageId] = ctx.params as [string, string, string];
    const state = interactions.forWebhook(applicationId, token);
    const message = interactions.findMessage(state, messageId);
    if (!message) throw new HttpError(404, 10008, 'Unknown Message');
    return { state, message };
  };
  return [
    defineRoute('POST', `/interactions/${ID}/${TOKEN}/callback`, '/interactions/:id/:token/callback', false, (ctx) =>
      answerCallback(world, interactions, violations, ctx),
    ),
    defineRoute('GET', `/webhooks/${ID}/${TOKEN}/messages/(@original|\\d+)`, '/webhooks/:id/:token/messages/:id', false, (ctx) => {
      const { state, message } = webhookMessage(ctx);
      return { status: 200, body: world.toMessageJson(message, state.guildId) };
    }),
    defineRoute('PATCH', `/webhooks/${ID}/${TOKEN}/messages/(@original|\\d+)`, '/webhooks/:id/:token/messages/:id', false, (ctx) => {
      const { state, message } = webhookMessage(ctx);
      rejectInvalid(
        violations,
        checkMessageBody(ctx.body, { creating: false, hasFiles: ctx.files.length > 0, editing: message }),
        'interaction edit',
      );
      const firstAnswer = state.responses.length === 0;
      if (message.flags & LOADING_FLAG) message.flags &= ~LOADING_FLAG; // the "thinking…" placeholder becomes the answer
      world.editMessage(message, ctx.body, ctx.files);
      if (firstAnswer) interactions.recordAnswer(state, message.id === state.componentMessageId ? 'update' : 'reply', message);
      return { status: 200, body: world.toMessageJson(message, state.guildId) };
    }),
    defineRoute('DELETE', `/webhooks/${ID}/${TOKEN}/messages/(@original|\\d+)`, '/webhooks/:id/:token/messages/:id', false, (ctx) => {
      const { state, message } = webhookMessage(ctx);
      world.deleteMessage(message.channelId, message.id);
      if (ctx.params[2] === '@original') interactions.forgetEphemeralOriginal(state);
      return { status: 204 };
    }),
    defineRoute('POST', `/webhooks/${ID}/${TOKEN}`, '/webhooks/:id/:token', false, (ctx) => {
      const [applicationId, token] = ctx.params as [string, string];
      const state = interactions.forWebhook(applicationId, token);
      rejectInvalid(violations, checkMessageBody(ctx.body, { creating: true, hasFiles: ctx.files.length > 0 }), 'follow-up');
      const ephemeral = (Number(ctx.body.flags ?? 0) & EPHEMERAL_FLAG) !== 0;
      const message = world.postMessage(world.requireChannel(state.channelId), ctx.body, ctx.files, { interactionId: state.id, ephemeral });
      state.followUps.push(message);
      interactions.recordAnswer(state, 'reply', message);
      return { status: 200, body: world.toMessageJson(message, state.guildId) };
    }),
  ];
}

/** Discord's limits on autocomplete results: at most 25 choices, names and string values of 1–100 characters. */
function checkChoices(data: JsonObject): string[] {
  const choices = data.choices;
  if (!Array.isArray(choices)) return ['choices must be an array'];
  const problems = choices.length > 25 ? [`${choices.length} choices (at most 25)`] : [];
  for (const choice of choices as { name?: unknown; value?: unknown }[]) {
    if (typeof choice.name !== 'string' || choice.name.length < 1 || choice.name.length > 100)
      problems.push(`choice name ${JSON.stringify(choice.name)} must be 1–100 characters`);
    if (typeof choice.value === 'string' && (choice.value.length < 1 || choice.value.length > 100))
      problems.push(`choice value ${JSON.stringify(choice.value)} must be 1–100 characters`);
  }
  return problems;
}

/** Callback types: 4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 autocomplete result, 9 modal. */
function answerCallback(world: World, interactions: Interactions, violations: string[], ctx: RouteContext): RouteResult {
  const [id, token] = ctx.params as [string, string];
  const state = interactions.forCallback(id, token);
  const type = Number(ctx.body.type);
  const data = (ctx.body.data ?? {}) as JsonObject;
  const elapsed = interactions.checkAcknowledgeable(state, type);
  const ephemeral = (Number(data.flags ?? 0) & EPHEMERAL_FLAG) !== 0;
  if (type === 4 || type === 7)
    rejectInvalid(
      violations,
      checkMessageBody(data, {
        creating: type === 4,
        hasFiles: ctx.files.length > 0,
        editing: type === 7 ? world.requireChannel(state.channelId).messages.find((m) => m.id === state.componentMessageId) : undefined,
      }),
      `callback ${type}`,
    );
  if (type === 9) rejectInvalid(violations, checkModal(data), 'modal');
  if (type === 8 && state.type !== 4) throw new HttpError(400, 50035, 'Autocomplete results answer autocomplete interactions only');
  if (type !== 8 && state.type === 4) throw new HttpError(400, 50035, 'An autocomplete interaction is answered with callback type 8');
  if (type === 8) rejectInvalid(violations, checkChoices(data), 'autocomplete');
  if (![4, 5, 6, 7, 8, 9].includes(type)) throw new HttpError(400, 50035, `Invalid interaction callback type ${type}`);
  if ((type === 6 || type === 7) && state.type === 2)
    throw new HttpError(400, 50035, 'Component callback types need a component interaction');
  const channel = world.requireChannel(state.channelId);
  interactions.acknowledge(state, { type, ephemeral, afterMs: elapsed });
  let message: StoredMessage | null = null;
  switch (type) {
    case 4:
      message = world.postMessage(channel, data, ctx.files, { interactionId: id, ephemeral });
      interactions.setOriginal(state, message);
      interactions.recordAnswer(state, 'reply', message);
      break;
    case 5:
      message = world.postMessage(channel, { content: '', flags: LOADING_FLAG | (ephemeral ? EPHEMERAL_FLAG : 0) }, [], {
        interactionId: id,
        ephemeral,
      });
      interactions.setOriginal(state, message);
      break;
    case 6:
      break;
    case 7: {
      const target = state.componentMessageId ? channel.messages.find((m) => m.id === state.componentMessageId) : undefined;
      if (target) {
        world.editMessage(target, data, ctx.files);
        interactions.recordAnswer(state, 'update', target);
      }
      break;
    }
    case 8:
      interactions.recordChoices(state, (data.choices as { name: string; value: string | number }[] | undefined) ?? []);
      break;
    case 9:
      interactions.recordModal(state, {
        custom_id: String(data.custom_id),
        title: String(data.title),
        components: (data.components as JsonObject[]) ?? [],
      });
      break;
  }
  if (ctx.query.get('with_response') === 'true') {
    return {
      status: 200,
      body: {
        interaction: {
          id,
          type: state.type,
          response_message_id: message?.id ?? null,
          response_message_loading: type === 5,
          response_message_ephemeral: ephemeral,
        },
        resource: message ? { type, message: world.toMessageJson(message, state.guildId) } : { type },
      },
    };
  }
  return { status: 204 };
}
