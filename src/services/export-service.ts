import type { Db } from '../db/connection.js';
import { listChapterPagesForExport, listRevisionsOfPages } from '../db/exports.js';
import { listPanelPromptsOfPages } from '../db/panel-prompts.js';
import { dialogueScriptSchema } from '../domain/dialogue-script.js';
import type { ExportChapter, ExportPage } from '../domain/chapter-export.js';
import { chapterHere } from './member-service.js';
import { zipSync, type Zippable, type ZippableFile } from 'fflate';
import { getChapter } from '../db/chapters.js';
import { listApprovedRenderImagesOfPages } from '../db/panel-renders.js';
import { comicBookFiles, markdownWithImagesFiles, type PanelImage } from '../domain/comic-archive.js';

/**
 * The chapter of this thread as export data: approved pages with their approved texts and panel
 * prompts; a page still in progress shows its latest drafts, marked as not approved.
 */
export async function loadChapterExport(db: Db, place: { guildId: string; channelId: string }): Promise<ExportChapter> {
  return (await loadExportOfChapter(db, await chapterHere(db, place))).exported;
}

type ExportedChapterRow = { id: number; number: number; title: string; story_title: string };

async function loadExportOfChapter(db: Db, chapter: ExportedChapterRow): Promise<{ exported: ExportChapter; pageNumbers: Map<number, number> }> {
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
  return {
    exported: { storyTitle: chapter.story_title, chapterNumber: chapter.number, chapterTitle: chapter.title, exportedAt: new Date(), pages: exported },
    pageNumbers: new Map(pages.map((page) => [page.id, page.number])),
  };
}

export type ArchiveFormat = 'cbz' | 'markdown';

export interface ChapterArchive {
  chapterId: number;
  chapterNumber: number;
  fileName: string;
  bytes: Uint8Array;
  /** Approved panel images in the archive. */
  images: number;
  /** Approved pages whose panels are not approved (yet): not in a CBZ, text only in Markdown. */
  pagesWithoutPanels: number[];
}

/**
 * The chapter with its approved panels, zipped: a CBZ (images in reading order and ComicInfo.xml) or
 * Markdown with the images beside it. Null when no panel set of the chapter is approved yet.
 */
export async function buildChapterArchive(db: Db, chapter: ExportedChapterRow, format: ArchiveFormat): Promise<ChapterArchive | null> {
  const { exported, pageNumbers } = await loadExportOfChapter(db, chapter);
  const rows = await listApprovedRenderImagesOfPages(db, [...pageNumbers.keys()]);
  if (rows.length === 0) return null;
  const images: PanelImage[] = rows.map((row) => ({ page: pageNumbers.get(row.pageId) ?? 0, panel: row.panelNumber, bytes: new Uint8Array(row.bytes), contentType: row.contentType }));
  const base = exportBaseName(exported.chapterNumber, exported.chapterTitle);
  const files = format === 'cbz' ? comicBookFiles(exported, images) : markdownWithImagesFiles(exported, images, `${base}.md`);
  // Images are stored as they are (PNG is compressed already); text is deflated.
  const zippable: Zippable = Object.fromEntries(files.map((file): [string, ZippableFile] => [file.name, [file.data, { level: file.name.endsWith('.md') || file.name.endsWith('.xml') ? 6 : 0 }]]));
  const bytes = zipSync(zippable, { mtime: exported.exportedAt });
  const withPanels = new Set(images.map((image) => image.page));
  return {
    chapterId: chapter.id,
    chapterNumber: exported.chapterNumber,
    fileName: `${base}${format === 'cbz' ? '.cbz' : '-markdown.zip'}`,
    bytes,
    images: images.length,
    pagesWithoutPanels: exported.pages.filter((page) => page.approved && !withPanels.has(page.number)).map((page) => page.number),
  };
}

/** The archive of the chapter of this thread. */
export async function buildChapterArchiveHere(db: Db, place: { guildId: string; channelId: string }, format: ArchiveFormat): Promise<ChapterArchive | null> {
  return buildChapterArchive(db, await chapterHere(db, place), format);
}

/** The same archive for the HTTP API, by chapter id; null for an unknown chapter or one without approved panels. */
export async function buildChapterArchiveById(db: Db, chapterId: number, format: ArchiveFormat): Promise<ChapterArchive | null> {
  const chapter = await getChapter(db, chapterId);
  return chapter ? buildChapterArchive(db, chapter, format) : null;
}

/** The export's file name without extension, a file name part from the title: `chapter-3-the-first-glow`. */
export function exportBaseName(chapterNumber: number, title: string): string {
  const slug =
    title
      .normalize('NFKD')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 40) || 'chapter';
  return `chapter-${chapterNumber}-${slug}`;
}
