import type { Db } from '../db/connection.js';
import { postgresImageStore } from '../db/image-store.js';
import { getPageWithPlace, type PagePlace } from '../db/pages.js';
import { listPanelPromptsOfRevision } from '../db/panel-prompts.js';
import { listLatestRendersOfPanels } from '../db/panel-renders.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { addReferenceImage } from './reference-service.js';
import { UserError } from './user-error.js';

// Use as reference: a panel's drawn image becomes a reference image of a bible character. Co-writers
// of the chapter only; the panel's newest render must be drawn.

async function pageHere(db: Db, place: InteractionPlace, pageId: number): Promise<PagePlace> {
  const page = await getPageWithPlace(db, pageId);
  if (!page || page.guild_id !== place.guildId || page.thread_id !== place.channelId) throw new UserError(NOT_IN_THIS_THREAD);
  await assertCoWriter(db, page.chapter_id, place.userId);
  return page;
}

/** What the Use as reference form offers: the drawn panels and the characters they show. Refuses a stranger or a viewer. */
export async function referenceCandidates(
  db: Db,
  place: InteractionPlace,
  pageId: number,
): Promise<{ pageNumber: number; panels: { panelNumber: number; characters: string[] }[] }> {
  const page = await pageHere(db, place, pageId);
  const prompts = page.approved_dialogue_id === null ? [] : await listPanelPromptsOfRevision(db, page.approved_dialogue_id);
  const renders = await listLatestRendersOfPanels(
    db,
    prompts.map((p) => p.id),
  );
  const drawn = prompts.filter((p) => renders.some((r) => r.panel_prompt_id === p.id && r.status === 'done'));
  if (drawn.length === 0) throw new UserError(`No panel of page ${page.number} is drawn yet. Nothing was stored.`);
  return { pageNumber: page.number, panels: drawn.map((p) => ({ panelNumber: p.panel_number, characters: p.characters })) };
}

/** Stores the newest drawn image of panel `panelNumber` as a reference of the named bible character. */
export async function usePanelAsReference(
  db: Db,
  place: InteractionPlace,
  request: { pageId: number; panelNumber: number; character: string },
): Promise<{ characterName: string; position: number; panelNumber: number }> {
  const page = await pageHere(db, place, request.pageId);
  const prompts = page.approved_dialogue_id === null ? [] : await listPanelPromptsOfRevision(db, page.approved_dialogue_id);
  const panel = prompts.find((p) => p.panel_number === request.panelNumber);
  if (!panel) throw new UserError(`Page ${page.number} has no panel ${request.panelNumber}. Nothing was stored.`);
  const [render] = await listLatestRendersOfPanels(db, [panel.id]);
  if (render?.status !== 'done' || !render.image_hash)
    throw new UserError(`Panel ${request.panelNumber} is not drawn (its newest render is not finished). Nothing was stored.`);
  const image = await postgresImageStore(db).get(render.image_hash);
  if (!image) throw new UserError(`Panel ${request.panelNumber}'s image is no longer stored. Nothing was stored.`);
  const { reference, position } = await addReferenceImage(db, page.story_id, {
    target: { kind: 'character', name: request.character },
    bytes: image.bytes,
    source: 'panel',
    renderId: render.id,
    userId: place.userId,
  });
  return { characterName: reference.character_name, position, panelNumber: request.panelNumber };
}
