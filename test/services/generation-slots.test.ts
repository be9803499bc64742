import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BESIDE_THE_SUITE, startStoryroomProcess, type StoryroomProcess } from '../../loopback/processes.js';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { seedChapter, seedPage, seedStory } from '../../loopback/seed.js';
import type { RecordedRequest, ScriptedReply } from '../../loopback/model/server.js';
import { embedText, WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { claimGenerationSlot, type SlotDecision } from '../../src/services/generation-slots.js';

const SCRIPT = { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'In turn.' }] }] };
const WAITING_FIRST = "Waiting: 1st in this server's queue";

/** The model, holding every call until the test lets it answer: the calls it holds are the drafts being written. */
class ModelGate {
  private readonly held: (() => void)[] = [];
  private open = false;
  /** The most calls held at once. */
  mostAtOnce = 0;

  readonly responder = async (request: RecordedRequest): Promise<ScriptedReply> => {
    if (!this.open) {
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        this.mostAtOnce = Math.max(this.mostAtOnce, this.held.length);
      });
    }
    return request.responseFormatName ? { json: SCRIPT } : { content: 'The Mark glows, in its turn.' };
  };

  get holding(): number {
    return this.held.length;
  }

  answerOne(): void {
    this.held.shift()?.();
  }

  openUp(): void {
    this.open = true;
    for (const answer of this.held.splice(0)) answer();
  }

  close(): void {
    this.open = false;
    this.mostAtOnce = 0;
  }
}

// Finding 6: the cap on drafts a server writes at once holds for every draft, whatever queued it; a
// draft over it waits its turn with its place shown, and is never refused or dropped.
describe('the per-server generation cap', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  const gate = new ModelGate();
  const threads: string[] = [];

  beforeAll(async () => {
    h = await startStoryroom('gencap', { env: { MAX_GENERATIONS_PER_GUILD: '2', WORKER_CONCURRENCY: '4' } });
    room = new WritersRoom(h);
    h.model.setResponder(gate.responder);
    await room.setupStory();
    for (let i = 0; i < 3; i += 1) threads.push(await room.openChapter(`Capped ${i}`));
  });
  afterAll(async () => {
    gate.openUp();
    await h?.close();
  });

  const waitingThread = () => threads.find((threadId) => h.discord.messages(threadId).some((m) => embedText(m).includes(WAITING_FIRST)));

  it('three starts at once with a cap of two: all queued, two written, the third shows its place and runs when a slot frees', async () => {
    const replies = await Promise.all(threads.map((threadId, i) => room.startPage(threadId, h.adminId, `Page in turn ${i}`).response()));
    expect(replies.map((reply) => reply.ephemeral)).toEqual([false, false, false]);
    await h.discord.waitFor(() => gate.holding === 2, { description: 'two drafts being written' });
    const waiting = await h.discord.waitFor(waitingThread, { description: 'the third draft showing its place' });
    // Its page card says so too; and nothing else was let through while the two are held.
    expect(h.discord.messages(waiting).some((m) => /^Page 1$/m.test(embedText(m)) && embedText(m).includes(WAITING_FIRST))).toBe(true);
    expect(gate.holding).toBe(2);

    gate.answerOne();
    await h.discord.waitFor(() => !waitingThread() && gate.holding === 2, { description: 'the waiting draft written once a slot freed' });
    gate.openUp();
    for (const threadId of threads) await room.openDraft(threadId, 1, 'Narration', 1);
    expect(gate.mostAtOnce).toBe(2);
  });

  it('drafts queued by Approve and Revise wait for a slot like any other', async () => {
    gate.close();
    const drafts = await Promise.all(threads.map((threadId) => room.openDraft(threadId, 1, 'Narration', 1)));
    await Promise.all([
      room.click(threads[0] as string, drafts[0] as (typeof drafts)[number], h.adminId, 'Approve').response(),
      room.click(threads[1] as string, drafts[1] as (typeof drafts)[number], h.adminId, 'Approve').response(),
      room.revise(threads[2] as string, drafts[2] as (typeof drafts)[number], h.adminId, 'Slower, and colder.'),
    ]);
    await h.discord.waitFor(() => gate.holding === 2, { description: 'two drafts being written' });
    await h.discord.waitFor(waitingThread, { description: 'the third draft showing its place' });
    expect(gate.holding).toBe(2);
    gate.openUp();
    await room.openDraft(threads[0] as string, 1, 'Dialogue', 1);
    await room.openDraft(threads[1] as string, 1, 'Dialogue', 1);
    await room.openDraft(threads[2] as string, 1, 'Narration', 2);
    expect(gate.mostAtOnce).toBe(2);
  });
});

