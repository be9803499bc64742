import type { Db } from '../db/connection.js';
import { getPageWithPlace, lockPage } from '../db/pages.js';
import { listLatestRendersOfPanels } from '../db/panel-renders.js';
import { getPanelPrompt, listPanelPromptsOfRevision } from '../db/panel-prompts.js';
import { runInTransaction } from '../db/unit-of-work.js';
import { panelSetOf } from './approve-panels.js';
import { canRetryRender, panelSetVersion } from '../domain/panel-set.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import type { PriceTable } from '../domain/pricing.js';
import { assertRenderAllowed, panelsFinal, queueRender, RENDERING_OFF, type RenderSettings } from './panel-renders.js';
import { UserError } from './user-error.js';

/**
 * Retry: the page's panels whose newest render failed in a way another try can help (ComfyUI was
 * unreachable, stopped, interrupted, timed out or lost the prompt) are rendered again with the same
 * prompt and seed. Co-writers only; the button names the set it was drawn for.
 */
export async function retryFailedPanels(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; setVersion: number },
  render: RenderSettings | null,
  prices: PriceTable,
): Promise<{ panelNumbers: number[] }> {
  if (!render) throw new UserError(RENDERING_OFF);
  return runInTransaction(db, async (trx) => {
    const page = await getPageWithPlace(trx, target.pageId);
    if (!page || page.guild_id !== place.guildId || page.thread_id !== place.channelId) throw new UserError(NOT_IN_THIS_THREAD);
    await lockPage(trx, page.id);
    await assertCoWriter(trx, page.chapter_id, place.userId);
    if ((await panelSetOf(trx, page)).phase === 'approved') throw new UserError(panelsFinal(page.number));
    const prompts = page.approved_dialogue_id === null ? [] : await listPanelPromptsOfRevision(trx, page.approved_dialogue_id);
    const latest = await listLatestRendersOfPanels(
      trx,
      prompts.map((prompt) => prompt.id),
    );
    if (panelSetVersion(latest.map((r) => r.id)) !== target.setVersion)
      throw new UserError(
        'The panels changed since that button was drawn; use the buttons on the current panels message. Nothing was changed.',
      );
    const failed = latest.filter((r) => r.status === 'failed' && canRetryRender(r.failure_kind));
    if (failed.length === 0) throw new UserError('No panel is waiting for another try. Nothing was changed.');
    await assertRenderAllowed(trx, page, render, prices, failed.length);
    for (const failure of failed) {
      const panel = await getPanelPrompt(trx, failure.panel_prompt_id);
      if (!panel) continue;
      await queueRender(trx, panel, render, place.userId, Number(failure.seed), failure.references);
    }
    return { panelNumbers: failed.map((r) => r.panel_number) };
  });
}
