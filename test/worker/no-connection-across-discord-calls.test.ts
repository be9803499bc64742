import { PassThrough } from 'node:stream';
import { waitUntil } from '../../loopback/wait-until.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, embedText, WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { getPageWithPlace } from '../../src/db/pages.js';
import { createLogger } from '../../src/logger.js';
import { createWorkerDeps } from '../../src/worker/deps.js';
import { showDraft } from '../../src/worker/page-views.js';

// Finding 11: a message is claimed in one short transaction, posted with no connection held (with a
// nonce Discord enforces), and recorded in another; so Discord's back-off cannot run the pool dry, and
// a post whose recording failed is found again by its nonce instead of being posted twice.
describe('no database connection is held across a Discord call', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logs = new PassThrough();
    logs.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    // Four drafts at once on a pool of four connections: a held connection per waiting edit would exhaust it.
    h = await startStoryroom('noconnheld', {
      proxy: true,
      env: { WORKER_CONCURRENCY: '4', WORKER_DB_CONNECTIONS: '4', SLOW_GENERATION_SECONDS: '1', LOG_LEVEL: 'warn' },
      logDestination: logs,
    });
    room = new WritersRoom(h);
    h.model.setResponder(() => ({
      content: 'Ash falls on the forge.',
      chunks: ['Ash ', 'falls ', 'on ', 'the ', 'forge.'],
      chunkDelayMs: 40,
    }));
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** How many messages in the thread show each revision of its pages (the soak's check), and each page's card. */
  async function messagesPerThing(threadId: string): Promise<Record<string, number>> {
    const revisions = await h.database.db
      .selectFrom('page_revisions as r')
      .innerJoin('story_pages as p', 'p.id', 'r.page_id')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .select(['r.kind', 'r.version', 'p.number'])
      .where('c.thread_id', '=', threadId)
      .execute();
    const counts: Record<string, number> = {};
    const texts = h.discord.messages(threadId).map(embedText);
    for (const revision of revisions) {
      const title = `Page ${revision.number} · ${revision.kind === 'narration' ? 'Narration' : 'Dialogue'} v${revision.version}`;
      counts[title] = texts.filter((text) => new RegExp(`${title}(?!\\d)`).test(text)).length;
    }
    return counts;
  }

  it(
    'under a 429 storm, four drafts posted and revised at once on a pool of four: no pool timeout, one message per revision',
    { timeout: 150_000 },
    async () => {
      const threads: string[] = [];
      for (let i = 0; i < 4; i += 1) threads.push(await room.openChapter(`Storm ${i}`));
      h.discord.failNext({ method: 'PATCH', route: '/channels/:id/messages/:id', times: 40 }, { status: 429, retryAfterMs: 1_000 });
      // Two posts go through but their answers are lost: the REST client sends them again.
      h.discord.failNext(
        { method: 'POST', route: '/channels/:id/messages', times: 2 },
        { status: 502, code: 0, message: 'Bad Gateway', landed: true },
      );
      await Promise.all(threads.map((threadId, i) => room.startPage(threadId, h.adminId, `Storm page ${i}`).response()));
      // Each draft waits out its share of the 429s (a second each) before it shows: longer than a usual draft.
      const firstDrafts = await Promise.all(threads.map((threadId) => room.openDraft(threadId, 1, 'Narration', 1, 60_000)));

      h.discord.failNext({ method: 'PATCH', route: '/channels/:id/messages/:id', times: 40 }, { status: 429, retryAfterMs: 1_000 });
      await Promise.all(
        threads.map((threadId, i) =>
          room.revise(threadId, firstDrafts[i] as (typeof firstDrafts)[number], h.adminId, 'More ash, less forge.'),
        ),
      );
      await Promise.all(threads.map((threadId) => room.openDraft(threadId, 1, 'Narration', 2, 60_000)));

      for (const threadId of threads) {
        expect(await messagesPerThing(threadId)).toEqual({ 'Page 1 · Narration v1': 1, 'Page 1 · Narration v2': 1 });
        expect(h.discord.messages(threadId).filter((m) => /^Page 1$/m.test(embedText(m)))).toHaveLength(1);
      }
      expect(logLines.filter((line) => /timeout exceeded when trying to connect/i.test(line))).toEqual([]);
    },
  );

  it(
    'when recording a posted draft fails (Postgres gone right after the post), the retry finds it: one message',
    { timeout: 60_000 },
    async () => {
      const threadId = await room.openChapter('Lost record');
      const held = h.discord.holdNext({ method: 'POST', route: '/channels/:id/messages' });
      const failuresBefore = logLines.filter((line) => line.includes('job attempt failed')).length;
      await room.startPage(threadId, h.adminId, 'The record is lost').response();
      await held.arrived;
      // The draft message now exists in Discord; Postgres disappears before the worker hears back.
      h.proxies?.postgres.cut();
      held.release();
      await h.discord.waitFor(() => logLines.filter((line) => line.includes('job attempt failed')).length > failuresBefore, {
        description: 'the attempt that could not record its post failing',
      });
      h.proxies?.postgres.restore();
      await room.openDraft(threadId, 1, 'Narration', 1);
      // The message was in Discord before the retry ran: wait for the retry to record the one it found.
      const draftRows = () =>
        h.database.db
          .selectFrom('discord_messages')
          .select('message_id')
          .where('channel_id', '=', threadId)
          .where('purpose', '=', 'draft')
          .execute();
      await waitUntil(async () => (await draftRows()).length > 0, 'the retry recording the posted draft');
      expect(await messagesPerThing(threadId)).toEqual({ 'Page 1 · Narration v1': 1 });
      const recorded = await draftRows();
      expect(recorded).toHaveLength(1);
      expect(h.discord.message(threadId, recorded[0]?.message_id ?? '')).toBeDefined();
    },
  );

  // The soak's check counts every message showing a draft's title. A failed or dropped draft never
  // became a revision, so its version number goes to the next draft: its message must not keep showing it.
  it('a failed draft’s message becomes its notice, and the draft Retry writes is the one message titled v1', async () => {
    h.model.enqueue({ fault: 'refusal', refusal: 'I cannot write that scene.' });
    const threadId = await room.openChapter('Refused once');
    await room.startPage(threadId, h.adminId, 'A scene the model refuses').response();
    const failure = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => buttonsOf(m).some((b) => b.label === 'Retry' && !b.disabled)),
      {
        description: 'the failure notice with Retry',
      },
    );
    await room.click(threadId, failure, h.adminId, 'Retry').response();
    await room.openDraft(threadId, 1, 'Narration', 1);
    expect(await messagesPerThing(threadId)).toEqual({ 'Page 1 · Narration v1': 1 });
  });

  it('a slow draft cancelled before its text arrives keeps its Retry, and the next draft is the one message titled v1', async () => {
    h.model.enqueue({ content: 'Slow words arriving late.', chunks: ['Slow words ', 'arriving late.'], chunkDelayMs: 1_800 });
    const threadId = await room.openChapter('Cancelled once');
    await room.startPage(threadId, h.adminId, 'A slow scene').response();
    const writing = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => buttonsOf(m).some((b) => b.label === 'Cancel')),
      {
        description: 'Retry and Cancel on the slow draft',
      },
    );
    await room.click(threadId, writing, h.adminId, 'Cancel').response();
    // The late text arrives after the cancel: it is not kept, and the notice keeps its Retry.
    const late = await h.discord.waitFor(
      () => (embedText(room.message(threadId, writing.id)).includes('not kept') ? room.message(threadId, writing.id) : null),
      {
        description: 'the late draft marked as not kept',
      },
    );
    expect(buttonsOf(late).filter((b) => b.label === 'Retry' && !b.disabled)).toHaveLength(1);
    await room.click(threadId, late, h.adminId, 'Retry').response();
    await room.openDraft(threadId, 1, 'Narration', 1);
    expect(await messagesPerThing(threadId)).toEqual({ 'Page 1 · Narration v1': 1 });
  });

  // A job that shows a stored draft by its revision (a deadline, the continuity reviewer) can run while
  // the job that wrote it has recorded the revision but not yet its message's revision.
  it('a draft shown by its revision before its writer noted the revision on its message is not posted again', async () => {
    const threadId = await room.openChapter('Shown twice');
    await room.startPage(threadId, h.adminId, 'Two jobs show one draft').response();
    await room.openDraft(threadId, 1, 'Narration', 1);
    const revision = await h.database.db
      .selectFrom('page_revisions as r')
      .innerJoin('story_pages as p', 'p.id', 'r.page_id')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .selectAll('r')
      .where('c.thread_id', '=', threadId)
      .executeTakeFirstOrThrow();
    await h.database.db
      .updateTable('discord_messages')
      .set({ revision_id: null })
      .where('generation_key', '=', revision.generation_key)
      .execute();
    const place = await getPageWithPlace(h.database.db, revision.page_id);
    if (!place) throw new Error('page not found');
    const deps = createWorkerDeps(h.config, h.database.db, createLogger({ level: 'silent', name: 'showdraft' }));
    await showDraft(deps, { place, revision, generationKey: null });
    expect(await messagesPerThing(threadId)).toEqual({ 'Page 1 · Narration v1': 1 });
  });

  // The page card is the bot's answer to /page start, recorded once Discord has answered; the worker
  // keeps it up to date and posts one when none is recorded.
  it('when Discord answers /page start slowly and the worker shows the page first, the page keeps one card', async () => {
    const threadId = await room.openChapter('Slow answer');
    // The command is deferred; its answer (the card) is the edit of the deferred reply.
    const held = h.discord.holdNext({ method: 'PATCH', route: '/webhooks/:id/:token/messages/:id' });
    const started = room.startPage(threadId, h.adminId, 'Discord is slow to answer').response();
    await held.arrived;
    // The worker, not waiting for the bot, posts the draft and the page's card.
    await h.discord.waitFor(() => h.discord.messages(threadId).filter((m) => /^Page 1$/m.test(embedText(m))).length === 2, {
      description: 'the worker’s card beside the answer',
    });
    held.release();
    await started;
    await room.openDraft(threadId, 1, 'Narration', 1);
    await h.discord.waitFor(() => h.discord.messages(threadId).filter((m) => /^Page 1$/m.test(embedText(m))).length === 1, {
      description: 'one page card',
    });
    const card = await h.database.db
      .selectFrom('discord_messages')
      .select('message_id')
      .where('channel_id', '=', threadId)
      .where('purpose', '=', 'page_card')
      .executeTakeFirstOrThrow();
    expect(
      h.discord
        .messages(threadId)
        .filter((m) => /^Page 1$/m.test(embedText(m)))
        .map((m) => m.id),
    ).toEqual([card.message_id]);
  });
});
