import { describeReferences } from '../domain/character-references.js';
import { getPanelsMessage } from '../db/discord-messages.js';
import { listPanelPromptsOfRevision } from '../db/panel-prompts.js';
import { listLatestRendersOfPanels } from '../db/panel-renders.js';
import {
  MAX_PANELS_SHOWN,
  panelFileName,
  panelsHeading,
  renderPanelsMessage,
  summarisePanels,
  type PanelView,
} from '../views/panels-message.js';
import { postgresImageStore } from '../db/image-store.js';
import { panelSetOf } from '../services/approve-panels.js';
import { canRetryRender } from '../domain/panel-set.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import type { MessageFile } from './discord-messages.js';

/**
 * Discord's upload limit for a message in a server without boosts (bots included): 10 MiB for all
 * files together. Images past it are linked to the HTTP API instead of attached.
 */
export const DISCORD_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** The page's panels with their latest renders, and (when asked) the finished images as files. */
export async function loadPanels(
  deps: WorkerDeps,
  place: PagePlace,
  withImages: boolean,
): Promise<{ panels: PanelView[]; files: MessageFile[] }> {
  const prompts = place.approved_dialogue_id === null ? [] : await listPanelPromptsOfRevision(deps.db, place.approved_dialogue_id);
  const latest = new Map(
    (
      await listLatestRendersOfPanels(
        deps.db,
        prompts.map((prompt) => prompt.id),
      )
    ).map((render) => [render.panel_prompt_id, render]),
  );
  const files: MessageFile[] = [];
  let bytes = 0;
  const panels: PanelView[] = [];
  const images = postgresImageStore(deps.db);
  for (const prompt of prompts.slice(0, MAX_PANELS_SHOWN)) {
    const render = latest.get(prompt.id);
    let attachment: string | null = null;
    let imagePath: string | null = null;
    if (render?.status === 'done' && render.image_hash && withImages) {
      const image = await images.get(render.image_hash);
      if (image && bytes + image.bytes.length <= DISCORD_UPLOAD_LIMIT_BYTES) {
        attachment = panelFileName(place.number, prompt.panel_number, render.render_number);
        files.push({ name: attachment, data: image.bytes });
        bytes += image.bytes.length;
      } else if (image) {
        imagePath = `/api/images/${render.image_hash}`;
      }
    }
    panels.push({
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
            attachment,
            imagePath,
            references: describeReferences(render.references),
          }
        : null,
    });
  }
  return { panels, files };
}

/**
 * Posts or edits the page's one "Page N · Panels" message, with the finished renders attached. The
 * status line defaults to a summary of the renders.
 */
export async function showPanels(deps: WorkerDeps, place: PagePlace, status?: string): Promise<void> {
  if (place.thread_id === null) return;
  const { panels, files } = await loadPanels(deps, place, true);
  const set = await panelSetOf(deps.db, place);
  const body = renderPanelsMessage(place, panels, status ?? summarisePanels(panels, set), set);
  await deps.messages.upsert(
    { channelId: place.thread_id, purpose: 'panels', chapterId: place.chapter_id, pageId: place.id, revisionId: null, generationKey: null },
    { by: 'page_panels' },
    body,
    files,
  );
}

/** A progress edit: only the line under the title changes (a partial edit keeps embeds and attachments). */
export async function showPanelsStatus(deps: WorkerDeps, place: PagePlace, status: string): Promise<void> {
  const message = await getPanelsMessage(deps.db, place.id);
  if (!message) return showPanels(deps, place, status);
  await deps.messages.editContent(message.channel_id, message.message_id, panelsHeading(place, status));
}
