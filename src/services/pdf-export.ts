import { chapterPdf, type PdfPagePicture } from '../compositor/chapter-pdf.js';
import { composeLetteredPage } from '../compositor/compose-lettered-page.js';
import type { Db } from '../db/connection.js';
import { getChapter } from '../db/chapters.js';
import { listChapterPagesForExport } from '../db/exports.js';
import { postgresImageStore, type ImageStore } from '../db/image-store.js';
import { listApprovedLetteredImagesOfPages } from '../db/lettered-pages.js';
import { listApprovedRenderImagesOfPages } from '../db/panel-renders.js';
import { getStory } from '../db/stories.js';
import { letteringLayoutOf } from '../domain/lettering-settings.js';
import type { LetteringScript } from '../domain/lettering/script.js';
import { exportBaseName, oneExportAtATime } from './export-service.js';
import { chapterHere } from './member-service.js';

// `/chapter export format:pdf`: the chapter as a print-ready PDF, one PDF page per comic page. A page
// whose lettering the co-writers approved is its lettered picture; a page with approved panels but no
// approved lettering yet is laid out as the letterer lays it out (same frames, gutters and borders),
// without balloons, so the book keeps its pages; an approved page with no approved panels has nothing
// to print and is left out (the reply names it).

type PdfChapter = { id: number; number: number; title: string; story_id: number; story_title: string };

interface PdfPageSource {
  number: number;
  /** The approved lettered picture's hash, or null: the page's approved panels are laid out without lettering. */
  lettered: string | null;
  panels: { hash: string; width: number; height: number; byteSize: number }[];
}

export interface ChapterPdf {
  chapterId: number;
  chapterNumber: number;
  fileName: string;
  bytes: Uint8Array;
  /** Page numbers in the PDF as lettered pages, and as panels laid out without lettering. */
  lettered: number[];
  unlettered: number[];
  /** Approved pages with no approved panels: not in the PDF. */
  pagesWithoutPanels: number[];
}

function pictures(sources: PdfPageSource[], store: ImageStore, story: Omit<LetteringScript, 'panels'>) {
  const read = async (hash: string) => {
    const image = await store.get(hash);
    if (!image) throw new Error(`image ${hash} of the chapter's approved pages is missing from the store`);
    return image.bytes;
  };
  return (async function* (): AsyncGenerator<PdfPagePicture> {
    for (const source of sources) {
      if (source.lettered) {
        yield { bytes: await read(source.lettered) };
        continue;
      }
      const bytes = await Promise.all(source.panels.map((panel) => read(panel.hash)));
      const script: LetteringScript = {
        ...story,
        panels: source.panels.map((panel) => ({ width: panel.width, height: panel.height, lines: [], placements: {} })),
      };
      yield { bytes: (await composeLetteredPage(script, bytes)).png };
    }
  })();
}

/**
 * The chapter's PDF, or `{ tooLarge }` when its pictures' stored sizes alone pass `maxBytes` (refused
 * before anything is drawn) or the PDF built does; null when no page of the chapter has approved panels.
 */
export async function buildChapterPdf(
  db: Db,
  chapter: PdfChapter,
  maxBytes = Infinity,
  store: ImageStore = postgresImageStore(db),
): Promise<ChapterPdf | { tooLarge: number } | null> {
  const pages = await listChapterPagesForExport(db, chapter.id);
  const ids = pages.map((page) => page.id);
  const [lettered, panels] = await Promise.all([listApprovedLetteredImagesOfPages(db, ids), listApprovedRenderImagesOfPages(db, ids)]);
  const sources: PdfPageSource[] = pages
    .map((page) => ({
      number: page.number,
      lettered: lettered.find((row) => row.pageId === page.id)?.hash ?? null,
      panels: panels.filter((row) => row.pageId === page.id),
    }))
    .filter((source) => source.lettered !== null || source.panels.length > 0);
  if (sources.length === 0) return null;
  const storedBytes = sources.reduce(
    (sum, source) =>
      sum +
      (source.lettered
        ? (lettered.find((row) => row.hash === source.lettered)?.byteSize ?? 0)
        : source.panels.reduce((s, panel) => s + panel.byteSize, 0)),
    0,
  );
  if (storedBytes > maxBytes) return { tooLarge: storedBytes };

  const story = await getStory(db, chapter.story_id);
  const layout = { ...letteringLayoutOf(story?.page_format ?? 'comic'), language: story?.language ?? 'und' };
  const bytes = await chapterPdf(
    {
      title: `${chapter.story_title}, chapter ${chapter.number}: ${chapter.title}`,
      subject: `Chapter ${chapter.number} of ${chapter.story_title}, the pages its co-writers approved, lettered.`,
      createdAt: new Date(),
    },
    pictures(sources, store, layout),
  );
  if (bytes.length > maxBytes) return { tooLarge: bytes.length };
  const withPictures = new Set(sources.map((source) => source.number));
  return {
    chapterId: chapter.id,
    chapterNumber: chapter.number,
    fileName: `${exportBaseName(chapter.number, chapter.title)}.pdf`,
    bytes,
    lettered: sources.filter((source) => source.lettered).map((source) => source.number),
    unlettered: sources.filter((source) => !source.lettered).map((source) => source.number),
    pagesWithoutPanels: pages.filter((page) => page.state === 'page_approved' && !withPictures.has(page.number)).map((page) => page.number),
  };
}

/** `/chapter export format:pdf` in this thread: one export of a chapter at a time, refused when it would pass `maxBytes`. */
export async function exportChapterPdfHere(
  db: Db,
  place: { guildId: string; channelId: string },
  maxBytes: number,
): Promise<ChapterPdf | { tooLarge: number; chapterId: number } | null> {
  const chapter = await chapterHere(db, place);
  return oneExportAtATime(chapter.id, async () => {
    const built = await buildChapterPdf(db, chapter, maxBytes);
    return built && 'tooLarge' in built ? { tooLarge: built.tooLarge, chapterId: chapter.id } : built;
  });
}

/** The PDF for the HTTP API, by chapter id; null for an unknown chapter or one without approved panels. */
export async function buildChapterPdfById(db: Db, chapterId: number, store: ImageStore): Promise<ChapterPdf | null> {
  const chapter = await getChapter(db, chapterId);
  const built = chapter ? await buildChapterPdf(db, chapter, Infinity, store) : null;
  return built && !('tooLarge' in built) ? built : null;
}
