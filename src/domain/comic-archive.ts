// The chapter with its approved panel images, as the files of an archive: a comic book archive (CBZ:
// the images in reading order and a ComicInfo.xml) or Markdown with the images beside it. Pure: the
// caller loads the chapter and the images, and zips the files.

import { chapterToMarkdown, type ExportChapter } from './chapter-export.js';
import { xmlText } from './xml-text.js';

export interface PanelImage {
  page: number;
  panel: number;
  bytes: Uint8Array;
  contentType: string;
}

export interface ArchiveFile {
  name: string;
  data: Uint8Array;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** Zero-padded so that sorting by name (what comic readers do) is the reading order. */
export function panelImageName(image: Pick<PanelImage, 'page' | 'panel' | 'contentType'>): string {
  return `page-${String(image.page).padStart(3, '0')}-panel-${String(image.panel).padStart(2, '0')}.${EXTENSIONS[image.contentType] ?? 'png'}`;
}

const inReadingOrder = (images: readonly PanelImage[]) => [...images].sort((a, b) => a.page - b.page || a.panel - b.panel);

/** ComicInfo.xml (the ComicRack schema comic readers read): series, number, title, and one entry per image. */
export function comicInfoXml(chapter: ExportChapter, images: readonly PanelImage[]): string {
  const ordered = inReadingOrder(images);
  const pages = ordered.map((image, index) => `    <Page Image="${index}"${index === 0 ? ' Type="FrontCover"' : ''} />`);
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
    '  <Notes>Written and drawn in a storyroom writers\' room; the panels the co-writers approved, in reading order.</Notes>',
    '  <Manga>No</Manga>',
    '  <Pages>',
    ...pages,
    '  </Pages>',
    '</ComicInfo>',
    '',
  ].join('\n');
}

/** A CBZ's files: ComicInfo.xml, then the images in reading order. */
export function comicBookFiles(chapter: ExportChapter, images: readonly PanelImage[]): ArchiveFile[] {
  return [
    { name: 'ComicInfo.xml', data: new TextEncoder().encode(comicInfoXml(chapter, images)) },
    ...inReadingOrder(images).map((image) => ({ name: panelImageName(image), data: image.bytes })),
  ];
}

/** Markdown with each approved panel's image under its panel, the images in `images/` beside it. */
export function markdownWithImagesFiles(chapter: ExportChapter, images: readonly PanelImage[], markdownName: string): ArchiveFile[] {
  const paths = new Map(images.map((image) => [`${image.page}:${image.panel}`, `images/${panelImageName(image)}`]));
  return [
    { name: markdownName, data: new TextEncoder().encode(chapterToMarkdown(chapter, paths)) },
    ...inReadingOrder(images).map((image) => ({ name: `images/${panelImageName(image)}`, data: image.bytes })),
  ];
}
