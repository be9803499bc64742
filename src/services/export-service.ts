import type { Db } from '../db/connection.js';
import { listChapterPagesForExport, listRevisionsOfPages } from '../db/exports.js';
import { listPanelPromptsOfPages } from '../db/panel-prompts.js';
import { dialogueScriptSchema } from '../domain/dialogue-script.js';
import type { ExportChapter, ExportPage } from '../domain/chapter-export.js';
import { chapterHere } from './member-service.js';

/**
 * The chapter of this thread as export data: approved pages with their approved texts and panel
 * prompts; a page still in progress shows its latest drafts, marked as not approved.
 */
export async function loadChapterExport(db: Db, place: { guildId: string; channelId: string }): Promise<ExportChapter> {
  const chapter = await chapterHere(db, place);
  const pages = await listChapterPagesForExport(db, chapter.id);
  const pageIds = pages.map((p) => p.id);
  const revisions = await listRevisionsOfPages(db, pageIds);
  const panels = await listPanelPromptsOfPages(db, pageIds);

  const exported: ExportPage[] = pages.map((page) => {
    const own = revisions.filter((r) => r.page_id === page.id);
    const latest = (kind: 'narration' | 'dialogue') => own.filter((r) => r.kind === kind).at(-1);
    const approved = page.state === 'page_approved';
    const narration = own.find((r) => r.id === page.approved_narration_id) ?? latest('narration');
    const dialogue = own.find((r) => r.id === page.approved_dialogue_id) ?? (page.approved_narration_id !== null ? latest('dialogue') : undefined);
    const script = dialogue ? dialogueScriptSchema.safeParse(dialogue.structured) : null;
    return {
      number: page.number,
      input: page.input,
      narration: narration?.body ?? null,
      dialogue: script?.success ? script.data.panels.map((p) => ({ panel: p.panel, caption: p.caption, lines: p.lines })) : null,
      panels: panels
        .filter((p) => p.revision_id === page.approved_dialogue_id)
        .map((p) => ({ panel: p.panel_number, scene: p.scene, characters: p.characters, camera: p.camera, mood: p.mood, prompt: p.prompt, negativePrompt: p.negative_prompt })),
      approved,
    };
  });
  return { storyTitle: chapter.story_title, chapterNumber: chapter.number, chapterTitle: chapter.title, exportedAt: new Date(), pages: exported };
}
