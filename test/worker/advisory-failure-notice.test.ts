import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, embedText, WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

// Finding 14: when the continuity reviewer (or the panels agent) gives up, the thread is told, and a
// co-writer can ask for another try.
describe('an advisory agent that gives up', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let reviewerDown = true;

  beforeAll(async () => {
    h = await startStoryroom('advisorygaveup', { env: { CONTINUITY_REVIEW: 'on' } });
    h.model.setResponder((request) => {
      if (request.responseFormatName === 'continuity_review') {
        return reviewerDown ? { fault: 'server_error' } : { json: { notes: [{ kind: 'spelling', note: 'Mira is spelled "Myra" once.' }] } };
      }
      return { content: 'Myra lifts the lantern.' };
    });
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a notice appears on the page with a Retry only co-writers may press, and the retry runs the reviewer again', async () => {
    const threadId = await room.openChapter('Reviewer down');
    const viewer = room.newMember('viewer');
    await room.startPage(threadId, h.adminId, 'Mira at the pass').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const notice = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => m.content.includes('continuity reviewer could not read')),
      {
        description: 'the notice',
        timeoutMs: 20_000,
      },
    );
    expect(notice.content).toContain("page 1's narration v1");
    expect(buttonsOf(notice).map((b) => b.label)).toEqual(['Retry']);

    const refused = await room.click(threadId, notice, viewer, 'Retry').response();
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toMatch(/Only co-writers/);

    reviewerDown = false;
    const retried = await room.click(threadId, notice, h.adminId, 'Retry').response();
    expect(retried.kind).toBe('update');
    const noted = await h.discord.waitFor(
      () => (embedText(room.message(threadId, draft.id)).includes('Continuity notes') ? room.message(threadId, draft.id) : undefined),
      {
        description: 'the notes after the retry',
        timeoutMs: 20_000,
      },
    );
    expect(embedText(noted)).toContain('Myra');
    expect(buttonsOf(room.message(threadId, notice.id))).toEqual([]);
  });
});
