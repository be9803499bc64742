import type { Db } from '../db/connection.js';
import { getPublishedStory } from '../db/publications.js';
import {
  listApprovedPagesOfChapter,
  listApprovedPanelImages,
  listLatestApprovedPages,
  listPanelDescriptions,
  listReadableChapters,
  listStoryPagesShowingImage,
} from '../db/reader.js';
import { listApprovedLetteredSvgsOfPages } from '../db/lettered-pages.js';
import { parsePublicPath } from '../domain/publication.js';
import { imagePath, paragraphsOf, parseImageFileName, readerLetteredSvg, toReaderPage, type ReaderPage } from '../domain/reader-page.js';

// The web reader's use cases: find a published story by its address, and load what a screen shows.

const LATEST_PAGES = 5;

export interface PublishedStory {
  id: number;
  title: string;
  /** The path segment `<slug>-<token>`. */
  address: string;
  publishedAt: Date;
  /** The story's language (BCP 47, 'und' when not chosen): its pages carry it as `lang` and `dir`. */
  language?: string;
}

export interface ReadableChapter {
  number: number;
  title: string;
  approvedPages: number;
  firstApprovedAt: Date;
  latestApprovedAt: Date;
}

/** The story at this address, or null for anything unknown, revoked or malformed: the caller says only "not found". */
export async function openPublishedStory(db: Db, segment: string): Promise<PublishedStory | null> {
  const address = parsePublicPath(segment);
  if (!address) return null;
  const story = await getPublishedStory(db, address);
  if (!story?.slug || !story.token || !story.publishedAt) return null;
  return { id: story.id, title: story.title, address: segment, publishedAt: new Date(story.publishedAt), language: story.language };
}

async function readableChapters(db: Db, storyId: number): Promise<ReadableChapter[]> {
  const rows = await listReadableChapters(db, storyId);
  return rows.map((row) => ({
    number: row.number,
    title: row.title,
    approvedPages: Number(row.approvedPages),
    firstApprovedAt: new Date(row.firstApprovedAt),
    latestApprovedAt: new Date(row.latestApprovedAt),
  }));
}

async function firstImageOf(db: Db, story: PublishedStory, pageIds: number[]): Promise<string | null> {
  const [first] = await listApprovedPanelImages(db, pageIds);
  return first ? imagePath(story.address, first) : null;
}

/** The front page: chapters with their approved page counts and dates, and the newest pages. */
export async function loadStoryFront(db: Db, story: PublishedStory, pagesPerScreen: number) {
  const [chapters, latestRows] = await Promise.all([readableChapters(db, story.id), listLatestApprovedPages(db, story.id, LATEST_PAGES)]);
  const latest = latestRows.map((row) => ({
    chapterNumber: row.chapterNumber,
    chapterTitle: row.chapterTitle,
    pageNumber: row.number,
    screen: Math.ceil(Number(row.position) / pagesPerScreen),
    approvedAt: new Date(row.approvedAt),
    excerpt: paragraphsOf(row.narration)[0] ?? '',
  }));
  const lastModified = maxDate([story.publishedAt, ...chapters.map((c) => c.latestApprovedAt)]);
  return {
    chapters,
    latest,
    lastModified,
    previewImage: await firstImageOf(
      db,
      story,
      latestRows.map((r) => r.id),
    ),
  };
}

/** One screen of a chapter (1-based), with the chapters before and after it; null when there is no such chapter or screen. */
export async function loadChapterScreen(
  db: Db,
  story: PublishedStory,
  place: { chapterNumber: number; screen: number; pagesPerScreen: number },
) {
  const chapters = await readableChapters(db, story.id);
  const index = chapters.findIndex((c) => c.number === place.chapterNumber);
  const chapter = chapters[index];
  if (!chapter) return null;
  const perScreen = place.pagesPerScreen;
  const screens = Math.max(1, Math.ceil(chapter.approvedPages / perScreen));
  if (place.screen < 1 || place.screen > screens) return null;
  const pages = await loadReaderPages(db, story, {
    chapterNumber: chapter.number,
    offset: (place.screen - 1) * perScreen,
    limit: perScreen,
  });
  return {
    chapter,
    previous: chapters[index - 1] ?? null,
    next: chapters[index + 1] ?? null,
    screen: place.screen,
    screens,
    pages,
    lastModified: maxDate([story.publishedAt, chapter.latestApprovedAt]),
  };
}

