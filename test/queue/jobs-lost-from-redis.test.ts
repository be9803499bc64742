import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedText, WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { deleteQueueKeys } from '../../src/queue/redis.js';
import { waitUntil } from '../../loopback/wait-until.js';

// Finding 15: every job written to the outbox runs to completion at least once, even when Redis
// loses it after the relay handed it over (a flush, a restart without persistence).
describe('a job lost from Redis after it was relayed', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('lostafterrelay', { env: { STUCK_PAGE_SECONDS: '2', PANEL_PROMPTS: 'off' } });
    h.model.setResponder((request) =>
      request.responseFormatName === 'dialogue_script'
        ? { json: { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'It glows.' }] }] } }
        : { content: 'The Mark glows in the dark.' },
    );
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  const outbox = () => h.database.db.selectFrom('outbox').selectAll().orderBy('id').execute();

  /** Stops the worker, does `act`, waits until its jobs reached Redis, then Redis loses them, and the worker starts again. */
  async function loseJobsOf(act: () => Promise<void>, jobName: string) {
    await h.stopWorker();
    const before = (await outbox()).length;
    await act();
    await waitUntil(async () => {
      const rows = (await outbox()).slice(before).filter((row) => row.job_name === jobName);
      return rows.length > 0 && rows.every((row) => row.relayed_at !== null) ? true : undefined;
    }, `${jobName} relayed`);
    await deleteQueueKeys(h.config.redis.url, h.config.redis.prefix);
    await h.startWorker();
  }

  it('a page approval’s announcement and a restored draft’s post are run after Redis lost them; every outbox job completes', async () => {
    const threadId = await room.openChapter('Lost announcements');
    await room.startPage(threadId, h.adminId, 'The Mark glows').response();
    await room.click(threadId, await room.openDraft(threadId, 1, 'Narration', 1), h.adminId, 'Approve').response();
    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);

    await loseJobsOf(async () => void (await room.click(threadId, dialogue, h.adminId, 'Approve').response()), 'announce-page');
    const announced = await waitUntil(() => {
      const found = h.discord.messages(threadId).filter((m) => embedText(m).includes('✅ Page 1 approved'));
      return found.length > 0 ? found : undefined;
    }, 'the page approved announcement');
    expect(announced).toHaveLength(1);

    await loseJobsOf(async () => {
      const reply = await h.discord
        .slashCommand({
          guildId: h.guildId,
          channelId: threadId,
          userId: h.adminId,
          name: 'page',
          subcommand: 'restore',
          options: { page: 1, version: 1, kind: 'dialogue' },
        })
        .response();
      expect(reply.content).toMatch(/restored|v2/i);
    }, 'post-draft');
    await room.openDraft(threadId, 1, 'Dialogue', 2);

    await waitUntil(
      async () => ((await outbox()).every((row) => row.completed_at !== null) ? true : undefined),
      'every outbox job completed',
    );
    expect(h.discord.messages(threadId).filter((m) => embedText(m).includes('✅ Page 1 approved'))).toHaveLength(1);
    expect(h.discord.messages(threadId).filter((m) => embedText(m).includes('Page 1 · Dialogue v2'))).toHaveLength(1);
  });
});
