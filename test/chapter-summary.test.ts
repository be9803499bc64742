import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../src/agents/tokens.js';
import { buildNarrationPrompt } from '../src/domain/context-builder.js';
import { addToOutbox } from '../src/db/outbox.js';
import { loadNarrationContext } from '../src/services/prompt-context.js';
import { seedChapter, seedPage, seedRevision, seedStory } from '../loopback/seed.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';

describe('the chapter summary', () => {
  let h: StoryroomHarness;
  let chapterId: number;

  beforeAll(async () => {
    h = await startStoryroom('summary', { bot: false });
    const db = h.database.db;
    const storyId = await seedStory(db, { guildId: h.guildId, channelId: h.storyChannelId, title: 'Long', createdBy: 'x' });
    chapterId = await seedChapter(db, { storyId, number: 1, title: 'Long Road', threadId: '600000000000000001', createdBy: 'x' });
    // Seventeen approved pages and an eighteenth waiting: the state a long chapter reaches.
    for (let number = 1; number <= 18; number += 1) {
      const pageId = await seedPage(db, {
        chapterId,
        number,
        input: `input ${number}`,
        state: number < 18 ? 'page_approved' : 'generating_narration',
        createdBy: 'x',
      });
      if (number === 18) continue;
      const narration = await seedRevision(db, { pageId, kind: 'narration', body: `Narration of page ${number}.`, status: 'approved' });
      const dialogue = await seedRevision(db, { pageId, kind: 'dialogue', body: `**Kai:** Line of page ${number}.`, status: 'approved' });
      await db
        .updateTable('story_pages')
        .set({ approved_narration_id: narration, approved_dialogue_id: dialogue })
        .where('id', '=', pageId)
        .execute();
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('folds whole strides of older pages into the summary, and the next prompt uses it instead of them', async () => {
    h.model.setResponder(() => ({ content: 'Summary: Kai walked the long road through pages one to eight.' }));
    await addToOutbox(h.database.db, 'summarise-chapter', { chapterId, approvedPage: 17 });
    const deadline = Date.now() + 10_000;
    let chapter = await h.database.db.selectFrom('chapters').selectAll().where('id', '=', chapterId).executeTakeFirstOrThrow();
    while (!chapter.summary && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      chapter = await h.database.db.selectFrom('chapters').selectAll().where('id', '=', chapterId).executeTakeFirstOrThrow();
    }
    expect(chapter.summary_through_page).toBe(8);
    expect(chapter.summary).toContain('pages one to eight');
    const request = h.model.requests.at(-1);
    expect(request?.promptText).toContain('Narration of page 8.');
    expect(request?.promptText).not.toContain('Narration of page 9.');

    const page18 = await h.database.db
      .selectFrom('story_pages')
      .select('id')
      .where('chapter_id', '=', chapterId)
      .where('number', '=', 18)
      .executeTakeFirstOrThrow();
    const prompt = buildNarrationPrompt(
      await loadNarrationContext(h.database.db, page18.id, { totalTokens: 16_000, bibleTokens: 6_000 }),
      countTokens,
    );
    expect(prompt.stablePrefix).toContain('pages one to eight');
    expect(prompt.report.summaryThroughPage).toBe(8);
    expect(prompt.report.pagesInFull).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    const text = prompt.messages.map((m) => m.content).join('\n');
    expect(text).not.toContain('Narration of page 3.');

    const log = await h.database.db.selectFrom('agent_execution_log').select(['agent', 'outcome', 'chapter_id']).execute();
    expect(log).toEqual([{ agent: 'summariser', outcome: 'ok', chapter_id: chapterId }]);
  });
});
