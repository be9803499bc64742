import { getPageStatusSummary, listChaptersForApi, listPageStatusesForApi } from '../db/api-reads.js';
import { getChapter } from '../db/chapters.js';
import type { Db } from '../db/connection.js';
import { getPage, getPageWithPlace } from '../db/pages.js';
import { countTokens } from '../agents/tokens.js';
import { buildDialoguePrompt, buildNarrationPrompt } from '../domain/context-builder.js';
import { loadVersions } from './history-service.js';
import { loadDialogueContext, loadNarrationContext } from './prompt-context.js';

// Read-only views for the HTTP API. Ids are ours (numbers); Discord ids stay strings.

export function listChapters(db: Db, filter: { guildId: string | null }) {
  return listChaptersForApi(db, filter.guildId);
}

export async function getChapterPages(db: Db, chapterId: number) {
  const chapter = await getChapter(db, chapterId);
  if (!chapter) return null;
  return listPageStatusesForApi(db, chapterId);
}

export async function getPageStatus(db: Db, pageId: number) {
  const page = await getPageStatusSummary(db, pageId);
  if (!page) return null;
  const full = await getPage(db, pageId);
  if (!full) throw new Error(`page ${pageId} not found`);
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
    currentDraft:
      page.current_revision_id === null
        ? null
        : { kind: page.current_kind, version: page.current_version, approvals: page.approvals, reviseVotes: page.revise_votes },
  };
}

export async function getPageHistoryById(db: Db, pageId: number) {
  const page = await getPage(db, pageId);
  return page ? loadVersions(db, page.id) : null;
}

/**
 * The context the page's next prompt would get (the draft kind it is on), built exactly as the worker
 * builds it: which bible entries, pages and summary, and the messages themselves.
 */
export async function getNextPromptContext(db: Db, pageId: number, budget: { totalTokens: number; bibleTokens: number }) {
  const place = await getPageWithPlace(db, pageId);
  if (!place) return null;
  const kind =
    place.approved_narration_id !== null && place.state !== 'user_reviewing_narration' && place.state !== 'generating_narration'
      ? 'dialogue'
      : 'narration';
  const prompt =
    kind === 'narration'
      ? buildNarrationPrompt(await loadNarrationContext(db, pageId, budget), countTokens)
      : buildDialoguePrompt(await loadDialogueContext(db, pageId, budget), countTokens);
  return { pageId, kind, report: prompt.report, messages: prompt.messages };
}
