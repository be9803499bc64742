import type { Db } from '../db/connection.js';
import { listApprovedLetteredImagesOfPages } from '../db/lettered-pages.js';
import { listChapterPagesForExport, listImageContentTypes, listRevisionsOfPages } from '../db/exports.js';
import { listPanelPromptsOfPages } from '../db/panel-prompts.js';
import { dialogueScriptSchema } from '../domain/dialogue-script.js';
import type { ExportChapter, ExportPage, ExportReference } from '../domain/chapter-export.js';
import { referenceInputPath } from '../domain/reference-slots.js';
import { chapterHere } from './member-service.js';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { getChapter } from '../db/chapters.js';
import { listApprovedRenderImagesOfPages, sumApprovedRenderImageBytesOfChapter } from '../db/panel-renders.js';
import {
  comicBookFiles,
  LETTERED_PAGE,
  markdownWithImagesFiles,
  zipSizeBound,
  type ArchiveFile,
  type PanelImageRef,
} from '../domain/comic-archive.js';
import { postgresImageStore, type ImageStore } from '../db/image-store.js';
import { UserError } from './user-error.js';

/**
 * The chapter of this thread as export data: approved pages with their approved texts and panel
 * prompts; a page still in progress shows its latest drafts, marked as not approved.
 */
export async function loadChapterExport(db: Db, place: { guildId: string; channelId: string }): Promise<ExportChapter> {
  return (await loadExportOfChapter(db, await chapterHere(db, place))).exported;
}

type ExportedChapterRow = { id: number; number: number; title: string; story_title: string };

async function loadExportOfChapter(
  db: Db,
  chapter: ExportedChapterRow,
): Promise<{ exported: ExportChapter; pageNumbers: Map<number, number> }> {
  const pages = await listChapterPagesForExport(db, chapter.id);
  const pageIds = pages.map((p) => p.id);
  const revisions = await listRevisionsOfPages(db, pageIds);
  const panels = await listPanelPromptsOfPages(db, pageIds);
  const referencesOf = await approvedRenderReferences(db, pageIds);

  const exported: ExportPage[] = pages.map((page) => {
    const own = revisions.filter((r) => r.page_id === page.id);
    const latest = (kind: 'narration' | 'dialogue') => own.filter((r) => r.kind === kind).at(-1);
    const approved = page.state === 'page_approved';
    const narration = own.find((r) => r.id === page.approved_narration_id) ?? latest('narration');
    const dialogue =
      own.find((r) => r.id === page.approved_dialogue_id) ?? (page.approved_narration_id !== null ? latest('dialogue') : undefined);
    const script = dialogue ? dialogueScriptSchema.safeParse(dialogue.structured) : null;
    return {
      number: page.number,
      input: page.input,
      narration: narration?.body ?? null,
      dialogue: script?.success ? script.data.panels.map((p) => ({ panel: p.panel, caption: p.caption, lines: p.lines })) : null,
      panels: panels
        .filter((p) => p.revision_id === page.approved_dialogue_id)
        .map((p) => ({
          panel: p.panel_number,
          scene: p.scene,
          characters: p.characters,
          camera: p.camera,
          mood: p.mood,
          prompt: p.prompt,
          negativePrompt: p.negative_prompt,
          ...(referencesOf(page.id, p.panel_number).length > 0 ? { references: referencesOf(page.id, p.panel_number) } : {}),
        })),
      approved,
    };
  });
  return {
    exported: {
      storyTitle: chapter.story_title,
      chapterNumber: chapter.number,
      chapterTitle: chapter.title,
      exportedAt: new Date(),
      pages: exported,
    },
    pageNumbers: new Map(pages.map((page) => [page.id, page.number])),
  };
}

