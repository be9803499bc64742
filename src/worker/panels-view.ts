import { describeReferences } from '../domain/character-references.js';
import { listPanelPromptsOfRevision } from '../db/panel-prompts.js';
import { listLatestDoneRendersOfPanels, listLatestRendersOfPanels } from '../db/panel-renders.js';
import { findImageSizes } from '../db/images.js';
import type { Executor } from '../db/executor.js';
import type { PanelRender } from '../db/render-tables.js';
import {
  MAX_PANELS_SHOWN,
  panelFileName,
  renderPanelsMessage,
  summarisePanels,
  type LiveProgress,
  type PanelView,
} from '../views/panels-message.js';
import { postgresImageStore } from '../db/image-store.js';
import { panelSetOf } from '../services/approve-panels.js';
import { canRetryRender } from '../domain/panel-set.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import type { ViewFile } from './message-views.js';

/**
 * Discord's upload limit for a message in a server without boosts (bots included): 10 MiB for all
 * files together. Images past it are linked to the HTTP API instead of attached.
 */
export const DISCORD_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The page's panels with their newest renders, and the images they show as files (read only when
 * uploaded). A panel drawn again shows its newest finished image meanwhile. The images are attached
 * while all of them together fit Discord's upload limit, in panel order; the rest are linked.
 */
export async function loadPanels(
  deps: WorkerDeps,
  place: PagePlace,
  db: Executor = deps.db,
): Promise<{ panels: PanelView[]; files: ViewFile[] }> {
  const prompts = place.approved_dialogue_id === null ? [] : await listPanelPromptsOfRevision(db, place.approved_dialogue_id);
  const ids = prompts.map((prompt) => prompt.id);
  const latest = new Map((await listLatestRendersOfPanels(db, ids)).map((render) => [render.panel_prompt_id, render]));
  const finished = new Map((await listLatestDoneRendersOfPanels(db, ids)).map((render) => [render.panel_prompt_id, render]));
  const shown = prompts.slice(0, MAX_PANELS_SHOWN).map((prompt) => {
    const render = latest.get(prompt.id);
    const busy = render?.status === 'queued' || render?.status === 'submitted';
    const image = render?.status === 'done' ? render : busy ? finished.get(prompt.id) : undefined;
    return { prompt, render, image: image?.image_hash ? (image as PanelRender & { image_hash: string }) : undefined };
  });
  const sizes = await findImageSizes(
    db,
    shown.flatMap(({ image }) => (image ? [image.image_hash] : [])),
  );
  // Read when uploaded, after the view's transaction: through the pool.
  const images = postgresImageStore(deps.db);
  const files: ViewFile[] = [];
  let bytes = 0;
  const panels = shown.map(({ prompt, render, image }): PanelView => {
    let shownImage: PanelView['image'] = null;
    const size = image ? sizes.get(image.image_hash) : undefined;
    if (image && size !== undefined) {
      const hash = image.image_hash;
      if (bytes + size <= DISCORD_UPLOAD_LIMIT_BYTES) {
        const name = panelFileName(place.number, prompt.panel_number, image.render_number);
        files.push({ name, load: async () => (await images.get(hash))?.bytes ?? Buffer.alloc(0) });
        bytes += size;
        shownImage = { renderNumber: image.render_number, attachment: name, imagePath: null };
      } else {
        shownImage = { renderNumber: image.render_number, attachment: null, imagePath: `/api/images/${hash}` };
      }
    }
    return {
      panelId: prompt.id,
      panelNumber: prompt.panel_number,
      prompt: render?.prompt ?? prompt.prompt,
      render: render
        ? {
            renderNumber: render.render_number,
            seed: Number(render.seed),
            status: render.status,
            failure: render.failure,
            retryable: render.status === 'failed' && canRetryRender(render.failure_kind),
            unreachableAttempt: render.unreachable_attempt,
            references: describeReferences(render.references),
          }
        : null,
      image: shownImage,
    };
  });
  return { panels, files };
}

/**
 * Shows the page's one "Page N · Panels" message as Postgres has it now: footers, the line under the
 * title and the buttons from one read, the images attached (unchanged ones kept by id). `live` is the
 * progress of the render this worker draws; `note` replaces the line (rendering off). Every writer
 * goes through here, and the message's views are ordered (src/worker/message-views.ts).
 */
export async function showPanels(deps: WorkerDeps, place: PagePlace, options: { live?: LiveProgress; note?: string } = {}): Promise<void> {
  if (place.thread_id === null) return;
  await deps.messages.show(
    { channelId: place.thread_id, purpose: 'panels', chapterId: place.chapter_id, pageId: place.id, revisionId: null, generationKey: null },
    { by: 'page_panels' },
    async (db) => {
      const { panels, files } = await loadPanels(deps, place, db);
      const set = await panelSetOf(db, place);
      const live = options.live ?? null;
      const status = options.note ?? summarisePanels(panels, set, live);
      return { body: renderPanelsMessage(place, panels, status, set, live), files };
    },
  );
}
