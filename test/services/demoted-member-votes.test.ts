import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

// Finding 1: a vote counts only while its voter is an owner or writer of the chapter.
describe('votes of members made viewers or removed', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  const command = (
    userId: string,
    channelId: string,
    name: string,
    subcommand: string | undefined,
    options: Record<string, string | number | boolean>,
  ) => h.discord.slashCommand({ guildId: h.guildId, channelId, userId, name, ...(subcommand ? { subcommand } : {}), options }).response();

  const draftStatus = async (threadId: string) => {
    const row = await h.database.db
      .selectFrom('page_revisions as r')
      .innerJoin('story_pages as p', 'p.id', 'r.page_id')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .select(['r.status'])
      .where('c.thread_id', '=', threadId)
      .where('r.kind', '=', 'narration')
      .where('r.version', '=', 1)
      .executeTakeFirstOrThrow();
    return row.status;
  };

  beforeAll(async () => {
    h = await startStoryroom('membervotes', { env: { REVIEW_MINUTE_MS: '250' } });
    h.model.setResponder(() => ({ content: 'The lantern gutters in the draught.' }));
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a vote stops counting at a click once its voter is made a viewer', async () => {
    const threadId = await room.openChapter('Demoted voter');
    const b = room.newMember('b');
    const c = room.newMember('c');
    await room.join(threadId, b);
    await room.join(threadId, c);
    await room.startPage(threadId, h.adminId, 'Three co-writers, one leaves').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    await room.click(threadId, draft, b, 'Approve').response();
    const demoted = await command(h.adminId, threadId, 'chapter', 'members', { user: b, role: 'viewer' });
    expect(demoted.content).toMatch(/votes on open drafts no longer count/);
    // Owners and writers are now the admin and C: a majority of two is two, and only C has voted.
    await room.click(threadId, room.message(threadId, draft.id), c, 'Approve').response();
    expect(await draftStatus(threadId)).toBe('open');
    expect(JSON.stringify(room.message(threadId, draft.id).embeds)).toContain('✅ 1 approve · ✏️ 0 revise · 2 needed of 2 co-writers');
    await room.click(threadId, room.message(threadId, draft.id), h.adminId, 'Approve').response();
    expect(await draftStatus(threadId)).toBe('approved');
  });

  it('a removed member’s vote does not count at the review deadline', async () => {
    await command(h.adminId, h.storyChannelId, 'settings', undefined, { deadline_minutes: 4, deadline_rule: 'approve_on_tie' });
    const threadId = await room.openChapter('Removed voter');
    const b = room.newMember('b2');
    await room.join(threadId, b);
    await room.join(threadId, room.newMember('c2'));
    await room.startPage(threadId, h.adminId, 'A send-back from someone who left').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    // The deadline (1 s after the draft) runs on the worker: it cannot come before the removal.
    await h.stopWorker();
    await room.revise(threadId, draft, b, 'Darker, please.');
    expect((await command(h.adminId, threadId, 'chapter', 'members', { user: b, role: 'remove' })).content).toMatch(/no longer in/);
    await h.startWorker();
    const notice = await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => m.content.startsWith('⌛')), {
      description: 'deadline notice',
    });
    expect(notice.content).toMatch(/✅ 0 approve, ✏️ 0 revise, so it is approved/);
    expect(await draftStatus(threadId)).toBe('approved');
    await command(h.adminId, h.storyChannelId, 'settings', undefined, { deadline_minutes: 0 });
  });
});
