import type { FlaggedLine } from '../domain/lettered-page.js';
import type { BalloonNudge } from '../domain/lettering/script.js';
import type { Executor } from './executor.js';
import type { LetteredPageRow } from './lettering-tables.js';

// A page's lettered versions and the co-writers' approvals of them.

export function findLetteredVersion(db: Executor, pageId: number, version: number): Promise<LetteredPageRow | undefined> {
  return db.selectFrom('lettered_pages').selectAll().where('page_id', '=', pageId).where('version', '=', version).executeTakeFirst();
}

export function getLetteredPage(db: Executor, id: number): Promise<LetteredPageRow | undefined> {
  return db.selectFrom('lettered_pages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The page's newest lettered version. */
export function findNewestLettered(db: Executor, pageId: number): Promise<LetteredPageRow | undefined> {
  return db.selectFrom('lettered_pages').selectAll().where('page_id', '=', pageId).orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/**
 * A new version, superseding the page's open ones (their ids are returned, to redraw their messages).
 * A version already written (a job run twice) is returned as it is.
 */
export async function insertLetteredVersion(
  db: Executor,
  row: {
    pageId: number;
    version: number;
    setVersion: number;
    imageHash: string;
    svg: string;
    layout: unknown;
    flagged: FlaggedLine[];
    createdBy: string | null;
    variant: number;
    nudges: readonly BalloonNudge[];
  },
): Promise<{ row: LetteredPageRow; superseded: number[] }> {
  const inserted = await db
    .insertInto('lettered_pages')
    .values({
      page_id: row.pageId,
      version: row.version,
      set_version: row.setVersion,
      image_hash: row.imageHash,
      svg: row.svg,
      layout: JSON.stringify(row.layout),
      flagged: JSON.stringify(row.flagged),
      created_by: row.createdBy,
      variant: row.variant,
      nudges: JSON.stringify(row.nudges),
    })
    .onConflict((oc) => oc.columns(['page_id', 'version']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    const existing = await findLetteredVersion(db, row.pageId, row.version);
    if (!existing) throw new Error(`lettered version ${row.version} of page ${row.pageId} vanished`);
    return { row: existing, superseded: [] };
  }
  const superseded = await db
    .updateTable('lettered_pages')
    .set({ status: 'superseded' })
    .where('page_id', '=', row.pageId)
    .where('status', '=', 'open')
    .where('version', '<', row.version)
    .returning('id')
    .execute();
  return { row: inserted, superseded: superseded.map((r) => r.id) };
}

/** The co-writers (owners and writers now) who approved this version, in order. */
export async function listLetteredVoters(db: Executor, letteredPageId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('lettered_page_votes as v')
    .innerJoin('lettered_pages as l', 'l.id', 'v.lettered_page_id')
    .innerJoin('story_pages as p', 'p.id', 'l.page_id')
    .innerJoin('chapter_members as m', (join) => join.onRef('m.chapter_id', '=', 'p.chapter_id').onRef('m.user_id', '=', 'v.user_id'))
    .select('v.user_id')
    .where('v.lettered_page_id', '=', letteredPageId)
    .where('m.role', 'in', ['owner', 'writer'])
    .orderBy('v.created_at')
    .execute();
  return rows.map((r) => r.user_id);
}

export async function insertLetteredVote(db: Executor, letteredPageId: number, userId: string): Promise<void> {
  await db
    .insertInto('lettered_page_votes')
    .values({ lettered_page_id: letteredPageId, user_id: userId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function approveLetteredVersion(db: Executor, letteredPageId: number, decidedBy: string): Promise<void> {
  await db.updateTable('lettered_pages').set({ status: 'approved', decided_by: decidedBy }).where('id', '=', letteredPageId).execute();
}

/** Each of these pages' approved lettered version's image (the newest approved, when a reopened page has several). */
export function listApprovedLetteredImagesOfPages(
  db: Executor,
  pageIds: number[],
): Promise<{ pageId: number; hash: string; byteSize: number; contentType: string; width: number; height: number }[]> {
  if (pageIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('lettered_pages as l')
    .innerJoin('images as i', 'i.hash', 'l.image_hash')
    .select(['l.page_id as pageId', 'i.hash', 'i.byte_size as byteSize', 'i.content_type as contentType', 'i.width', 'i.height'])
    .distinctOn('l.page_id')
    .where('l.page_id', 'in', pageIds)
    .where('l.status', '=', 'approved')
    .orderBy('l.page_id')
    .orderBy('l.version', 'desc')
    .execute();
}

/** Each of these pages' approved lettered version's SVG (the newest approved). */
export function listApprovedLetteredSvgsOfPages(db: Executor, pageIds: number[]): Promise<{ pageId: number; svg: string }[]> {
  if (pageIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('lettered_pages')
    .select(['page_id as pageId', 'svg'])
    .distinctOn('page_id')
    .where('page_id', 'in', pageIds)
    .where('status', '=', 'approved')
    .orderBy('page_id')
    .orderBy('version', 'desc')
    .execute();
}
