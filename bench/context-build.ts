import { countTokens } from '../src/agents/tokens.js';
import { buildNarrationPrompt, type ApprovedPage, type BibleEntry, type NarrationContextInput } from '../src/domain/context-builder.js';
import { createTestDatabase } from '../loopback/local-database.js';
import { loadNarrationContext } from '../src/services/prompt-context.js';
import { now, row, summarize, type BenchRow } from './stats.js';

const RUNS = 30;
const BUDGET = { totalTokens: 16_000, bibleTokens: 6_000 };

function pages(count: number): ApprovedPage[] {
  return Array.from({ length: count }, (_, i) => ({
    number: i + 1,
    narration:
      `Page ${i + 1}: rain on the forge, the Mark dim on Kai's wrist, ${Math.random().toString(36).slice(2)} and the long road north. `.repeat(
        6,
      ),
    dialogue: `**Kai:** Page ${i + 1}. **Mira:** ${Math.random().toString(36).slice(2)}`,
  }));
}

const bible: BibleEntry[] = Array.from({ length: 40 }, (_, i) => ({
  title: `Entry ${i}`,
  type: 'reference',
  body: `Lore entry ${i}: roads, rivers, and the old grudges of the clans. `.repeat(8),
  keywords: [`key${i}`],
  priority: i % 5,
  alwaysInclude: i < 5,
  tokens: null,
}));

function input(earlier: ApprovedPage[]): NarrationContextInput {
  return {
    storyTitle: 'Bench',
    chapterTitle: 'Long',
    bible,
    earlierPages: earlier,
    chapterSummary: null,
    budget: BUDGET,
    pageNumber: earlier.length + 1,
    input: 'Mira names key7 and key12 at the gate',
    revising: null,
    settings: { toneNote: null, narrationWords: 250 },
  };
}

/** Prompt building (pure, with the real tokenizer) at 10, 100 and 1,000 pages, and loading its inputs from Postgres. */
export async function benchContextBuild(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const count of [10, 100, 1_000]) {
    const earlier = pages(count);
    const times: number[] = [];
    const baseline: number[] = [];
    let tokens = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const t0 = now();
      const prompt = buildNarrationPrompt(input(earlier), countTokens);
      times.push(now() - t0);
      tokens = prompt.report.promptTokens;
      const t1 = now();
      JSON.stringify(input(earlier));
      baseline.push(now() - t1);
    }
    rows.push(
      row(
        `context build, ${count} pages`,
        'ms',
        summarize(times),
        { name: 'JSON.stringify of the same input', value: summarize(baseline) },
        count === 1_000 ? '< 50 ms' : null,
        `${tokens} of ${BUDGET.totalTokens} prompt tokens`,
      ),
    );
  }

  const database = await createTestDatabase('benchcontext');
  try {
    const db = database.db;
    const story = await db
      .insertInto('stories')
      .values({ guild_id: '800000000000000001', channel_id: '800000000000000002', title: 'Long', created_by: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const chapter = await db
      .insertInto('chapters')
      .values({ story_id: story.id, number: 1, title: 'Long', thread_id: '800000000000000003', created_by: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('canonical_refs')
      .values(
        bible.map((e) => ({
          story_id: story.id,
          title: e.title,
          ref_type: e.type,
          body: e.body,
          keywords: [...e.keywords],
          priority: e.priority,
          always_include: e.alwaysInclude,
          token_count: countTokens(e.body),
          created_by: 'x',
        })),
      )
      .execute();
    const all = pages(1_000);
    for (const page of all) {
      const inserted = await db
        .insertInto('story_pages')
        .values({ chapter_id: chapter.id, number: page.number, input: 'x', state: 'page_approved', created_by: 'x' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const n = await db
        .insertInto('page_revisions')
        .values({ page_id: inserted.id, kind: 'narration', version: 1, body: page.narration, structured: null, status: 'approved' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const d = await db
        .insertInto('page_revisions')
        .values({ page_id: inserted.id, kind: 'dialogue', version: 1, body: page.dialogue ?? '', structured: null, status: 'approved' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('story_pages')
        .set({ approved_narration_id: n.id, approved_dialogue_id: d.id })
        .where('id', '=', inserted.id)
        .execute();
    }
    const next = await db
      .insertInto('story_pages')
      .values({ chapter_id: chapter.id, number: 1_001, input: 'next', state: 'generating_narration', created_by: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const times: number[] = [];
    const bare: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const t0 = now();
      buildNarrationPrompt(await loadNarrationContext(db, next.id, BUDGET), countTokens);
      times.push(now() - t0);
      const t1 = now();
      await db.selectFrom('story_pages').select('id').where('id', '=', next.id).executeTakeFirst();
      bare.push(now() - t1);
    }
    rows.push(
      row(
        'context load + build, 1,000 pages in Postgres',
        'ms',
        summarize(times),
        { name: 'one primary-key select', value: summarize(bare) },
        null,
      ),
    );
  } finally {
    await database.drop();
  }
  return rows;
}
