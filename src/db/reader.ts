import { sql } from 'kysely';
import type { RenderReference } from '../domain/character-references.js';
import type { Executor } from './executor.js';

// Read model for the web reader. Only approved pages, and of them only what a reader sees: the
// approved narration and dialogue, the panel descriptions and images. Never drafts, votes,
// feedback, prompts or anyone's id.

const approvedAt = sql<Date>`coalesce(d.decided_at, p.updated_at)`;

/** Approved pages of the story with their chapter, and their place among the chapter's approved pages (1-based). */
function approvedPages(db: Executor, storyId: number) {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('page_revisions as n', 'n.id', 'p.approved_narration_id')
    .innerJoin('page_revisions as d', 'd.id', 'p.approved_dialogue_id')
    .where('c.story_id', '=', storyId)
    .where('p.state', '=', 'page_approved');
}

/** Chapters with at least one approved page: how many, and when the first and the latest were approved. */
export function listReadableChapters(db: Executor, storyId: number) {
  return approvedPages(db, storyId)
    .select(['c.number', 'c.title'])
    .select((eb) => [
      eb.fn.countAll<string>().as('approvedPages'),
      eb.fn.min(approvedAt).as('firstApprovedAt'),
      eb.fn.max(approvedAt).as('latestApprovedAt'),
    ])
    .groupBy(['c.id', 'c.number', 'c.title'])
    .orderBy('c.number')
    .execute();
}

/** The story's newest approved pages, newest first, with where each sits in its chapter. */
export function listLatestApprovedPages(db: Executor, storyId: number, limit: number) {
  return db
    .selectFrom(
      approvedPages(db, storyId)
        .select([
          'p.id',
          'p.number',
          'c.number as chapterNumber',
          'c.title as chapterTitle',
          'n.body as narration',
          'd.id as dialogueRevisionId',
        ])
        .select(approvedAt.as('approvedAt'))
        .select(sql<string>`row_number() over (partition by p.chapter_id order by p.number)`.as('position'))
        .as('page'),
    )
    .selectAll()
    .orderBy('approvedAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** One screen of a chapter's approved pages, in order. */
export function listApprovedPagesOfChapter(db: Executor, place: { storyId: number; chapterNumber: number; offset: number; limit: number }) {
  return approvedPages(db, place.storyId)
    .select(['p.id', 'p.number', 'n.body as narration', 'd.body as dialogue', 'd.structured as script', 'd.id as dialogueRevisionId'])
    .select(approvedAt.as('approvedAt'))
    .where('c.number', '=', place.chapterNumber)
    .orderBy('p.number')
    .offset(place.offset)
    .limit(place.limit)
    .execute();
}

/** The panel descriptions written for these approved dialogues, by panel number. */
export function listPanelDescriptions(db: Executor, dialogueRevisionIds: number[]) {
  if (dialogueRevisionIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('panel_prompts')
    .select(['revision_id as dialogueRevisionId', 'panel_number as panelNumber', 'scene', 'mood'])
    .where('revision_id', 'in', dialogueRevisionIds)
    .orderBy('revision_id')
    .orderBy('panel_number')
    .execute();
}

export interface ApprovedPanelImage {
  pageId: number;
  panelNumber: number;
  /** SHA-256 of the bytes, hex: the image's address. */
  hash: string;
  contentType: string;
  width: number;
  height: number;
  /** The reference images the render was drawn with, slot by slot (none for most renders). */
  references: RenderReference[];
}

/**
 * The panel images of these (approved) pages: per panel, the render of the set the co-writers approved;
 * until they approve one, its newest finished render.
 */
export async function listApprovedPanelImages(db: Executor, pageIds: number[]): Promise<ApprovedPanelImage[]> {
  if (pageIds.length === 0) return [];
  const rows = await db
    .selectFrom('panel_renders as r')
    .innerJoin('images as i', 'i.hash', 'r.image_hash')
    // Renders of the page's approved dialogue's panels only (a reopened page drew new ones).
    .innerJoin('story_pages as p', 'p.id', 'r.page_id')
    .innerJoin('panel_prompts as pp', (join) =>
      join.onRef('pp.id', '=', 'r.panel_prompt_id').onRef('pp.revision_id', '=', 'p.approved_dialogue_id'),
    )
    .select([
      'r.page_id as pageId',
      'r.panel_number as panelNumber',
      'i.hash',
      'i.content_type as contentType',
      'i.width',
      'i.height',
      'r.references',
    ])
    .distinctOn(['r.page_id', 'r.panel_number'])
    .where('r.page_id', 'in', pageIds)
    .where('r.status', '=', 'done')
    .orderBy('r.page_id')
    .orderBy('r.panel_number')
    .orderBy('r.approved', 'desc')
    .orderBy('r.render_number', 'desc')
    .execute();
  return rows;
}

/** The story's approved pages with a finished render of their approved panels whose image has this hash. */
export async function listStoryPagesShowingImage(db: Executor, storyId: number, hash: string): Promise<number[]> {
  const rows = await approvedPages(db, storyId)
    .innerJoin('panel_renders as r', 'r.page_id', 'p.id')
    .innerJoin('panel_prompts as pp', (join) =>
      join.onRef('pp.id', '=', 'r.panel_prompt_id').onRef('pp.revision_id', '=', 'p.approved_dialogue_id'),
    )
    .select('p.id')
    .distinct()
    .where('r.image_hash', '=', hash)
    .where('r.status', '=', 'done')
    .execute();
  return rows.map((row) => row.id);
}
