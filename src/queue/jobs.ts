// The BullMQ queues. What goes on them (job names, data schemas, keys) is in src/domain/jobs.ts.
export const GENERATION_QUEUE = 'generation';
export const RENDER_QUEUE = 'render';
