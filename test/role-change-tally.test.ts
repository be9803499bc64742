import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { embedText, WritersRoom } from '../loopback/writers-room.js';

describe('a change of who counts redraws the open drafts', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('roletally');
    room = new WritersRoom(h);
    h.model.setResponder(() => ({ content: 'The lantern gutters at the pass.' }));
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a co-writer made a viewer: the draft they voted on stops counting their vote, and says so', async () => {
    const threadId = await room.openChapter('Who counts');
    const bea = room.newMember('bea');
    const cal = room.newMember('cal');
    await room.join(threadId, bea);
    await room.join(threadId, cal);
    await room.startPage(threadId, h.adminId, 'Myra at the pass').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    await room.click(threadId, draft, bea, 'Approve').response();
    expect(embedText(room.message(threadId, draft.id))).toContain('✅ 1 approve');

    const changed = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: threadId,
        userId: h.adminId,
        name: 'chapter',
        subcommand: 'members',
        options: { user: bea, role: 'viewer' },
      })
      .response();
    expect(changed.content).toContain('no longer count');
    await h.discord.waitFor(
      () => {
        const shown = room.message(threadId, draft.id);
        return embedText(shown).includes('✅ 0 approve') ? shown : undefined;
      },
      { description: 'the draft redrawn without the viewer’s vote' },
    );
  });
});
