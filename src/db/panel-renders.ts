import { sql } from 'kysely';
import type { Executor } from './executor.js';
import type { RenderReference } from '../domain/character-references.js';
import type { PanelRender, RenderFailureKind } from './render-tables.js';

export type { PanelRender };

/**
 * A new render of a panel, numbered after the panel's earlier ones, with ComfyUI's prompt id chosen
 * now: it is stored before anything is sent, so a retried job finds it.
 */
export async function insertPanelRender(
  db: Executor,
  render: {
    pageId: number;
    panelPromptId: number;
    panelNumber: number;
    seed: number;
    prompt: string;
    negativePrompt: string;
    width: number;
    height: number;
    workflowHash: string;
    comfyPromptId: string;
    requestedBy: string | null;
    costUsd?: number;
    references?: readonly RenderReference[];
  },
): Promise<PanelRender> {
  return db
    .insertInto('panel_renders')
    .values({
      page_id: render.pageId,
      panel_prompt_id: render.panelPromptId,
      panel_number: render.panelNumber,
      render_number: sql<number>`(select coalesce(max(render_number), 0) + 1 from panel_renders where panel_prompt_id = ${render.panelPromptId})`,
      seed: render.seed,
      prompt: render.prompt,
      negative_prompt: render.negativePrompt,
      width: render.width,
      height: render.height,
      workflow_hash: render.workflowHash,
      comfy_prompt_id: render.comfyPromptId,
      requested_by: render.requestedBy,
      cost_usd: render.costUsd ?? 0,
      references: JSON.stringify(render.references ?? []),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findPanelRender(db: Executor, renderId: number): Promise<PanelRender | null> {
  return (await db.selectFrom('panel_renders').selectAll().where('id', '=', renderId).executeTakeFirst()) ?? null;
}

/** Written just before the prompt goes to ComfyUI: from then on a retry asks ComfyUI before sending again. */
export async function markRenderSubmitted(db: Executor, renderId: number): Promise<void> {
  await db
    .updateTable('panel_renders')
    .set({ status: 'submitted', submitted_at: sql<Date>`coalesce(submitted_at, now())` })
    .where('id', '=', renderId)
    .where('status', 'in', ['queued', 'submitted'])
    .execute();
}

export async function markRenderDone(db: Executor, renderId: number, imageHash: string): Promise<void> {
  await db
    .updateTable('panel_renders')
    .set({ status: 'done', image_hash: imageHash, failure: null, unreachable_attempt: null, finished_at: sql<Date>`now()` })
    .where('id', '=', renderId)
    .execute();
}

export async function markRenderFailed(db: Executor, renderId: number, failure: string, kind: RenderFailureKind): Promise<void> {
  await db
    .updateTable('panel_renders')
    .set({ status: 'failed', failure, failure_kind: kind, unreachable_attempt: null, finished_at: sql<Date>`now()` })
    .where('id', '=', renderId)
    .where('status', '<>', 'done')
    .execute();
}

/** ComfyUI could not be reached on this attempt of the render's job (null: it answered again). */
export async function markRenderUnreachable(db: Executor, renderId: number, attempt: number | null): Promise<void> {
  await db
    .updateTable('panel_renders')
    .set({ unreachable_attempt: attempt })
    .where('id', '=', renderId)
    .where('status', 'in', ['queued', 'submitted'])
    .execute();
}

/** Every render of a page, by panel and render number: the history a reroll or a prompt change adds to. */
export async function listPanelRendersOfPage(db: Executor, pageId: number): Promise<PanelRender[]> {
  return db
    .selectFrom('panel_renders')
    .selectAll()
    .where('page_id', '=', pageId)
    .orderBy('panel_number')
    .orderBy('render_number')
    .execute();
}

/** The latest render of each panel of a page. */
export async function listLatestPanelRenders(db: Executor, pageId: number): Promise<PanelRender[]> {
  return db
    .selectFrom('panel_renders')
    .selectAll()
    .distinctOn('panel_number')
    .where('page_id', '=', pageId)
    .orderBy('panel_number')
    .orderBy('render_number', 'desc')
    .execute();
}

/** Whether a render of this panel is waiting or running: a second one would only queue behind it. */
export async function hasRenderInProgress(db: Executor, panelPromptId: number): Promise<boolean> {
  const row = await db
    .selectFrom('panel_renders')
    .select('id')
    .where('panel_prompt_id', '=', panelPromptId)
    .where('status', 'in', ['queued', 'submitted'])
    .executeTakeFirst();
  return row !== undefined;
}

/** The newest render of one panel, or null before its first. */
export async function findLatestRenderOfPanel(db: Executor, panelPromptId: number): Promise<PanelRender | null> {
  return (
    (await db
      .selectFrom('panel_renders')
      .selectAll()
      .where('panel_prompt_id', '=', panelPromptId)
      .orderBy('render_number', 'desc')
      .limit(1)
      .executeTakeFirst()) ?? null
  );
}

/** Serialises every per-server render cap decision of one guild until the transaction ends (count, then insert). */
export async function lockGuildRenderCap(trx: Executor, guildId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`render-cap:${guildId}`}))`.execute(trx);
}

/** Renders waiting or running in the guild's stories: what the per-server cap counts. */
export async function countRendersInProgressInGuild(db: Executor, guildId: string): Promise<number> {
  const row = await db
    .selectFrom('panel_renders as r')
    .innerJoin('story_pages as p', 'p.id', 'r.page_id')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('s.guild_id', '=', guildId)
    .where('r.status', 'in', ['queued', 'submitted'])
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** What the story's renders since `since` cost, for its monthly budget. */
export async function sumRenderCostOfStorySince(db: Executor, storyId: number, since: Date): Promise<number> {
  const row = await db
    .selectFrom('panel_renders as r')
    .innerJoin('story_pages as p', 'p.id', 'r.page_id')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('r.cost_usd'), eb.val('0')).as('total'))
    .where('c.story_id', '=', storyId)
    .where('r.created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** The renders of the approved panel sets, of the panels of each page's approved dialogue, with their images. */
function approvedSetImages(db: Executor) {
  return db
    .selectFrom('panel_renders as r')
    .innerJoin('images as i', 'i.hash', 'r.image_hash')
    .innerJoin('story_pages as p', 'p.id', 'r.page_id')
    .innerJoin('panel_prompts as pp', (join) =>
      join.onRef('pp.id', '=', 'r.panel_prompt_id').onRef('pp.revision_id', '=', 'p.approved_dialogue_id'),
    )
    .where('r.approved', '=', true);
}

/** The images of the approved sets of these pages by page and panel: their hash and size, not their bytes. */
export async function listApprovedRenderImagesOfPages(
  db: Executor,
  pageIds: number[],
): Promise<
  {
    pageId: number;
    panelNumber: number;
    hash: string;
    byteSize: number;
    contentType: string;
    width: number;
    height: number;
    references: RenderReference[];
  }[]
> {
  if (pageIds.length === 0) return [];
  return approvedSetImages(db)
    .select([
      'r.page_id as pageId',
      'r.panel_number as panelNumber',
      'i.hash',
      'i.byte_size as byteSize',
      'i.content_type as contentType',
      'i.width',
      'i.height',
      'r.references',
    ])
    .where('r.page_id', 'in', pageIds)
    .orderBy('r.page_id')
    .orderBy('r.panel_number')
    .execute();
}

/** How many images the chapter's approved panel sets hold, and their stored sizes added up: an export is sized before it is built. */
export async function sumApprovedRenderImageBytesOfChapter(db: Executor, chapterId: number): Promise<{ images: number; bytes: number }> {
  const row = await approvedSetImages(db)
    .select((eb) => [eb.fn.countAll<string>().as('images'), eb.fn.coalesce(eb.fn.sum<string>('i.byte_size'), eb.val('0')).as('bytes')])
    .where('p.chapter_id', '=', chapterId)
    .executeTakeFirstOrThrow();
  return { images: Number(row.images), bytes: Number(row.bytes) };
}

/** The newest render of each of these panels (a page's current panel prompts). */
export async function listLatestRendersOfPanels(db: Executor, panelPromptIds: number[]): Promise<PanelRender[]> {
  if (panelPromptIds.length === 0) return [];
  return db
    .selectFrom('panel_renders')
    .selectAll()
    .distinctOn('panel_prompt_id')
    .where('panel_prompt_id', 'in', panelPromptIds)
    .orderBy('panel_prompt_id')
    .orderBy('id', 'desc')
    .execute();
}

/** The newest finished render of each panel: what a panel being drawn again shows meanwhile. */
export async function listLatestDoneRendersOfPanels(db: Executor, panelPromptIds: number[]): Promise<PanelRender[]> {
  if (panelPromptIds.length === 0) return [];
  return db
    .selectFrom('panel_renders')
    .selectAll()
    .distinctOn('panel_prompt_id')
    .where('panel_prompt_id', 'in', panelPromptIds)
    .where('status', '=', 'done')
    .orderBy('panel_prompt_id')
    .orderBy('id', 'desc')
    .execute();
}
