import type { Executor } from './executor.js';

// Read model for /chapter export: every page of a chapter with all its drafts.

export function listChapterPagesForExport(db: Executor, chapterId: number) {
  return db
    .selectFrom('story_pages')
    .select(['id', 'number', 'input', 'state', 'approved_narration_id', 'approved_dialogue_id'])
    .where('chapter_id', '=', chapterId)
    .orderBy('number')
    .execute();
}

/** Every draft of these pages, oldest version first. */
export async function listRevisionsOfPages(db: Executor, pageIds: number[]) {
  if (pageIds.length === 0) return [];
  return db
    .selectFrom('page_revisions')
    .select(['id', 'page_id', 'kind', 'version', 'body', 'structured'])
    .where('page_id', 'in', pageIds)
    .orderBy('version')
    .execute();
}

/** The content type of each of these stored images (a reference's file name in ComfyUI ends with it). */
export async function listImageContentTypes(db: Executor, hashes: string[]): Promise<{ hash: string; contentType: string }[]> {
  if (hashes.length === 0) return [];
  return db.selectFrom('images').select(['hash', 'content_type as contentType']).where('hash', 'in', hashes).execute();
}
