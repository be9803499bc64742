import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, embedText, WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

// Finding 13: a chapter marked as needing attention is recovered with a command, not with SQL.
describe('/chapter reopen', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('chapterreopen');
    h.model.setResponder(() => ({ content: 'Embers drift over the ridge.' }));
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  const chapterRow = () =>
    h.database.db.selectFrom('chapters').select(['status', 'thread_id', 'attention_reason']).executeTakeFirstOrThrow();
  const reopen = (userId: string, channelId: string, options: Record<string, number> = {}) =>
    h.discord.slashCommand({ guildId: h.guildId, channelId, userId, name: 'chapter', subcommand: 'reopen', options }).response();

  it('a chapter whose thread was deleted reopens in a new thread with its open draft, for owners only', async () => {
    const threadId = await room.openChapter('Lost thread');
    await room.startPage(threadId, h.adminId, 'The ridge burns').response();
    await room.openDraft(threadId, 1, 'Narration', 1);
    h.discord.deleteChannel(threadId);
    // As the worker marks it when a Discord call finds the thread gone (test/faults/discord-faults.test.ts).
    await h.database.db
      .updateTable('chapters')
      .set({ status: 'needs_attention', attention_reason: 'Discord error 10003: Unknown Channel' })
      .execute();

    const stranger = room.newMember('stranger');
    expect((await reopen(stranger, h.storyChannelId, { number: 1 })).content).toMatch(/Only the chapter's owners/);
    expect((await chapterRow()).status).toBe('needs_attention');

    const reply = await reopen(h.adminId, h.storyChannelId, { number: 1 });
    expect(reply.content).toMatch(/open again in a new thread/);
    const chapter = await chapterRow();
    expect(chapter.status).toBe('open');
    expect(chapter.attention_reason).toBeNull();
    expect(chapter.thread_id).not.toBe(threadId);
    const newThread = chapter.thread_id ?? '';
    await h.discord.waitFor(() => h.discord.messages(newThread).find((m) => buttonsOf(m).some((b) => b.label === 'Join')), {
      description: 'the chapter card',
    });
    const draft = await room.openDraft(newThread, 1, 'Narration', 1);
    expect(embedText(draft)).toContain('Embers drift over the ridge.');
    expect((await reopen(h.adminId, newThread)).content).toMatch(/does not need reopening/);
  });
});
