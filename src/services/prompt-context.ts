import type { Db } from '../db/connection.js';
import type {
  BibleEntry,
  DialogueContextInput,
  DraftBeingRevised,
  NarrationContextInput,
  PromptBudget,
} from '../domain/context-builder.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import { getApprovedNarration, listEarlierApprovedPages } from '../db/approved-pages.js';
import { listBibleEntriesForPrompt } from '../db/bible.js';
import { getLatestRevision, listLatestFeedbackBodies } from '../db/page-history.js';
import { getPageForPrompt } from '../db/pages.js';

/** More recent pages than any budget takes in full: older ones are the summary's business. */
const MAX_PAGES_LOADED = 60;

/** Everything the agents' prompts are built from, read from Postgres in four queries (five when a draft is being revised). */
export async function loadNarrationContext(db: Db, pageId: number, budget: PromptBudget): Promise<NarrationContextInput> {
  const page = await getPageForPrompt(db, pageId);
  if (!page) throw new Error(`page ${pageId} not found`);
  const bible = await listBibleEntriesForPrompt(db, page.story_id);
  const earlier = await listEarlierApprovedPages(db, page.chapter_id, {
    beforeNumber: page.number,
    afterNumber: page.summary ? page.summary_through_page : 0,
    limit: MAX_PAGES_LOADED,
  });
  return {
    storyTitle: page.story_title,
    chapterTitle: page.chapter_title,
    bible: bible.map((entry): BibleEntry => ({
      title: entry.title,
      type: entry.ref_type,
      body: entry.body,
      keywords: entry.keywords,
      priority: entry.priority,
      alwaysInclude: entry.always_include,
      tokens: entry.token_count > 0 ? entry.token_count : null,
    })),
    earlierPages: earlier.reverse().map((row) => ({ number: row.number, narration: row.narration, dialogue: row.dialogue })),
    chapterSummary: page.summary ? { text: page.summary, throughPage: page.summary_through_page } : null,
    budget,
    pageNumber: page.number,
    input: page.input,
    revising: await loadDraftBeingRevised(db, pageId, 'narration'),
    settings: { toneNote: page.tone_note, narrationWords: page.narration_words, language: page.language },
  };
}

export async function loadDialogueContext(db: Db, pageId: number, budget: PromptBudget): Promise<DialogueContextInput> {
  const base = await loadNarrationContext(db, pageId, budget);
  const narration = await getApprovedNarration(db, pageId);
  if (narration === undefined) throw new Error(`page ${pageId} has no approved narration to write dialogue for`);
  return { ...base, narration, revising: await loadDraftBeingRevised(db, pageId, 'dialogue') };
}

/** The latest draft of this kind, when it was sent back for revision, with every piece of feedback on it. */
async function loadDraftBeingRevised(db: Db, pageId: number, kind: DraftKind): Promise<DraftBeingRevised | null> {
  const latest = await getLatestRevision(db, pageId, kind);
  if (!latest || latest.status !== 'revision_requested') return null;
  return { version: latest.version, text: latest.body, feedback: await listLatestFeedbackBodies(db, latest.id) };
}
