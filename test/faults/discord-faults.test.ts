import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, embedText, WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

describe('Discord faults', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('discordfaults');
    room = new WritersRoom(h);
    h.model.setResponder(() => ({
      content: 'Ash falls on the forge.',
      chunks: ['Ash ', 'falls ', 'on ', 'the ', 'forge.'],
      chunkDelayMs: 60,
    }));
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  const chapterOf = (threadId: string) =>
    h.database.db.selectFrom('chapters').selectAll().where('thread_id', '=', threadId).executeTakeFirstOrThrow();

  it('an edit answered with 429 backs off and lands', async () => {
    const threadId = await room.openChapter('Rate limited');
    h.discord.failNext({ method: 'PATCH', route: '/channels/:id/messages/:id', times: 2 }, { status: 429, retryAfterMs: 150 });
    await room.startPage(threadId, h.adminId, 'Edits get throttled').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    expect(embedText(draft)).toContain('Ash falls on the forge.');
    const statuses = h.discord.calls.filter((c) => c.route === '/channels/:id/messages/:id' && c.method === 'PATCH').map((c) => c.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(statuses.at(-1)).toBe(200);
  });

  it('a draft deleted while it is written is posted again, once', async () => {
    const threadId = await room.openChapter('Deleted draft');
    h.model.enqueue({ content: 'Smoke curls upward.', chunks: ['Smoke ', 'curls ', 'upward.'], chunkDelayMs: 300 });
    await room.startPage(threadId, h.adminId, 'Someone deletes the draft').response();
    const writing = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => embedText(m).includes('Page 1 · Narration v1')),
      {
        description: 'the draft being written',
      },
    );
    h.discord.deleteMessage(threadId, writing.id);
    const reposted = await room.openDraft(threadId, 1, 'Narration', 1);
    expect(reposted.id).not.toBe(writing.id);
    expect(h.discord.messages(threadId).filter((m) => embedText(m).includes('Page 1 · Narration v1'))).toHaveLength(1);
    const recorded = await h.database.db
      .selectFrom('discord_messages')
      .select('message_id')
      .where('purpose', '=', 'draft')
      .where('channel_id', '=', threadId)
      .execute();
    expect(recorded.map((r) => r.message_id)).toEqual([reposted.id]);
  });

  it('a deleted thread marks the chapter as needing attention and is not retried', async () => {
    const threadId = await room.openChapter('Vanished thread');
    // The thread disappears between the click and the worker's first post (the worker needs a relay tick first).
    await room.startPage(threadId, h.adminId, 'Nobody will see this').response();
    h.discord.deleteChannel(threadId);
    const deletedAt = h.discord.calls.length;
    const chapter = await waitForChapter(threadId, 'needs_attention');
    expect(chapter.attention_reason).toContain('10003');
    // Not retried: the job ended at its first Discord refusal, so one call reached the thread and no more.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = h.discord.calls.slice(deletedAt).filter((c) => c.path.startsWith(`/channels/${threadId}/`));
    expect(after.map((c) => c.status)).toEqual([404]);
  });

  it('a missing permission marks the chapter as needing attention', async () => {
    const threadId = await room.openChapter('No permission');
    h.discord.failNext({ method: 'POST', route: '/channels/:id/messages' }, { status: 403, code: 50013, message: 'Missing Permissions' });
    await room.startPage(threadId, h.adminId, 'The bot lost its rights').response();
    const chapter = await waitForChapter(threadId, 'needs_attention');
    expect(chapter.attention_reason).toContain('50013');
    expect(h.discord.messages(threadId).some((m) => buttonsOf(m).some((b) => b.label === 'Approve'))).toBe(false);
  });

  async function waitForChapter(threadId: string, status: string) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const chapter = await chapterOf(threadId);
      if (chapter.status === status) return chapter;
      if (Date.now() > deadline) throw new Error(`chapter never became ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
