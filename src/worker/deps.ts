import { RESTEvents } from '@discordjs/rest';
import type OpenAI from 'openai';
import { createModelClient } from '../agents/model-client.js';
import { MultipleChoicesMemory } from '../agents/takes.js';
import type { Config } from '../config/config.js';
import { ProcessMetrics } from '../ops/metrics.js';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import { ComfyClient } from '../comfyui/comfyui-client.js';
import { createDiscordRest, DiscordMessages } from './discord-messages.js';
import { LocalRestPressure, type RestPressure } from './rest-pressure.js';

/** What every job processor is given: the worker's kernel. */
export interface WorkerDeps {
  db: Db;
  model: OpenAI;
  config: Readonly<Config>;
  messages: DiscordMessages;
  logger: Logger;
  /** This worker's Prometheus instruments (jobs, model calls, tokens, Discord rate limits). */
  metrics: ProcessMetrics;
  /** Minimum time between streamed edits of a draft message when the bot is not busy. */
  streamEditIntervalMs: number;
  /** How much of the bot's Discord REST budget is in use: drafts stream fewer edits when it is busy. */
  restPressure: RestPressure;
  /** Ask for the chapter's pinned progress message to be redrawn. */
  progress: { refresh(chapterId: number): void; refreshPanels(pageId: number): void };
  /** The worker's one ComfyUI client; null when rendering is off (no COMFYUI_URL). */
  comfy: ComfyClient | null;
  /** Model servers seen unable to answer `n` choices: their takes go as parallel requests. */
  takesMemory: MultipleChoicesMemory;
}

export type { PagePlace } from '../db/pages.js';

/** What job processors need, built from the configuration: the worker uses it, and so can a test. */
export function createWorkerDeps(
  config: Readonly<Config>,
  db: Db,
  logger: Logger,
  options: { streamEditIntervalMs?: number; metrics?: ProcessMetrics; restPressure?: RestPressure } = {},
  hooks: Pick<WorkerDeps, 'progress'> = { progress: { refresh: () => undefined, refreshPanels: () => undefined } },
): WorkerDeps {
  const metrics = options.metrics ?? new ProcessMetrics('worker');
  const streamEditIntervalMs = options.streamEditIntervalMs ?? 1_200;
  const rest = createDiscordRest(config.discord, config.worker.restBudgetPerSecond);
  const local = new LocalRestPressure(config.worker.restBudgetPerSecond, undefined, undefined, streamEditIntervalMs).attach(rest);
  rest.on(RESTEvents.RateLimited, (info) => {
    metrics.countRateLimit(info.scope, info.global);
    logger.warn({ route: info.route, scope: info.scope, global: info.global, retryAfterMs: info.retryAfter }, 'discord rate limit');
  });
  return {
    db,
    model: createModelClient(config.model),
    config,
    messages: new DiscordMessages(rest, db, logger, () => local.recordRequest()),
    logger,
    metrics,
    streamEditIntervalMs,
    restPressure: options.restPressure ?? local,
    comfy: config.render ? new ComfyClient(config.render.comfyUrl, { authorization: config.render.authorization }) : null,
    takesMemory: new MultipleChoicesMemory(),
    ...hooks,
  };
}