/** The references each approved panel render was drawn with, slot by slot, with the file a LoadImage node loads. */
async function approvedRenderReferences(db: Db, pageIds: number[]): Promise<(pageId: number, panelNumber: number) => ExportReference[]> {
  const renders = (await listApprovedRenderImagesOfPages(db, pageIds)).filter((render) => render.references.length > 0);
  const hashes = [...new Set(renders.flatMap((render) => render.references.map((r) => r.imageHash)))];
  const types = new Map((await listImageContentTypes(db, hashes)).map((image) => [image.hash, image.contentType]));
  return (pageId, panelNumber) =>
    (renders.find((render) => render.pageId === pageId && render.panelNumber === panelNumber)?.references ?? []).map((r) => ({
      slot: r.slot,
      character: r.character,
      imageHash: r.imageHash,
      file: referenceInputPath(r.imageHash, types.get(r.imageHash) ?? 'image/png'),
    }));
}

export type ArchiveFormat = 'cbz' | 'markdown';

/** An approved panel image as the archive lists it: its bytes are read from the store when its entry is written. */
interface ArchiveImage extends PanelImageRef {
  hash: string;
  byteSize: number;
}

export interface ChapterArchivePlan {
  chapterId: number;
  chapterNumber: number;
  fileName: string;
  /** The archive's size at most, from the stored sizes of its images: known before anything is built. */
  sizeBound: number;
  /** Approved panel images in the archive (bare panels). */
  images: number;
  /** Approved lettered pages in the archive, one image each (CBZ only). */
  letteredPages: number;
  /** Approved pages whose panels are not approved (yet): not in a CBZ, text only in Markdown. */
  pagesWithoutPanels: number[];
  /** The ZIP, written entry by entry: one image's bytes in memory at a time. */
  stream(images: ImageStore): AsyncGenerator<Uint8Array>;
}

/**
 * The chapter with its approved panels as a CBZ (images in reading order and ComicInfo.xml) or
 * Markdown with the images beside it, planned from stored sizes: null when no panel set of the chapter
 * is approved yet; `{ tooLarge }` as soon as the images alone pass `maxBytes`, before the texts are read.
 */
export async function planChapterArchive(
  db: Db,
  chapter: ExportedChapterRow,
  format: ArchiveFormat,
  maxBytes = Infinity,
): Promise<ChapterArchivePlan | { tooLarge: number } | null> {
  const stored = await sumApprovedRenderImageBytesOfChapter(db, chapter.id);
  if (stored.images === 0) return null;
  if (stored.bytes > maxBytes) return { tooLarge: stored.bytes };
  const { exported, pageNumbers } = await loadExportOfChapter(db, chapter);
  const rows = await listApprovedRenderImagesOfPages(db, [...pageNumbers.keys()]);
  if (rows.length === 0) return null;
  const panels: ArchiveImage[] = rows.map((row) => ({
    page: pageNumbers.get(row.pageId) ?? 0,
    panel: row.panelNumber,
    contentType: row.contentType,
    hash: row.hash,
    byteSize: row.byteSize,
    width: row.width,
    height: row.height,
  }));
  // A comic book carries a page the co-writers approved lettered as that one image instead of its bare panels.
  const lettered = format === 'cbz' ? await listApprovedLetteredImagesOfPages(db, [...pageNumbers.keys()]) : [];
  const letteredPages = new Set(lettered.map((row) => pageNumbers.get(row.pageId) ?? 0));
  const images: ArchiveImage[] = [
    ...panels.filter((image) => !letteredPages.has(image.page)),
    ...lettered.map((row) => ({
      page: pageNumbers.get(row.pageId) ?? 0,
      panel: LETTERED_PAGE,
      contentType: row.contentType,
      hash: row.hash,
      byteSize: row.byteSize,
      width: row.width,
      height: row.height,
    })),
  ];
  const base = exportBaseName(exported.chapterNumber, exported.chapterTitle);
  const files = format === 'cbz' ? comicBookFiles(exported, images) : markdownWithImagesFiles(exported, images, `${base}.md`);
  const withPanels = new Set(images.map((image) => image.page));
  return {
    chapterId: chapter.id,
    chapterNumber: exported.chapterNumber,
    fileName: `${base}${format === 'cbz' ? '.cbz' : '-markdown.zip'}`,
    sizeBound: zipSizeBound(
      files.map((file) =>
        file.image
          ? { name: file.name, bytes: file.image.byteSize, deflated: false }
          : { name: file.name, bytes: file.data.length, deflated: true },
      ),
    ),
    images: images.length - letteredPages.size,
    letteredPages: letteredPages.size,
    pagesWithoutPanels: exported.pages.filter((page) => page.approved && !withPanels.has(page.number)).map((page) => page.number),
    stream: (store) => zipFiles(files, store, exported.exportedAt),
  };
}

