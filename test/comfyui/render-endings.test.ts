import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepStuckRendersNow } from '../../loopback/sweep-now.js';
import { jobKeyFor } from '../../src/domain/jobs.js';
import { RENDER_QUEUE } from '../../src/queue/jobs.js';
import { createRedisConnection } from '../../src/queue/redis.js';
import { sweepStuckRenders } from '../../src/queue/sweeper.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import type { StoredMessage } from '../../loopback/discord/types.js';
import { buttonsOf, WritersRoom } from '../../loopback/writers-room.js';
import { panelsMessage, roomWithRenderedPanels, waitForPanels } from './panels-story.js';

const footerOf = (message: StoredMessage, panel: number) =>
  (message.embeds[panel - 1]?.footer as { text?: string } | undefined)?.text ?? '';
const hasButton = (message: StoredMessage, label: string) => buttonsOf(message).some((b) => b.label === label && !b.disabled);

// Every render ends, done or failed: whatever goes wrong, none stays `submitted` (which would block
// Reroll of its panel, hide it from Retry, and count against the server's cap for good).
describe('every render ends: a failure of any kind is recorded and shown with a Retry', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;

  const latest = (panel: number) =>
    h.database.db
      .selectFrom('panel_renders')
      .select(['id', 'page_id', 'render_number', 'status', 'failure_kind'])
      .where('panel_number', '=', panel)
      .orderBy('render_number', 'desc')
      .executeTakeFirstOrThrow();
  const click = async (label: string) => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    return room.click(threadId, message, writer, label).response();
  };

  beforeAll(async () => {
    h = await startStoryroom('render-endings', {
      env: { PANEL_PROMPTS: 'on', RENDER_TIMEOUT_SECONDS: '5', LOG_LEVEL: 'silent' },
      comfyui: { stepDelayMs: 2 },
    });
    room = new WritersRoom(h);
    ({ threadId, writer } = await roomWithRenderedPanels(h, room, 'Endings', 'Lanterns'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a render that fails on every attempt for a reason other than an unreachable ComfyUI ends failed, shown with Retry; Reroll works again', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    h.comfy.faults.unexpectedHistory = true;
    await waitForPanels(h, threadId, 'Reroll 1 enabled', (m) => hasButton(m, 'Reroll 1'));
    await click('Reroll 1');
    const render = await latest(1);
    const shown = await waitForPanels(
      h,
      threadId,
      'the failure shown',
      (m) => footerOf(m, 1).startsWith(`render ${render.render_number} `) && footerOf(m, 1).includes('failed:'),
    );
    h.comfy.faults.unexpectedHistory = false;
    expect(hasButton(shown, 'Retry failed panels')).toBe(true);
    expect(await latest(1)).toMatchObject({ id: render.id, status: 'failed', failure_kind: 'error' });
    expect((await click('Reroll 1')).content).toMatch(/Panel 1 is being drawn again with a new seed/);
    await waitForPanels(
      h,
      threadId,
      'panel 1 drawn',
      (m) => footerOf(m, 1).startsWith(`render ${render.render_number + 1} `) && footerOf(m, 1).endsWith('done'),
    );
  });

  it('the sweeper fails a render left submitted past its time with no job to finish it, and the panels message shows it with Retry', async () => {
    await waitForPanels(h, threadId, 'Reroll 2 enabled', (m) => hasButton(m, 'Reroll 2'));
    const render = await latest(2);
    // A worker that died for good mid-render, its job gone: the row says submitted, long ago.
    await h.database.db
      .updateTable('panel_renders')
      .set({ status: 'submitted', image_hash: null, finished_at: null, submitted_at: new Date(Date.now() - 3_600_000) })
      .where('id', '=', render.id)
      .execute();
    expect(await sweepStuckRendersNow(h)).toBe(1);
    expect(await latest(2)).toMatchObject({ id: render.id, status: 'failed', failure_kind: 'timeout' });
    const shown = await waitForPanels(
      h,
      threadId,
      'the swept render shown failed',
      (m) => footerOf(m, 2).startsWith(`render ${render.render_number} `) && footerOf(m, 2).includes('failed:'),
    );
    expect(hasButton(shown, 'Retry failed panels')).toBe(true);
    expect(await sweepStuckRendersNow(h)).toBe(0);
  });

  it('a render still queued whose job died on its last attempt (Postgres down through every try) is failed by the sweeper and shown with Retry', async () => {
    await waitForPanels(h, threadId, 'Reroll 1 enabled', (m) => hasButton(m, 'Reroll 1'));
    const render = await latest(1);
    await h.database.db
      .updateTable('panel_renders')
      .set({ status: 'queued', image_hash: null, finished_at: null, submitted_at: null })
      .where('id', '=', render.id)
      .execute();
    await sql`update panel_renders set created_at = now() - interval '1 hour' where id = ${render.id}`.execute(h.database.db);
    // Its job, dead in a render queue of its own (so the harness's worker leaves it alone): failed on its
    // only attempt. The harness's queue loses the job that drew it, as the sweeper removes a dead one.
    const data = { pageId: render.page_id, renderId: render.id };
    const connection = createRedisConnection(h.config.redis.url, 'worker');
    const live = new Queue(RENDER_QUEUE, { connection, prefix: h.config.redis.prefix });
    await (await live.getJob(jobKeyFor('render-panel', data)))?.remove();
    await live.close();
    const prefix = `dead-${randomUUID().slice(0, 8)}`;
    const queue = new Queue(RENDER_QUEUE, { connection, prefix });
    const taker = new Worker(RENDER_QUEUE, null, { connection: createRedisConnection(h.config.redis.url, 'worker'), prefix });
    try {
      await queue.add('render-panel', data, { jobId: jobKeyFor('render-panel', data), attempts: 1 });
      const token = randomUUID();
      const job = await taker.getNextJob(token);
      if (!job) throw new Error('no job to fail');
      await job.moveToFailed(new Error('Connection terminated unexpectedly'), token);
      expect(await job.getState()).toBe('failed');
      expect(await sweepStuckRenders(h.database.db, queue, pino({ level: 'silent' }), 60_000)).toBe(1);
    } finally {
      await taker.close();
      await queue.close();
      connection.disconnect();
    }
    expect(await latest(1)).toMatchObject({ id: render.id, status: 'failed', failure_kind: 'error' });
    const shown = await waitForPanels(
      h,
      threadId,
      'the dead render shown failed',
      (m) => footerOf(m, 1).startsWith(`render ${render.render_number} `) && footerOf(m, 1).includes('failed:'),
    );
    expect(hasButton(shown, 'Retry failed panels')).toBe(true);
  });
});
