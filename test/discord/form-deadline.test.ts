import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { holdTable, untilWaitingForLocks } from '../../loopback/table-lock.js';
import { WritersRoom } from '../../loopback/writers-room.js';

// A button that opens a form must answer with the form within Discord's 3 s. When the database is too
// busy for the handler to draw it in time, the click is acknowledged privately and then told to press
// again: Discord never shows "This interaction failed", and nothing has been typed that could be lost.
describe('a form that cannot be drawn in time', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('formdeadline', { proxy: true });
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    h?.proxies?.postgres.flow();
    await h?.close();
  });

  it('is acknowledged privately within the deadline and says to press again; pressed again, the form opens', async () => {
    const threadId = await room.openChapter('Busy night');
    await room.startPage(threadId, h.adminId, 'The forge is busy').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);

    h.proxies?.postgres.stall();
    const clicked = room.click(threadId, draft, h.adminId, 'Revise');
    // Acknowledged while the database still holds every statement: no form, a deferred private answer.
    const acknowledged = await clicked.acknowledged;
    expect(acknowledged.type).toBe(5);
    expect(acknowledged.afterMs).toBeLessThan(3_000);
    h.proxies?.postgres.flow();
    const told = await clicked.response();
    expect(told.kind).not.toBe('modal');
    expect(told.ephemeral).toBe(true);
    expect(told.content).toBe('That took too long to open. Please press the button again.');

    const opened = await room.click(threadId, draft, h.adminId, 'Revise').response();
    expect(opened.kind).toBe('modal');
    expect(opened.modal?.title).toMatch(/^Revise page 1 narration v1/);
  });
});

// A form's one read goes by a lane of its own (a few connections beside BOT_DB_CONNECTIONS): other
// handlers holding every connection of the pool do not hold the form back.
describe('a form while other handlers hold the whole pool', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('formlane', {
      env: { BOT_DB_CONNECTIONS: '2', PAGE_START_COOLDOWN_SECONDS: '0', MAX_GENERATIONS_PER_GUILD: '10' },
    });
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('opens at once, not after the pool frees up', async () => {
    const threadId = await room.openChapter('The open draft');
    await room.startPage(threadId, h.adminId, 'The forge is busy').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const busyThreads = [await room.openChapter('Busy one'), await room.openChapter('Busy two'), await room.openChapter('Busy three')];

    // Holds the outbox, which starting a page writes and drawing a form never reads: each start keeps its connection, waiting.
    const outbox = await holdTable(h.database.db, 'outbox');
    try {
      const starts = busyThreads.map((busy, i) => room.startPage(busy, h.adminId, `Busy page ${i}`));
      await untilWaitingForLocks(h.database.db, 2, 'both of the pool connections waiting inside a page start');

      const clicked = room.click(threadId, draft, h.adminId, 'Revise');
      const acknowledged = await clicked.acknowledged;
      expect(acknowledged.type).toBe(9);
      const form = await clicked.response();
      expect(form.kind).toBe('modal');
      expect(form.modal?.title).toMatch(/^Revise page 1 narration v1/);

      await outbox.release();
      for (const start of starts) expect((await start.response()).content).not.toMatch(/went wrong|cannot be reached/);
    } finally {
      await outbox.release();
    }
  });
});
