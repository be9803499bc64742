import { sql } from 'kysely';
import type { Executor } from './executor.js';

// A page's panels under review in the thread: prompt changes, approvals of the set, the set's approval.

export async function insertPanelPromptEdit(
  db: Executor,
  edit: { pageId: number; panelPromptId: number; userId: string; oldPrompt: string; newPrompt: string; renderId: number },
): Promise<void> {
  await db
    .insertInto('panel_prompt_edits')
    .values({
      page_id: edit.pageId,
      panel_prompt_id: edit.panelPromptId,
      user_id: edit.userId,
      old_prompt: edit.oldPrompt,
      new_prompt: edit.newPrompt,
      render_id: edit.renderId,
    })
    .execute();
}

/** Records a co-writer's approval of one version of the set; a second click on the same version adds nothing. */
export async function insertPanelSetVote(db: Executor, vote: { pageId: number; setVersion: number; userId: string }): Promise<boolean> {
  const inserted = await db
    .insertInto('panel_set_votes')
    .values({ page_id: vote.pageId, set_version: vote.setVersion, user_id: vote.userId })
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Every approval cast on the page's panels (all versions) that counts: those of the chapter's current
 * owners and writers, as for drafts.
 */
export async function listPanelSetVotes(db: Executor, pageId: number): Promise<{ userId: string; setVersion: number }[]> {
  return db
    .selectFrom('panel_set_votes as v')
    .innerJoin('story_pages as p', 'p.id', 'v.page_id')
    .innerJoin('chapter_members as m', (join) => join.onRef('m.chapter_id', '=', 'p.chapter_id').onRef('m.user_id', '=', 'v.user_id'))
    .select(['v.user_id as userId', 'v.set_version as setVersion'])
    .where('v.page_id', '=', pageId)
    .where('m.role', 'in', ['owner', 'writer'])
    .orderBy('v.created_at')
    .execute();
}

/** The page's latest approval of a set; it holds only while the set is still that version. */
export async function findPanelSetApproval(
  db: Executor,
  pageId: number,
): Promise<{ setVersion: number; decidedBy: string; createdAt: Date } | null> {
  const row = await db
    .selectFrom('panel_set_approvals')
    .select(['set_version as setVersion', 'decided_by as decidedBy', 'created_at as createdAt'])
    .where('page_id', '=', pageId)
    .orderBy('set_version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/** The set is approved: the approval, and its renders marked (the reader and the exports show those). */
export async function recordPanelSetApproval(
  db: Executor,
  approval: { pageId: number; setVersion: number; decidedBy: string; renderIds: number[] },
): Promise<void> {
  await db
    .insertInto('panel_set_approvals')
    .values({ page_id: approval.pageId, set_version: approval.setVersion, decided_by: approval.decidedBy })
    .execute();
  // Only this set's renders are the approved ones (a reopened page's earlier set no longer is).
  await db
    .updateTable('panel_renders')
    .set({ approved: approval.renderIds.length > 0 ? sql<boolean>`id = any(${approval.renderIds}::bigint[])` : false })
    .where('page_id', '=', approval.pageId)
    .execute();
}
