import type { Db } from '../db/connection.js';
import { getPageWithPlace } from '../db/pages.js';
import { countTokens } from '../agents/tokens.js';
import { buildDialoguePrompt, buildNarrationPrompt } from '../domain/context-builder.js';
import { loadVersions } from './history-service.js';
import { loadDialogueContext, loadNarrationContext } from './prompt-context.js';

// Read-only views for the HTTP API. Ids are ours (numbers); Discord ids stay strings.

export function listChapters(db: Db, filter: { guildId: string | null }) {
  let query = db
    .selectFrom('chapter_progress as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'p.story_id')
    .select(['p.chapter_id as id', 'p.story_id as storyId', 's.title as storyTitle', 's.guild_id as guildId', 'c.thread_id as threadId', 'p.number', 'p.title', 'p.status', 'p.pages', 'p.approved_pages as approvedPages', 'p.pages_in_review as pagesInReview', 'p.pages_generating as pagesGenerating', 'p.pages_failed as pagesFailed', 'p.co_writers as coWriters'])
    .orderBy('p.story_id')
    .orderBy('p.number');
  if (filter.guildId) query = query.where('s.guild_id', '=', filter.guildId);
  return query.execute();
}

export async function getChapterPages(db: Db, chapterId: number) {
  const chapter = await db.selectFrom('chapters').select('id').where('id', '=', chapterId).executeTakeFirst();
  if (!chapter) return null;
  return db
    .selectFrom('page_status_summary')
    .select(['page_id as id', 'number', 'state', 'stage', 'version', 'current_kind as currentKind', 'current_version as currentVersion', 'narration_versions as narrationVersions', 'dialogue_versions as dialogueVersions', 'approvals', 'revise_votes as reviseVotes', 'updated_at as updatedAt'])
    .where('chapter_id', '=', chapterId)
    .orderBy('number')
    .execute();
}

export async function getPageStatus(db: Db, pageId: number) {
  const page = await db.selectFrom('page_status_summary').selectAll().where('page_id', '=', pageId).executeTakeFirst();
  if (!page) return null;
  const full = await db.selectFrom('story_pages').select(['input', 'failure_reason', 'created_by', 'created_at']).where('id', '=', pageId).executeTakeFirstOrThrow();
  return {
    id: page.page_id,
    chapterId: page.chapter_id,
    storyId: page.story_id,
    number: page.number,
    state: page.state,
    stage: page.stage,
    version: page.version,
    input: full.input,
    failureReason: full.failure_reason,
    createdBy: full.created_by,
    createdAt: full.created_at,
    updatedAt: page.updated_at,
    currentDraft: page.current_revision_id === null ? null : { kind: page.current_kind, version: page.current_version, approvals: page.approvals, reviseVotes: page.revise_votes },
  };
}

export async function getPageHistoryById(db: Db, pageId: number) {
  const page = await db.selectFrom('story_pages').select('id').where('id', '=', pageId).executeTakeFirst();
  return page ? loadVersions(db, page.id) : null;
}

/**
 * The context the page's next prompt would get (the draft kind it is on), built exactly as the worker
 * builds it: which bible entries, pages and summary, and the messages themselves.
 */
export async function getNextPromptContext(db: Db, pageId: number, budget: { totalTokens: number; bibleTokens: number }) {
  const place = await getPageWithPlace(db, pageId);
  if (!place) return null;
  const kind = place.approved_narration_id !== null && place.state !== 'user_reviewing_narration' && place.state !== 'generating_narration' ? 'dialogue' : 'narration';
  const prompt = kind === 'narration' ? buildNarrationPrompt(await loadNarrationContext(db, pageId, budget), countTokens) : buildDialoguePrompt(await loadDialogueContext(db, pageId, budget), countTokens);
  return { pageId, kind, report: prompt.report, messages: prompt.messages };
}
