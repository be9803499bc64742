import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedText, buttonsOf, WritersRoom } from '../../loopback/writers-room.js';
import { NOT_A_CO_WRITER } from '../../src/services/co-writers.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

const SCRIPT = { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'Again.' }] }] };

describe('model faults', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('modelfaults', {
      env: { MODEL_TIMEOUT_MS: '700', MODEL_MAX_RETRIES: '1', GENERATION_ATTEMPTS: '3', SLOW_GENERATION_SECONDS: '1' },
    });
    room = new WritersRoom(h);
    h.model.setResponder((request) => (request.responseFormatName ? { json: SCRIPT } : { content: 'The narration, at last.' }));
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function pageWith(title: string) {
    const threadId = await room.openChapter(title);
    await room.startPage(threadId, h.adminId, `${title}: the Mark glows`).response();
    return threadId;
  }

  async function logFor(threadId: string) {
    const chapter = await h.database.db.selectFrom('chapters').select('id').where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    const page = await h.database.db.selectFrom('story_pages').selectAll().where('chapter_id', '=', chapter.id).executeTakeFirstOrThrow();
    const log = await h.database.db
      .selectFrom('agent_execution_log')
      .select(['outcome', 'attempt'])
      .where('page_id', '=', page.id)
      .orderBy('id')
      .execute();
    const revisions = await h.database.db.selectFrom('page_revisions').select(['kind', 'version']).where('page_id', '=', page.id).execute();
    return { page, log, revisions };
  }

  it('a 500 and a timeout are retried with backoff, and the draft lands once', async () => {
    h.model.enqueue(
      { fault: 'server_error' },
      { fault: 'server_error' },
      { delayMs: 1_500, content: 'too late' },
      { delayMs: 1_500, content: 'too late' },
    );
    const threadId = await pageWith('Flaky');
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    expect(embedText(draft)).toContain('The narration, at last.');
    const { log, revisions } = await logFor(threadId);
    // Each BullMQ attempt is one SDK call with one SDK retry: 500+500, then timeout+timeout, then success.
    expect(log.map((l) => l.outcome)).toEqual(['error', 'timeout', 'ok']);
    expect(log.map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(revisions).toEqual([{ kind: 'narration', version: 1 }]);
    expect(h.discord.messages(threadId).filter((m) => embedText(m).includes('Page 1 · Narration v1'))).toHaveLength(1);
  });

  it('a 429 waits for the provider’s retry-after before asking again', async () => {
    h.model.enqueue({ fault: 'rate_limit', retryAfterMs: 400 });
    const before = h.model.requests.length;
    const threadId = await pageWith('Throttled');
    await room.openDraft(threadId, 1, 'Narration', 1);
    const [limited, retried] = h.model.requests.slice(before);
    expect(retried && limited ? retried.at - limited.at : 0).toBeGreaterThanOrEqual(400);
    expect((await logFor(threadId)).log.map((l) => l.outcome)).toEqual(['ok']);
  });

  it('a refusal fails the page at once, says so in plain words, and a co-writer’s Retry drafts it again', async () => {
    h.model.enqueue({ fault: 'refusal', refusal: 'I cannot write that scene.' });
    const threadId = await pageWith('Refused');
    const failure = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => buttonsOf(m).some((b) => b.label === 'Retry' && !b.disabled)),
      {
        description: 'the failure notice with Retry',
      },
    );
    expect(embedText(failure)).toContain('could not be written');
    expect(embedText(failure)).toContain('I cannot write that scene.');
    const { page, log } = await logFor(threadId);
    expect(page.state).toBe('generation_failed');
    expect(log.map((l) => l.outcome)).toEqual(['refused']);

    const stranger = room.newMember('stranger');
    const refused = await room.click(threadId, failure, stranger, 'Retry').response();
    expect(refused).toMatchObject({
      ephemeral: true,
      content: NOT_A_CO_WRITER.replace(
        '/chapter join',
        `</chapter join:${(h.discord.registeredCommands(h.guildId) as { id: string; name: string }[]).find((c) => c.name === 'chapter')?.id ?? ''}>`,
      ),
    });

    const retried = await room.click(threadId, failure, h.adminId, 'Retry').response();
    expect(retried.kind).toBe('update');
    await room.openDraft(threadId, 1, 'Narration', 1);
    expect((await logFor(threadId)).page.state).toBe('user_reviewing_narration');
  });

  it('an answer cut off by length fails at once without burning the other attempts', async () => {
    h.model.enqueue({ fault: 'length', content: 'A very long answer that ran out of room' });
    const before = h.model.requests.length;
    const threadId = await pageWith('Cut off');
    await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => embedText(m).includes('ran out of room before finishing')), {
      description: 'the length failure notice',
    });
    expect(h.model.requests.length - before).toBe(1);
  });

  it('malformed structured output, past every attempt, fails the dialogue and leaves the narration approved', async () => {
    const threadId = await pageWith('Garbled');
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    h.model.enqueue(
      ...Array.from({ length: 3 }, () => ({
        fault: 'malformed_json' as const,
        when: (r: { responseFormatName: string | null }) => r.responseFormatName !== null,
      })),
    );
    await room.click(threadId, narration, h.adminId, 'Approve').response();
    await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => embedText(m).includes('Dialogue could not be written')), {
      description: 'the dialogue failure notice',
      timeoutMs: 20_000,
    });
    const { page, log } = await logFor(threadId);
    expect(page.state).toBe('generation_failed');
    expect(page.stage).toBe('dialogue');
    expect(page.approved_narration_id).not.toBeNull();
    expect(log.filter((l) => l.outcome === 'malformed')).toHaveLength(3);
  });

  it('a slow draft offers Retry and Cancel; Cancel stops it and its late text is dropped', async () => {
    h.model.enqueue({ content: 'Slow words arriving late.', chunks: ['Slow words ', 'arriving late.'], chunkDelayMs: 1_800 });
    const threadId = await pageWith('Slow');
    const writing = await h.discord.waitFor(
      () =>
        h.discord
          .messages(threadId)
          .find((m) => buttonsOf(m).some((b) => b.label === 'Cancel') && embedText(m).includes('taking longer than usual')),
      { description: 'Retry and Cancel on the slow draft' },
    );
    expect(buttonsOf(writing).map((b) => b.label)).toEqual(['Retry', 'Cancel']);
    const cancelled = await room.click(threadId, writing, h.adminId, 'Cancel').response();
    expect(cancelled.kind).toBe('update');
    expect(JSON.stringify(cancelled.embeds)).toContain('Cancelled by');
    expect((await logFor(threadId)).page.state).toBe('generation_failed');
    // The slow job finishes later: the worker marks its message, and its text never becomes a revision.
    await h.discord.waitFor(() => embedText(room.message(threadId, writing.id)).includes('this text was not kept'), {
      description: 'the late draft marked as dropped',
    });
    expect((await logFor(threadId)).revisions).toEqual([]);
  });
});
