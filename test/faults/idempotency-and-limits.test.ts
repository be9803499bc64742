import { Job, Queue } from 'bullmq';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedText, WritersRoom } from '../../loopback/writers-room.js';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { GENERATION_QUEUE } from '../../src/queue/jobs.js';
import { createRedisConnection } from '../../src/queue/redis.js';
import { processGenerateDraft } from '../../src/worker/generate-draft.js';
import { createWorkerDeps } from '../../src/worker/deps.js';
import { REDIS_URL } from '../../loopback/local-redis.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

describe('a job run twice', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('jobtwice', { worker: false });
    room = new WritersRoom(h);
    h.model.setResponder(() => ({
      content: 'Written once, shown once.',
      chunks: ['Written ', 'once, ', 'shown ', 'once.'],
      chunkDelayMs: 40,
    }));
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('two runs of one job at once (a false stall) record one revision and post one message', async () => {
    const threadId = await room.openChapter('Twice');
    await room.startPage(threadId, h.adminId, 'Run me twice').response();
    const connection = createRedisConnection(REDIS_URL, 'worker');
    const queue = new Queue(GENERATION_QUEUE, { connection, prefix: h.config.redis.prefix });
    try {
      const key = (await h.database.db.selectFrom('outbox').select('job_key').executeTakeFirstOrThrow()).job_key;
      let job: Job | undefined;
      for (let i = 0; i < 100 && !job; i += 1) {
        job = await Job.fromId(queue, key);
        if (!job) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (!job) throw new Error('the job never reached Redis');
      const deps = createWorkerDeps(h.config, h.database.db, pino({ level: 'silent' }), { streamEditIntervalMs: 20 });
      const results = await Promise.all([processGenerateDraft(deps, job), processGenerateDraft(deps, job)]);
      // One run records the draft; the other finds it recorded, or finds the page moved on (stale).
      expect(results.filter((r) => r === 'recorded')).toHaveLength(1);
      const again = await processGenerateDraft(deps, job);
      expect(again).toBe('already recorded');
      const revisions = await h.database.db.selectFrom('page_revisions').select('version').execute();
      expect(revisions).toEqual([{ version: 1 }]);
      await room.openDraft(threadId, 1, 'Narration', 1);
      expect(h.discord.messages(threadId).filter((m) => embedText(m).includes('Page 1 · Narration v1'))).toHaveLength(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});

describe('limits that protect the wallet', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('limits', { worker: false, env: { PAGE_START_COOLDOWN_SECONDS: '60', MAX_GENERATIONS_PER_GUILD: '2' } });
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a co-writer starting pages too fast, and queues a page past the server’s cap of drafts at once, showing its place', async () => {
    const first = await room.openChapter('One');
    const second = await room.openChapter('Two');
    const third = await room.openChapter('Three');
    const bea = room.newMember('bea');
    const cy = room.newMember('cy');
    await room.join(second, bea);
    await room.join(third, cy);

    await room.startPage(first, h.adminId, 'First in line').response();
    const queued = await room.startPage(second, bea, 'Second in line').response();
    expect(JSON.stringify(queued.embeds)).toContain('Queued: the narration will appear below');

    await room.join(third, h.adminId);
    const tooFast = await room.startPage(third, h.adminId, 'Again so soon').response();
    expect(tooFast).toMatchObject({ ephemeral: true, content: expect.stringMatching(/wait \d+ more seconds?/) });

    // Past the cap of two the page is not refused: it waits its turn (the worker holds it until a slot frees).
    const capped = await room.startPage(third, cy, 'One too many').response();
    expect(capped.ephemeral).toBe(false);
    expect(JSON.stringify(capped.embeds)).toContain("Waiting: 1st in this server's queue");
    const pages = await h.database.db.selectFrom('story_pages').select('input').orderBy('id').execute();
    expect(pages.map((p) => p.input)).toEqual(['First in line', 'Second in line', 'One too many']);
  });
});

describe('logs', () => {
  it('never carry a secret, and are structured JSON', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = parseConfig({
      DISCORD_TOKEN: 'discord-secret-token',
      DISCORD_APPLICATION_ID: '123456789012345678',
      DATABASE_URL: 'postgres://u:db-secret-password@127.0.0.1/db',
      REDIS_URL: 'redis://:redis-secret@127.0.0.1:6379',
      OPENAI_API_KEY: 'sk-secret-key',
    });
    const logger = createLogger({ level: 'info', name: 'test', destination: sink });
    logger.info({ config, pageId: 7, jobId: 'generate-draft-p7-narration-v1' }, 'starting');
    logger.child({ pageId: 7 }).warn({ token: 'interaction-secret', headers: { authorization: 'Bot discord-secret-token' } }, 'oops');
    const text = lines.join('');
    expect(text).not.toMatch(/secret/);
    const first = JSON.parse(lines[0] ?? '{}') as { pageId?: number; jobId?: string; msg?: string };
    expect(first).toMatchObject({ pageId: 7, jobId: 'generate-draft-p7-narration-v1', msg: 'starting' });
  });
});
