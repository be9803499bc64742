import { Queue, Worker, type Job } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { REDIS_URL } from '../loopback/local-redis.js';
import { startStoryroom } from '../loopback/stack.js';
import { WritersRoom } from '../loopback/writers-room.js';
import { createRedisConnection, deleteQueueKeys } from '../src/queue/redis.js';
import { now, row, summarize, type BenchRow } from './stats.js';

const SAMPLES = 15;

/** The deciding Approve click → the dialogue job starts in the worker; against add→process plus one transaction. */
export async function benchClickToJob(): Promise<BenchRow[]> {
  const h = await startStoryroom('benchjob', {});
  const prefix = `bench-bare-${randomBytes(3).toString('hex')}`;
  const connection = createRedisConnection(REDIS_URL, 'worker');
  const workerConnection = createRedisConnection(REDIS_URL, 'worker');
  const queue = new Queue('bare', { connection, prefix });
  const started = new Map<string, number>();
  const bareWorker = new Worker('bare', (job: Job) => Promise.resolve(void started.set(job.id ?? '', now())), {
    connection: workerConnection,
    prefix,
    concurrency: 4,
  });
  try {
    h.model.setResponder((request) =>
      request.responseFormatName
        ? { json: { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'A', line: 'B' }] }] } }
        : { content: 'Bench narration.' },
    );
    const room = new WritersRoom(h);
    await room.setupStory('Bench');
    const jobStarts = new Map<number, number>();
    h.worker?.worker.on('active', (job) => {
      const data = job.data as { pageId?: number; kind?: string };
      if (job.name === 'generate-draft' && data.kind === 'dialogue' && data.pageId) jobStarts.set(data.pageId, now());
    });
    const ours: number[] = [];
    for (let i = 0; i < SAMPLES; i += 1) {
      const threadId = await room.openChapter(`Bench ${i}`);
      await room.startPage(threadId, h.adminId, 'Click to job').response();
      const draft = await room.openDraft(threadId, 1, 'Narration', 1);
      const pageId = Number((draft.components[0] as { components: { custom_id: string }[] }).components[0]?.custom_id.split(':')[2]);
      const clicked = now();
      await room.click(threadId, draft, h.adminId, 'Approve').response();
      await h.discord.waitFor(() => jobStarts.has(pageId), { description: 'the dialogue job to start' });
      ours.push((jobStarts.get(pageId) ?? clicked) - clicked);
    }

    const bare: number[] = [];
    for (let i = 0; i < SAMPLES * 2; i += 1) {
      const id = `bare-${i}`;
      const t0 = now();
      await h.database.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
      });
      await queue.add('bare', {}, { jobId: id });
      await h.discord.waitFor(() => started.has(id), { description: 'the bare job' });
      bare.push((started.get(id) ?? t0) - t0);
    }
    return [row('click → job start', 'ms', summarize(ours), { name: 'BullMQ add→process + 1 PG tx', value: summarize(bare) }, '< 2× bare')];
  } finally {
    await bareWorker.close();
    await queue.close();
    connection.disconnect();
    workerConnection.disconnect();
    await deleteQueueKeys(REDIS_URL, prefix);
    await h.close();
  }
}
