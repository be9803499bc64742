import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { DEFAULT_PRICES } from '../../src/domain/pricing.js';
import { rerollPanel, type RenderSettings } from '../../src/services/panel-renders.js';
import { retryAdvisoryAgent } from '../../src/services/retry-advisory.js';
import { UserError } from '../../src/services/user-error.js';

// A co-writer's request for a paid render (or for the panels agent) is checked under a lock, against
// the page's approved dialogue: races and forged or outdated buttons queue nothing.

const WRITER = '200000000000000001';
const SETTINGS: RenderSettings = { workflowHash: 'abc', costUsd: 0, maxPerGuild: 1, referenceSlots: { characters: 0, style: false } };

describe('render requests: the per-server cap under races, obsolete panels and forged advisory retries', () => {
  let database: TestDatabase;
  let guildNumber = 0;

  beforeAll(async () => {
    database = await createTestDatabase('render_requests');
  });
  afterAll(async () => {
    await database.drop();
  });

  /** A server with `count` approved pages, one panel each, its first render failed; the writer a co-writer of every chapter. */
  async function serverWithPanels(count: number) {
    const db = database.db;
    guildNumber += 1;
    const guildId = `30000000000000${String(guildNumber).padStart(4, '0')}`;
    const story = await db
      .insertInto('stories')
      .values({ guild_id: guildId, channel_id: '100000000000000002', title: `Races ${guildNumber}`, created_by: WRITER })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pages: { pageId: number; panelId: number; threadId: string; dialogueId: number }[] = [];
    for (let i = 0; i < count; i += 1) {
      const threadId = `4000000000${String(guildNumber).padStart(4, '0')}${String(i).padStart(4, '0')}`;
      const chapter = await db
        .insertInto('chapters')
        .values({ story_id: story.id, number: i + 1, title: `C${i}`, thread_id: threadId, created_by: WRITER })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('chapter_members').values({ chapter_id: chapter.id, user_id: WRITER, role: 'owner' }).execute();
      const page = await db
        .insertInto('story_pages')
        .values({ chapter_id: chapter.id, number: 1, input: 'The Mark glows', state: 'page_approved', created_by: WRITER })
        .returning('id')
        .executeTakeFirstOrThrow();
      const dialogue = await db
        .insertInto('page_revisions')
        .values({ page_id: page.id, kind: 'dialogue', version: 1, body: 'Lines', structured: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.updateTable('story_pages').set({ approved_dialogue_id: dialogue.id }).where('id', '=', page.id).execute();
      const panel = await db
        .insertInto('panel_prompts')
        .values({
          page_id: page.id,
          revision_id: dialogue.id,
          panel_number: 1,
          scene: 'cliff',
          camera: 'wide',
          mood: 'tense',
          prompt: 'Kai on the cliff',
          negative_prompt: 'blurry',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('panel_renders')
        .values({
          page_id: page.id,
          panel_prompt_id: panel.id,
          panel_number: 1,
          render_number: 1,
          seed: 1,
          prompt: 'Kai on the cliff',
          negative_prompt: 'blurry',
          width: 64,
          height: 64,
          workflow_hash: 'abc',
          comfy_prompt_id: randomUUID(),
          requested_by: null,
          status: 'failed',
          failure: 'earlier',
          failure_kind: 'error',
        })
        .execute();
      pages.push({ pageId: page.id, panelId: panel.id, threadId, dialogueId: dialogue.id });
    }
    return { guildId, pages };
  }

  const rendersWaiting = async (pageIds: number[]) =>
    (
      await database.db
        .selectFrom('panel_renders')
        .select('id')
        .where('page_id', 'in', pageIds)
        .where('status', 'in', ['queued', 'submitted'])
        .execute()
    ).length;

  it('8 simultaneous rerolls on different pages with a cap of 1: exactly one is accepted, the others refused in words', async () => {
    const { guildId, pages } = await serverWithPanels(8);
    const results = await Promise.allSettled(
      pages.map((page) =>
        rerollPanel(database.db, { guildId, channelId: page.threadId, userId: WRITER }, page.panelId, SETTINGS, DEFAULT_PRICES),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const refused of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(refused.reason).toBeInstanceOf(UserError);
      expect((refused.reason as Error).message).toMatch(/already has 1 panel render waiting or running \(at most 1\)/);
    }
    expect(await rendersWaiting(pages.map((p) => p.pageId))).toBe(1);
  });

  it('a reroll of a panel of a dialogue no longer approved (a restore cleared it) is refused privately and queues nothing', async () => {
    const { guildId, pages } = await serverWithPanels(1);
    const [page] = pages;
    if (!page) throw new Error('no page');
    await database.db
      .updateTable('story_pages')
      .set({ approved_dialogue_id: null, state: 'user_reviewing_dialogue' })
      .where('id', '=', page.pageId)
      .execute();
    const attempt = rerollPanel(database.db, { guildId, channelId: page.threadId, userId: WRITER }, page.panelId, SETTINGS, DEFAULT_PRICES);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(/no longer belongs to the page's approved dialogue/);
    expect(await rendersWaiting([page.pageId])).toBe(0);
  });

  it('an advisory Retry for the panels agent naming a dialogue revision other than the approved one is refused and queues nothing', async () => {
    const { guildId, pages } = await serverWithPanels(1);
    const [page] = pages;
    if (!page) throw new Error('no page');
    const other = await database.db
      .insertInto('page_revisions')
      .values({ page_id: page.pageId, kind: 'dialogue', version: 2, body: 'Other lines', structured: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const outboxRows = async () =>
      (await database.db.selectFrom('outbox').select('id').where('job_name', '=', 'generate-panels').execute()).length;
    const before = await outboxRows();
    const attempt = retryAdvisoryAgent(
      database.db,
      { guildId, channelId: page.threadId, userId: WRITER },
      { agent: 'panels', pageId: page.pageId, revisionId: other.id, round: 2 },
    );
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(/not the page's approved dialogue/);
    expect(await outboxRows()).toBe(before);
    // The approved one is still accepted.
    await retryAdvisoryAgent(
      database.db,
      { guildId, channelId: page.threadId, userId: WRITER },
      { agent: 'panels', pageId: page.pageId, revisionId: page.dialogueId, round: 2 },
    );
    expect(await outboxRows()).toBe(before + 1);
  });
});
