// The chapter with its approved panel images, as the files of an archive: a comic book archive (CBZ:
// the images in reading order and a ComicInfo.xml) or Markdown with the images beside it. Pure: the
// caller loads the chapter, reads each image's bytes when it writes its entry, and zips the files.

import { chapterToMarkdown, type ExportChapter } from './chapter-export.js';
import { xmlText } from './xml-text.js';

/** Where an approved panel image goes in the archive; the caller's own type says where its bytes are. */
export interface PanelImageRef {
  page: number;
  panel: number;
  contentType: string;
  /** The image's size in pixels and bytes, when known: ComicInfo's page list gives them to readers. */
  width?: number;
  height?: number;
  byteSize?: number;
}

export interface PanelImage extends PanelImageRef {
  bytes: Uint8Array;
}

/** A file of the archive: text made here (`data`), or one of the caller's images (`image`). */
export type ArchiveFile<I = PanelImage> =
  { name: string; data: Uint8Array; image?: undefined } | { name: string; data?: undefined; image: I };

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** The `panel` of a whole lettered page: one image for the page instead of its panels. */
export const LETTERED_PAGE = 0;

/** Zero-padded so that sorting by name (what comic readers do) is the reading order. */
export function panelImageName(image: PanelImageRef): string {
  if (image.panel === LETTERED_PAGE)
    return `page-${String(image.page).padStart(3, '0')}-lettered.${EXTENSIONS[image.contentType] ?? 'png'}`;
  return `page-${String(image.page).padStart(3, '0')}-panel-${String(image.panel).padStart(2, '0')}.${EXTENSIONS[image.contentType] ?? 'png'}`;
}

const inReadingOrder = <I extends PanelImageRef>(images: readonly I[]) => [...images].sort((a, b) => a.page - b.page || a.panel - b.panel);

/** One `<Page>` of ComicInfo's page list: the image's index in reading order, and its size where known. */
function comicInfoPage(image: PanelImageRef, index: number): string {
  const attributes = [`Image="${index}"`];
  if (index === 0) attributes.push('Type="FrontCover"');
  if (image.byteSize !== undefined) attributes.push(`ImageSize="${image.byteSize}"`);
  if (image.width !== undefined && image.height !== undefined)
    attributes.push(`ImageWidth="${image.width}"`, `ImageHeight="${image.height}"`);
  return `    <Page ${attributes.join(' ')} />`;
}

/**
 * ComicInfo.xml (the ComicRack schema comic readers read): series, number, title, and the page list,
 * one entry per image in the order of the archive's images (a lettered page is one image).
 */
export function comicInfoXml(chapter: ExportChapter, images: readonly PanelImageRef[]): string {
  const ordered = inReadingOrder(images);
  const pages = ordered.map(comicInfoPage);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<ComicInfo xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">',
    `  <Title>${xmlText(chapter.chapterTitle)}</Title>`,
    `  <Series>${xmlText(chapter.storyTitle)}</Series>`,
    `  <Number>${chapter.chapterNumber}</Number>`,
    `  <Year>${chapter.exportedAt.getUTCFullYear()}</Year>`,
    `  <Month>${chapter.exportedAt.getUTCMonth() + 1}</Month>`,
    `  <Day>${chapter.exportedAt.getUTCDate()}</Day>`,
    `  <PageCount>${ordered.length}</PageCount>`,
    "  <Notes>Written and drawn in a storyroom writers' room; the pages and panels the co-writers approved, in reading order.</Notes>",
    '  <Manga>No</Manga>',
    '  <Pages>',
    ...pages,
    '  </Pages>',
    '</ComicInfo>',
    '',
  ].join('\n');
}

/** What a CBZ holds, in words: "1 lettered page and 2 approved panels". */
export function describeComicContents(contents: { images: number; letteredPages: number }): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [];
  if (contents.letteredPages > 0) parts.push(plural(contents.letteredPages, 'lettered page'));
  if (contents.images > 0 || parts.length === 0) parts.push(plural(contents.images, 'approved panel'));
  return parts.join(' and ');
}

/** A CBZ's files: ComicInfo.xml, then the images in reading order. */
export function comicBookFiles<I extends PanelImageRef>(chapter: ExportChapter, images: readonly I[]): ArchiveFile<I>[] {
  return [
    { name: 'ComicInfo.xml', data: new TextEncoder().encode(comicInfoXml(chapter, images)) },
    ...inReadingOrder(images).map((image) => ({ name: panelImageName(image), image })),
  ];
}

/** Markdown with each approved panel's image under its panel, the images in `images/` beside it. */
export function markdownWithImagesFiles<I extends PanelImageRef>(
  chapter: ExportChapter,
  images: readonly I[],
  markdownName: string,
): ArchiveFile<I>[] {
  const paths = new Map(images.map((image) => [`${image.page}:${image.panel}`, `images/${panelImageName(image)}`]));
  return [
    { name: markdownName, data: new TextEncoder().encode(chapterToMarkdown(chapter, paths)) },
    ...inReadingOrder(images).map((image) => ({ name: `images/${panelImageName(image)}`, image })),
  ];
}

/**
 * The most bytes a ZIP of these files can take as fflate's streaming `Zip` writes it: per file a local
 * header, a data descriptor and a central directory entry (each header with the name), then the end
 * record. Stored files take their size; deflated ones at most their size plus deflate's stored-block
 * headers. Known before any image is read, so an archive too large to send is refused unbuilt.
 */
export function zipSizeBound(files: readonly { name: string; bytes: number; deflated: boolean }[]): number {
  const encoder = new TextEncoder();
  return files.reduce((total, file) => {
    const name = encoder.encode(file.name).length;
    const data = file.deflated ? file.bytes + Math.ceil(file.bytes / 4096) * 5 + 64 : file.bytes;
    return total + 30 + name + data + 16 + 46 + name;
  }, 22);
}
