import { randomInt, randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, NewPanelPrompt, PanelPrompt } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import { writeToOutbox } from '../db/outbox.js';
import { getPageWithPlace, lockPage } from '../db/pages.js';
import { getPanelPrompt, insertPanelPrompts } from '../db/panel-prompts.js';
import { countRendersInProgressInGuild, hasRenderInProgress, insertPanelRender, lockGuildRenderCap } from '../db/panel-renders.js';
import { getPanelSizeOfPage } from '../db/stories.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import type { PriceTable } from '../domain/pricing.js';
import { budgetSpentMessage, getBudgetStatus, isBudgetSpent } from './budget-service.js';
import { panelSetOf } from './approve-panels.js';
import { describeJob } from '../domain/jobs.js';
import type { RenderReference } from '../domain/character-references.js';
import type { ReferenceSlots } from '../domain/reference-slots.js';
import { referencesForPanel } from './render-references.js';
import { panelPixels } from '../domain/panel-size.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { UserError } from './user-error.js';

/**
 * What a render is drawn with, from the configuration; null when rendering is off (no COMFYUI_URL).
 * The picture's size is the story's own (/settings panel_shape and panel_size), read with the panel.
 */
export interface RenderSettings {
  workflowHash: string;
  /** What each render counts toward the story's monthly budget. */
  costUsd: number;
  /** Renders a server may have waiting or running before a co-writer's request is refused. */
  maxPerGuild: number;
  /** The workflow's reference slots: how many characters a panel is drawn with references of, and whether a style slot. */
  referenceSlots: { characters: number; style: boolean };
}

/** The settings renders are queued with, from the render configuration (null: rendering is off). */
export function renderSettingsOf(
  render: { workflow: { hash: string; slots: ReferenceSlots }; costUsd: number; maxPerGuild: number } | null,
): RenderSettings | null {
  return render
    ? {
        workflowHash: render.workflow.hash,
        costUsd: render.costUsd,
        maxPerGuild: render.maxPerGuild,
        referenceSlots: { characters: render.workflow.slots.characters.length, style: render.workflow.slots.style !== null },
      }
    : null;
}

/**
 * A co-writer's request for more renders (reroll, changed prompt, retry) counts against the wallet:
 * refused while the story's monthly budget is spent, or the server has `maxPerGuild` renders waiting
 * or running. The renders of a newly approved page are not refused (the panels agent already checked
 * the budget), but they count. Call it in the transaction that queues the renders: the server's lock,
 * taken here and held to the commit, makes simultaneous requests count one after another.
 */
export async function assertRenderAllowed(
  trx: Transaction<Database>,
  page: { guild_id: string; story_id: number },
  settings: RenderSettings,
  prices: PriceTable,
  adding = 1,
): Promise<void> {
  await lockGuildRenderCap(trx, page.guild_id);
  const waiting = await countRendersInProgressInGuild(trx, page.guild_id);
  if (waiting + adding > settings.maxPerGuild) {
    throw new UserError(
      `This server already has ${waiting} panel render${waiting === 1 ? '' : 's'} waiting or running (at most ${settings.maxPerGuild}). Try again when some are done. Nothing was changed.`,
    );
  }
  const budget = await getBudgetStatus(trx, page.story_id, prices);
  if (isBudgetSpent(budget)) throw new UserError(`${budgetSpentMessage(budget)} Panels are not drawn again either. Nothing was changed.`);
}

/** Below 2^32: every sampler takes it, and it is exact in JavaScript and in the seed column. */
export function newSeed(): number {
  return randomInt(0, 2 ** 32);
}

/**
 * A render row (seed, prompt, ComfyUI prompt id, reference images) and its job, in the caller's
 * transaction. A new seed unless one is given; the size is the story's (/settings panel_shape and
 * panel_size) at this moment; the references are the bible's for the panel's characters now, unless
 * given (a retry repeats the failed render's).
 */