/** One approved page on its own (its own link preview), with the screen of the chapter that holds it. */
export async function loadSinglePage(
  db: Db,
  story: PublishedStory,
  place: { chapterNumber: number; pageNumber: number; pagesPerScreen: number },
) {
  const chapters = await readableChapters(db, story.id);
  const chapter = chapters.find((c) => c.number === place.chapterNumber);
  if (!chapter) return null;
  // A chapter's approved pages fit in one query: it is read to find the page's place among them.
  const all = await loadReaderPages(db, story, { chapterNumber: chapter.number, offset: 0, limit: chapter.approvedPages });
  const position = all.findIndex((p) => p.number === place.pageNumber);
  const page = all[position];
  if (!page) return null;
  return {
    chapter,
    page,
    screen: Math.ceil((position + 1) / place.pagesPerScreen),
    lastModified: maxDate([story.publishedAt, page.approvedAt]),
  };
}

/** The newest approved pages for the feed, newest first. */
export async function loadFeedEntries(db: Db, story: PublishedStory, limit: number) {
  const rows = await listLatestApprovedPages(db, story.id, limit);
  const images = await listApprovedPanelImages(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const image = images.find((i) => i.pageId === row.id);
    return {
      chapterNumber: row.chapterNumber,
      chapterTitle: row.chapterTitle,
      pageNumber: row.number,
      approvedAt: new Date(row.approvedAt),
      narration: row.narration,
      image: image ? imagePath(story.address, image) : null,
    };
  });
}

async function loadReaderPages(
  db: Db,
  story: PublishedStory,
  place: { chapterNumber: number; offset: number; limit: number },
): Promise<ReaderPage[]> {
  const rows = await listApprovedPagesOfChapter(db, { storyId: story.id, ...place });
  const [descriptions, images, lettered] = await Promise.all([
    listPanelDescriptions(
      db,
      rows.map((r) => r.dialogueRevisionId),
    ),
    listApprovedPanelImages(
      db,
      rows.map((r) => r.id),
    ),
    listApprovedLetteredSvgsOfPages(
      db,
      rows.map((r) => r.id),
    ),
  ]);
  return rows.map((row) => {
    const own = images.filter((i) => i.pageId === row.id);
    const page = toReaderPage(
      {
        id: row.id,
        number: row.number,
        narration: row.narration,
        dialogue: row.dialogue,
        script: row.script,
        approvedAt: new Date(row.approvedAt),
      },
      {
        storyAddress: story.address,
        descriptions: descriptions.filter((d) => d.dialogueRevisionId === row.dialogueRevisionId),
        images: own,
      },
    );
    const svg = lettered.find((l) => l.pageId === row.id)?.svg;
    return svg ? { ...page, letteredSvg: readerLetteredSvg(svg, story.address, own, page.anchor, page.panels) } : page;
  });
}

/**
 * The hash of a panel image under the story's address, when a reader of the story is shown it now (a
 * panel of an approved page, the render its page shows); null for any other file name or image.
 */
export async function findStoryImage(db: Db, story: PublishedStory, fileName: string): Promise<string | null> {
  const name = parseImageFileName(fileName);
  if (!name) return null;
  // The same rule the pages are drawn with: the image each candidate page shows for each panel.
  const pageIds = await listStoryPagesShowingImage(db, story.id, name.hash);
  const shown = (await listApprovedPanelImages(db, pageIds)).find((i) => i.hash === name.hash);
  return shown && imagePath(story.address, shown) === `/${story.address}/images/${fileName}` ? name.hash : null;
}

function maxDate(dates: Date[]): Date {
  return new Date(Math.max(...dates.map((d) => d.getTime())));
}
