import type { Db } from '../db/connection.js';
import { findLatestRenderOfPanel } from '../db/panel-renders.js';
import { updatePanelPromptText } from '../db/panel-prompts.js';
import { insertPanelPromptEdit } from '../db/panel-review.js';
import { runInTransaction } from '../db/unit-of-work.js';
import type { InteractionPlace } from './co-writers.js';
import type { PriceTable } from '../domain/pricing.js';
import { assertRenderAllowed, lockPanelForChange, queueRender, RENDERING_OFF, type RenderSettings } from './panel-renders.js';
import { UserError } from './user-error.js';

/** Discord's limit for a text input's value: a longer prompt cannot be shown in the form. */
export const PROMPT_FORM_MAX = 4_000;

export interface PromptToChange {
  pageNumber: number;
  panelNumber: number;
  prompt: string;
  /** The panel's newest render when the form opened: a submission made from an older one is refused. */
  renderId: number;
}

/** What the Change prompt form shows: the panel's current prompt. Checked like the change itself. */
export async function panelPromptToChange(
  db: Db,
  place: InteractionPlace,
  panelId: number,
  render: RenderSettings | null,
): Promise<PromptToChange> {
  if (!render) throw new UserError(RENDERING_OFF);
  // A transaction only to share the checks (and their lock) with the change; nothing is written.
  return db.transaction().execute(async (trx) => {
    const { panel, pageNumber } = await lockPanelForChange(trx, place, panelId);
    const latest = await findLatestRenderOfPanel(trx, panel.id);
    if (!latest) throw new UserError(`Panel ${panel.panel_number} has not been rendered yet. Nothing was changed.`);
    return { pageNumber, panelNumber: panel.panel_number, prompt: panel.prompt, renderId: latest.id };
  });
}

/**
 * A co-writer's new prompt for a panel: the panel is drawn again with it (the seed of its newest
 * render kept, so the picture changes by the words alone), and the change is kept in history (who,
 * when, old and new). Refused when the panel was redrawn since the form opened, or the text is the same.
 */
export async function changePanelPrompt(
  db: Db,
  place: InteractionPlace,
  target: { panelId: number; renderId: number },
  newPrompt: string,
  render: RenderSettings | null,
  prices: PriceTable,
): Promise<{ panelNumber: number }> {
  if (!render) throw new UserError(RENDERING_OFF);
  return runInTransaction(db, async (trx) => {
    const { panel, page } = await lockPanelForChange(trx, place, target.panelId);
    const latest = await findLatestRenderOfPanel(trx, panel.id);
    if (!latest || latest.id !== target.renderId) {
      throw new UserError(
        `Panel ${panel.panel_number} was drawn again while your form was open. Press Change prompt ${panel.panel_number} again to edit its current prompt. Nothing was changed.`,
      );
    }
    if (newPrompt === panel.prompt)
      throw new UserError(
        `That is panel ${panel.panel_number}'s prompt already. Reroll ${panel.panel_number} draws it again with a new seed. Nothing was changed.`,
      );
    await assertRenderAllowed(trx, page, render, prices);
    await updatePanelPromptText(trx, panel.id, newPrompt);
    const { renderId } = await queueRender(trx, { ...panel, prompt: newPrompt }, render, place.userId, Number(latest.seed));
    await insertPanelPromptEdit(trx, {
      pageId: panel.page_id,
      panelPromptId: panel.id,
      userId: place.userId,
      oldPrompt: panel.prompt,
      newPrompt,
      renderId,
    });
    return { panelNumber: panel.panel_number };
  });
}