export async function queueRender(
  trx: Executor,
  panel: PanelPrompt,
  settings: RenderSettings,
  requestedBy: string | null,
  seed = newSeed(),
  repeat?: readonly RenderReference[],
): Promise<{ renderId: number }> {
  const story = await getPanelSizeOfPage(trx, panel.page_id);
  const references = repeat ?? (story ? await referencesForPanel(trx, story.id, panel, settings.referenceSlots) : []);
  const { width, height } = panelPixels(story?.panel_shape ?? 'portrait', story?.panel_size ?? 'standard');
  const render = await insertPanelRender(trx, {
    pageId: panel.page_id,
    panelPromptId: panel.id,
    panelNumber: panel.panel_number,
    seed,
    prompt: panel.prompt,
    negativePrompt: panel.negative_prompt,
    width,
    height,
    workflowHash: settings.workflowHash,
    comfyPromptId: randomUUID(),
    requestedBy,
    costUsd: settings.costUsd,
    references,
  });
  await writeToOutbox(trx, [describeJob('render-panel', { pageId: panel.page_id, renderId: render.id })]);
  // The panels message says the panel waits to be drawn (again) and Approve waits, before the job starts.
  afterCommit(trx).refreshPanels(panel.page_id);
  return { renderId: render.id };
}

/**
 * The panels agent's prompts for an approved page, and (rendering on) one render per panel, written in
 * one transaction with their jobs: a crash after the commit loses nothing, and a second run of the
 * panels job (its prompts already stored) queues nothing.
 */
export async function recordPanelPrompts(
  db: Db,
  panels: NewPanelPrompt[],
  render: RenderSettings | null,
): Promise<{ panels: PanelPrompt[] }> {
  return runInTransaction(db, async (trx) => {
    const inserted = await insertPanelPrompts(trx, panels);
    if (render) for (const panel of inserted) await queueRender(trx, panel, render, null);
    return { panels: inserted };
  });
}

/**
 * The panel a click names, checked in the caller's transaction with the page locked (two clicks on one
 * panel are serialised): in this thread, by a co-writer, its set not yet approved, no render of it
 * running. Refusals are said in words and change nothing.
 */
export async function lockPanelForChange(
  trx: Transaction<Database>,
  place: InteractionPlace,
  panelId: number,
): Promise<{ panel: PanelPrompt; pageNumber: number; page: { guild_id: string; story_id: number } }> {
  const panel = await getPanelPrompt(trx, panelId);
  const page = panel ? await getPageWithPlace(trx, panel.page_id) : undefined;
  if (!panel || !page || page.guild_id !== place.guildId || page.thread_id !== place.channelId) throw new UserError(NOT_IN_THIS_THREAD);
  await lockPage(trx, page.id);
  await assertCoWriter(trx, page.chapter_id, place.userId);
  if ((await panelSetOf(trx, page)).phase === 'approved') throw new UserError(panelsFinal(page.number));
  // A restore or a rewrite since: the panel's dialogue is not the page's approved one, and no render of it is wanted.
  if (panel.revision_id !== page.approved_dialogue_id) {
    throw new UserError(
      `Panel ${panel.panel_number} no longer belongs to the page's approved dialogue (the page was restored or rewritten since), so it is not drawn again. Nothing was changed.`,
    );
  }
  if (await hasRenderInProgress(trx, panel.id))
    throw new UserError(`Panel ${panel.panel_number} is still rendering; try again when it is done. Nothing was changed.`);
  return { panel, pageNumber: page.number, page };
}

export const panelsFinal = (pageNumber: number) =>
  `Page ${pageNumber}'s panels were approved by the co-writers; they are final for the page. Nothing was changed.`;

export const RENDERING_OFF =
  'Rendering is off on this bot (it has no image server set up); ask whoever runs the bot to turn it on. Nothing was changed.';

/**
 * Reroll: a new render of one panel with a new seed (ComfyUI caches an unchanged graph, so only a new
 * seed draws a new picture). Earlier renders are kept. Co-writers only; one render per panel at a time.
 */
export async function rerollPanel(
  db: Db,
  place: InteractionPlace,
  panelId: number,
  render: RenderSettings | null,
  prices: PriceTable,
): Promise<{ panelNumber: number }> {
  if (!render) throw new UserError(RENDERING_OFF);
  return runInTransaction(db, async (trx) => {
    const { panel, page } = await lockPanelForChange(trx, place, panelId);
    await assertRenderAllowed(trx, page, render, prices);
    await queueRender(trx, panel, render, place.userId);
    return { panelNumber: panel.panel_number };
  });
}
