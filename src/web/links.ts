// The reader's addresses, absolute from PUBLIC_URL (previews and feeds need absolute ones).

export interface ReaderLinks {
  story(): string;
  feed(): string;
  chapter(chapterNumber: number, screen?: number): string;
  /** The page inside its chapter screen (its anchor). */
  pageInChapter(chapterNumber: number, screen: number, pageNumber: number): string;
  /** The page on its own, with its own link preview. */
  page(chapterNumber: number, pageNumber: number): string;
  asset(path: string): string;
}

export function readerLinks(publicUrl: string, address: string): ReaderLinks {
  const story = `${publicUrl}/${address}`;
  const chapter = (chapterNumber: number, screen = 1) => `${story}/chapters/${chapterNumber}${screen > 1 ? `?screen=${screen}` : ''}`;
  return {
    story: () => story,
    feed: () => `${story}/feed.xml`,
    chapter,
    pageInChapter: (chapterNumber, screen, pageNumber) => `${chapter(chapterNumber, screen)}#page-${pageNumber}`,
    page: (chapterNumber, pageNumber) => `${story}/chapters/${chapterNumber}/pages/${pageNumber}`,
    asset: (path) => `${publicUrl}${path}`,
  };
}