/** Writes the ZIP entry by entry. Images are stored as they are (PNG is compressed already); text is deflated. */
async function* zipFiles(files: ArchiveFile<ArchiveImage>[], store: ImageStore, mtime: Date): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const failures: Error[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) failures.push(error);
    else chunks.push(chunk);
  });
  for (const file of files) {
    let data = file.data;
    if (file.image) {
      const image = await store.get(file.image.hash);
      if (!image) throw new Error(`image ${file.image.hash} of the chapter's approved panels is missing from the store`);
      data = image.bytes;
    }
    const entry = file.image ? new ZipPassThrough(file.name) : new ZipDeflate(file.name, { level: 6 });
    entry.mtime = mtime;
    zip.add(entry);
    entry.push(data ?? new Uint8Array(), true);
    if (failures[0]) throw failures[0];
    yield* chunks.splice(0);
  }
  zip.end();
  if (failures[0]) throw failures[0];
  yield* chunks.splice(0);
}

/** The whole archive in memory: only for one already known to fit (Discord's attachment limit). */
export async function collectArchive(plan: ChapterArchivePlan, store: ImageStore): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of plan.stream(store)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

// Chapters whose archive this process is building for Discord. A server's interactions all reach the
// one process of its shard, so a second /chapter export of the chapter meanwhile is refused here.
const chaptersBeingExported = new Set<number>();

/**
 * `/chapter export` of a zipped format in this thread: one export of a chapter at a time, sized from
 * the stored image sizes and refused unbuilt when it would pass `maxBytes`.
 */
export async function exportChapterArchiveHere(
  db: Db,
  place: { guildId: string; channelId: string },
  format: ArchiveFormat,
  maxBytes: number,
  store: ImageStore = postgresImageStore(db),
): Promise<{ archive: ChapterArchivePlan; bytes: Buffer } | { tooLarge: number; chapterId: number } | null> {
  const chapter = await chapterHere(db, place);
  return oneExportAtATime(chapter.id, async () => {
    const plan = await planChapterArchive(db, chapter, format, maxBytes);
    if (!plan) return null;
    if ('tooLarge' in plan) return { tooLarge: plan.tooLarge, chapterId: chapter.id };
    if (plan.sizeBound > maxBytes) return { tooLarge: plan.sizeBound, chapterId: chapter.id };
    const bytes = await collectArchive(plan, store);
    return bytes.length > maxBytes ? { tooLarge: bytes.length, chapterId: chapter.id } : { archive: plan, bytes };
  });
}

/** Builds an export of a chapter for Discord unless one of that chapter is being built in this process already. */
export async function oneExportAtATime<T>(chapterId: number, build: () => Promise<T>): Promise<T> {
  if (chaptersBeingExported.has(chapterId)) {
    throw new UserError(
      'An export of this chapter is being built right now (one at a time, so the bot stays quick for everyone). Run /chapter export again in a moment.',
    );
  }
  chaptersBeingExported.add(chapterId);
  try {
    return await build();
  } finally {
    chaptersBeingExported.delete(chapterId);
  }
}

/** The archive for the HTTP API, by chapter id, to stream; null for an unknown chapter or one without approved panels. */
export async function planChapterArchiveById(db: Db, chapterId: number, format: ArchiveFormat): Promise<ChapterArchivePlan | null> {
  const chapter = await getChapter(db, chapterId);
  const plan = chapter ? await planChapterArchive(db, chapter, format) : null;
  return plan && !('tooLarge' in plan) ? plan : null;
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
