import type { ComfyClient } from '../comfyui/comfyui-client.js';
import { neutralReferencePng, referenceUploadsOf, type InputFile } from '../comfyui/reference-uploads.js';
import { listBibleEntries } from '../db/bible.js';
import type { PanelPrompt } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import { postgresImageStore } from '../db/image-store.js';
import { listReferenceImages } from '../db/reference-images.js';
import { chooseRenderReferences, type RenderReference } from '../domain/character-references.js';
import type { ComfyWorkflow } from '../domain/comfyui-workflow.js';
import {
  applyReferenceSlots,
  NEUTRAL_REFERENCE,
  REFERENCE_SUBFOLDER,
  referenceInputPath,
  type ReferenceSlots,
} from '../domain/reference-slots.js';

// A render's reference images: chosen when the render is queued (the panel's characters matched to
// the bible, recorded on the row), and put into ComfyUI's input folder and the workflow's slots when
// it is drawn.

/** The references a panel is drawn with now, slot by slot (none when the workflow has no slots). */
export async function referencesForPanel(
  db: Executor,
  storyId: number,
  panel: Pick<PanelPrompt, 'characters'>,
  slots: { characters: number; style: boolean },
): Promise<RenderReference[]> {
  if (slots.characters === 0 && !slots.style) return [];
  const references = await listReferenceImages(db, storyId);
  if (references.length === 0) return [];
  const bible = (await listBibleEntries(db, storyId)).filter((entry) => entry.ref_type === 'character');
  return chooseRenderReferences({
    panelCharacters: panel.characters,
    bible,
    references: references.map((r) => ({ id: r.id, characterKey: r.character_key, imageHash: r.image_hash })),
    slots: slots.characters,
    styleSlot: slots.style,
  });
}

/**
 * The workflow with the render's references in its slots, their files uploaded to ComfyUI first (once
 * per server and content); `reupload` puts them back after ComfyUI lost its input folder.
 */
export async function withReferenceImages(
  db: Executor,
  comfy: ComfyClient,
  graph: ComfyWorkflow,
  slots: ReferenceSlots,
  references: readonly RenderReference[],
): Promise<{ workflow: ComfyWorkflow; reupload?: () => Promise<void> }> {
  if (slots.characters.length === 0 && !slots.style) return { workflow: graph };
  const store = postgresImageStore(db);
  const files: InputFile[] = [
    { name: NEUTRAL_REFERENCE, subfolder: REFERENCE_SUBFOLDER, bytes: neutralReferencePng(), contentType: 'image/png' },
  ];
  const names = new Map<string, string>();
  for (const reference of references) {
    const image = await store.get(reference.imageHash);
    if (!image || names.has(reference.imageHash)) continue;
    const path = referenceInputPath(reference.imageHash, image.contentType);
    files.push({
      name: path.slice(REFERENCE_SUBFOLDER.length + 1),
      subfolder: REFERENCE_SUBFOLDER,
      bytes: image.bytes,
      contentType: image.contentType,
    });
    names.set(reference.imageHash, path);
  }
  const uploads = referenceUploadsOf(comfy);
  await uploads.ensure(files);
  const neutral = `${REFERENCE_SUBFOLDER}/${NEUTRAL_REFERENCE}`;
  const present = references.filter((r) => names.has(r.imageHash));
  const workflow = applyReferenceSlots(graph, slots, present, (r) => names.get(r.imageHash) ?? neutral, neutral);
  return {
    workflow,
    reupload: async () => {
      uploads.forget();
      await uploads.ensure(files);
    },
  };
}
