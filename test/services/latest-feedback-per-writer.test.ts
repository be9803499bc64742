import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

describe('repeated Revise submits', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('repeatfeedback');
    h.model.setResponder(() => ({ content: 'The bell tolls twice.' }));
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('only each co-writer’s latest feedback reaches the next prompt; the earlier stays in the history', async () => {
    const threadId = await room.openChapter('Said it thrice');
    const b = room.newMember('b');
    const c = room.newMember('c');
    await room.join(threadId, b);
    await room.join(threadId, c);
    await room.startPage(threadId, h.adminId, 'The bell').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    for (const n of [1, 2, 3]) await room.revise(threadId, room.message(threadId, draft.id), b, `B's feedback, take ${n}`);
    await room.revise(threadId, room.message(threadId, draft.id), c, "C's only feedback");
    await room.openDraft(threadId, 1, 'Narration', 2);
    const prompt = h.model.requests.map((r) => r.promptText).find((text) => text.includes("C's only feedback")) ?? '';
    expect(prompt).toContain("B's feedback, take 3");
    expect(prompt).not.toContain("B's feedback, take 1");
    expect(prompt).not.toContain("B's feedback, take 2");
    const history = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: threadId,
        userId: h.adminId,
        name: 'page',
        subcommand: 'history',
        options: { page: 1 },
      })
      .response();
    const shown = JSON.stringify(history.embeds);
    for (const n of [1, 2, 3]) expect(shown).toContain(`B's feedback, take ${n}`);
  });
});
