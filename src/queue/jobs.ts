import type { QueueName } from '../domain/jobs.js';

// The BullMQ queues by name. Which job goes on which (and its data, key, attempts) is declared in
// src/domain/jobs.ts; the worker's processors are in src/worker/processors.ts.
export const GENERATION_QUEUE = 'generation' satisfies QueueName;
export const RENDER_QUEUE = 'render' satisfies QueueName;
/** Redraws of views, worked by their own BullMQ worker: redrawing a view never takes a draft's place. */
export const PROGRESS_QUEUE = 'progress' satisfies QueueName;
