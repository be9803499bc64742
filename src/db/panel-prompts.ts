import type { NewPanelPrompt, PanelPrompt } from './database.js';
import type { Executor } from './executor.js';

/** Whether the panels agent already wrote the prompts for this dialogue. */
export async function hasPanelPrompts(db: Executor, dialogueRevisionId: number): Promise<boolean> {
  const row = await db.selectFrom('panel_prompts').select('id').where('revision_id', '=', dialogueRevisionId).executeTakeFirst();
  return row !== undefined;
}

/** Panels already stored for the revision are kept: a second run of the job adds nothing. */
export async function insertPanelPrompts(db: Executor, panels: NewPanelPrompt[]): Promise<PanelPrompt[]> {
  if (panels.length === 0) return [];
  return db
    .insertInto('panel_prompts')
    .values(panels)
    .onConflict((oc) => oc.columns(['revision_id', 'panel_number']).doNothing())
    .returningAll()
    .execute();
}

/** The panel prompts of one approved dialogue, by panel number. */
export async function listPanelPromptsOfRevision(db: Executor, revisionId: number): Promise<PanelPrompt[]> {
  return db.selectFrom('panel_prompts').selectAll().where('revision_id', '=', revisionId).orderBy('panel_number').execute();
}

/** The panel prompts of these pages, by panel number. */
export async function listPanelPromptsOfPages(db: Executor, pageIds: number[]): Promise<PanelPrompt[]> {
  if (pageIds.length === 0) return [];
  return db.selectFrom('panel_prompts').selectAll().where('page_id', 'in', pageIds).orderBy('panel_number').execute();
}

export async function getPanelPrompt(db: Executor, panelId: number): Promise<PanelPrompt | null> {
  return (await db.selectFrom('panel_prompts').selectAll().where('id', '=', panelId).executeTakeFirst()) ?? null;
}

/** A co-writer's new image prompt for a panel: what its next renders (and the exports) use. */
export async function updatePanelPromptText(db: Executor, panelId: number, prompt: string): Promise<void> {
  await db.updateTable('panel_prompts').set({ prompt }).where('id', '=', panelId).execute();
}