describe('slots under races and crashes', () => {
  let database: TestDatabase;
  let guildNumber = 0;

  beforeAll(async () => {
    database = await createTestDatabase('genslotrace');
  });
  afterAll(async () => {
    await database.drop();
  });

  /** A server with `count` pages whose drafts were just queued, one per chapter. */
  async function serverWithQueuedDrafts(count: number): Promise<number[]> {
    const db = database.db;
    guildNumber += 1;
    const storyId = await seedStory(db, {
      guildId: String(610_000_000_000_000_000n + BigInt(guildNumber)),
      channelId: String(620_000_000_000_000_000n + BigInt(guildNumber)),
      title: 'Race',
      createdBy: 'a',
    });
    const pages: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const chapterId = await seedChapter(db, {
        storyId,
        number: i + 1,
        title: `Race ${i}`,
        threadId: String(630_000_000_000_000_000n + BigInt(guildNumber * 10 + i)),
        createdBy: 'a',
      });
      pages.push(
        await seedPage(db, {
          chapterId,
          number: 1,
          input: 'Race',
          state: 'generating_narration',
          version: 1,
          generationStartedAt: new Date(),
          createdBy: 'a',
        }),
      );
    }
    return pages;
  }

  it('three drafts asking at once for a cap of two: two are written and one waits first in line, in each of 20 runs', async () => {
    for (let run = 0; run < 20; run += 1) {
      const pages = await serverWithQueuedDrafts(3);
      const decisions: SlotDecision[] = await Promise.all(
        pages.map((pageId) => claimGenerationSlot(database.db, { pageId, pageVersion: 1 }, 2)),
      );
      expect(decisions.filter((d) => d.status === 'writing')).toHaveLength(2);
      expect(decisions.filter((d) => d.status === 'waiting')).toEqual([{ status: 'waiting', place: 1 }]);
      // Asking again changes nothing: the holders keep their slots, the third still waits.
      const again = await Promise.all(pages.map((pageId) => claimGenerationSlot(database.db, { pageId, pageVersion: 1 }, 2)));
      expect(again).toEqual(decisions);
    }
  });

  it('a slot frees itself when its page moves on, and goes to the draft queued first', async () => {
    const pages = await serverWithQueuedDrafts(3);
    const [first, second, third] = pages as [number, number, number];
    expect(await claimGenerationSlot(database.db, { pageId: first, pageVersion: 1 }, 1)).toEqual({ status: 'writing' });
    expect(await claimGenerationSlot(database.db, { pageId: third, pageVersion: 1 }, 1)).toEqual({ status: 'waiting', place: 2 });
    // The first draft is recorded: any transition bumps the page's version.
    await database.db.updateTable('story_pages').set({ state: 'user_reviewing_narration', version: 2 }).where('id', '=', first).execute();
    expect(await claimGenerationSlot(database.db, { pageId: third, pageVersion: 1 }, 1)).toEqual({ status: 'waiting', place: 1 });
    expect(await claimGenerationSlot(database.db, { pageId: second, pageVersion: 1 }, 1)).toEqual({ status: 'writing' });
  });

  it('a draft in a chapter whose thread became unreachable neither holds a slot nor keeps others waiting', async () => {
    const [lost, next] = (await serverWithQueuedDrafts(2)) as [number, number];
    expect(await claimGenerationSlot(database.db, { pageId: lost, pageVersion: 1 }, 1)).toEqual({ status: 'writing' });
    expect(await claimGenerationSlot(database.db, { pageId: next, pageVersion: 1 }, 1)).toEqual({ status: 'waiting', place: 1 });
    const chapter = await database.db.selectFrom('story_pages').select('chapter_id').where('id', '=', lost).executeTakeFirstOrThrow();
    await database.db.updateTable('chapters').set({ status: 'needs_attention' }).where('id', '=', chapter.chapter_id).execute();
    expect(await claimGenerationSlot(database.db, { pageId: next, pageVersion: 1 }, 1)).toEqual({ status: 'writing' });
  });
});

describe('a worker killed while its draft holds a slot', () => {
  let h: StoryroomHarness | null = null;
  const children: StoryroomProcess[] = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop('SIGKILL')));
    await h?.close();
    h = null;
  });

  it('does not block its server: the draft runs again on another worker, then the waiting one', { timeout: 90_000 }, async () => {
    const harness = await startStoryroom('genslotkill', { worker: false, env: { MAX_GENERATIONS_PER_GUILD: '1', WORKER_LOCK_MS: '1500' } });
    h = harness;
    const gate = new ModelGate();
    harness.model.setResponder(gate.responder);
    const room = new WritersRoom(harness);
    await room.setupStory();
    const holder = await room.openChapter('Holder');
    const waiter = await room.openChapter('Waiter');
    const spawn = () => {
      const child = startStoryroomProcess('worker', { ...process.env, ...harness.env, ...BESIDE_THE_SUITE, LOG_LEVEL: 'info' });
      children.push(child);
      return child;
    };
    const first = spawn();
    await first.waitForLine(/worker started/);
    await room.startPage(holder, harness.adminId, 'Holds the slot').response();
    await harness.discord.waitFor(() => gate.holding === 1, { description: 'the first draft being written' });
    await room.startPage(waiter, harness.adminId, 'Waits for it').response();
    await harness.discord.waitFor(() => harness.discord.messages(waiter).some((m) => embedText(m).includes(WAITING_FIRST)), {
      description: 'the second draft waiting',
    });
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');

    gate.openUp();
    const second = spawn();
    await second.waitForLine(/worker started/);
    await room.openDraft(holder, 1, 'Narration', 1);
    await room.openDraft(waiter, 1, 'Narration', 1);
  });
});
