import type { Db } from '../db/connection.js';
import type { BibleEntry, DialogueContextInput, DraftBeingRevised, NarrationContextInput, PromptBudget } from '../domain/context-builder.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import { getPageWithPlace } from '../db/pages.js';

/** More recent pages than any budget takes in full: older ones are the summary's business. */
const MAX_PAGES_LOADED = 60;

/** Everything the agents' prompts are built from, read from Postgres in a handful of queries. */
export async function loadNarrationContext(db: Db, pageId: number, budget: PromptBudget): Promise<NarrationContextInput> {
  const page = await getPageWithPlace(db, pageId);
  if (!page) throw new Error(`page ${pageId} not found`);
  const story = await db
    .selectFrom('stories')
    .select(['tone_note', 'narration_words'])
    .where('id', '=', page.story_id)
    .executeTakeFirstOrThrow();
  const bible = await db
    .selectFrom('canonical_refs')
    .select(['title', 'ref_type', 'body', 'keywords', 'priority', 'always_include', 'token_count'])
    .where('story_id', '=', page.story_id)
    .where('superseded_at', 'is', null)
    .execute();
  const chapter = await db
    .selectFrom('chapters')
    .select(['summary', 'summary_through_page'])
    .where('id', '=', page.chapter_id)
    .executeTakeFirstOrThrow();
  const earlier = await db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as n', 'n.id', 'p.approved_narration_id')
    .leftJoin('page_revisions as d', 'd.id', 'p.approved_dialogue_id')
    .select(['p.number', 'n.body as narration', 'd.body as dialogue'])
    .where('p.chapter_id', '=', page.chapter_id)
    .where('p.number', '<', page.number)
    .where('p.number', '>', chapter.summary ? chapter.summary_through_page : 0)
    .where('p.state', '=', 'page_approved')
    .orderBy('p.number', 'desc')
    .limit(MAX_PAGES_LOADED)
    .execute();
  return {
    storyTitle: page.story_title,
    chapterTitle: page.chapter_title,
    bible: bible.map(
      (entry): BibleEntry => ({
        title: entry.title,
        type: entry.ref_type,
        body: entry.body,
        keywords: entry.keywords,
        priority: entry.priority,
        alwaysInclude: entry.always_include,
        tokens: entry.token_count > 0 ? entry.token_count : null,
      }),
    ),
    earlierPages: earlier.reverse().map((row) => ({ number: row.number, narration: row.narration, dialogue: row.dialogue })),
    chapterSummary: chapter.summary ? { text: chapter.summary, throughPage: chapter.summary_through_page } : null,
    budget,
    pageNumber: page.number,
    input: page.input,
    revising: await loadDraftBeingRevised(db, pageId, 'narration'),
    settings: { toneNote: story.tone_note, narrationWords: story.narration_words },
  };
}

export async function loadDialogueContext(db: Db, pageId: number, budget: PromptBudget): Promise<DialogueContextInput> {
  const base = await loadNarrationContext(db, pageId, budget);
  const narration = await db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as n', 'n.id', 'p.approved_narration_id')
    .select('n.body')
    .where('p.id', '=', pageId)
    .executeTakeFirst();
  if (!narration) throw new Error(`page ${pageId} has no approved narration to write dialogue for`);
  return { ...base, narration: narration.body, revising: await loadDraftBeingRevised(db, pageId, 'dialogue') };
}

/** The latest draft of this kind, when it was sent back for revision, with every piece of feedback on it. */
async function loadDraftBeingRevised(db: Db, pageId: number, kind: DraftKind): Promise<DraftBeingRevised | null> {
  const latest = await db
    .selectFrom('page_revisions')
    .select(['id', 'version', 'body', 'status'])
    .where('page_id', '=', pageId)
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!latest || latest.status !== 'revision_requested') return null;
  const feedback = await db
    .selectFrom('user_feedback')
    .select('body')
    .where('revision_id', '=', latest.id)
    .orderBy('id')
    .execute();
  return { version: latest.version, text: latest.body, feedback: feedback.map((f) => f.body) };
}
