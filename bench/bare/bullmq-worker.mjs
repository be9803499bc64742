/* global process, console */
// Baseline for the worker's memory: a bare BullMQ worker on the same Redis, idling. Plain JavaScript,
// run with plain node like the compiled worker.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const worker = new Worker('bare', async () => undefined, {
  connection,
  prefix: `${process.env.QUEUE_PREFIX ?? 'bench'}-bare`,
  concurrency: 4,
});
await worker.waitUntilReady();
console.log('bare worker ready');
