import { describeReferences, type RenderReference } from './character-references.js';
import { dialogueScriptSchema } from './dialogue-script.js';
import { xmlText } from './xml-text.js';

// What the web reader shows of an approved page, built from the stored rows. Pure: the web views
// render it, the feed and the link previews summarise it.

export interface ReaderPanelImage {
  /** Path of the image, addressed by its content hash. */
  path: string;
  width: number;
  height: number;
}

export interface ReaderPanel {
  number: number;
  caption: string | null;
  lines: { speaker: string; line: string }[];
  /** The panels agent's description of the scene: the image's alt text, or what stands in for it. */
  description: string | null;
  image: ReaderPanelImage | null;
  /** Who the panel's image was drawn with as references ("Kai and the style reference"), or null for none. */
  references: string | null;
}

export interface ReaderPage {
  id: number;
  number: number;
  anchor: string;
  paragraphs: string[];
  panels: ReaderPanel[];
  /** The approved dialogue as stored, when it is not a script the reader can lay out. */
  plainDialogue: string | null;
  /** The page as the co-writers approved it lettered: an SVG with real text, its panels under the story's address. */
  letteredSvg: string | null;
  approvedAt: Date;
}

export interface StoredApprovedPage {
  id: number;
  number: number;
  narration: string;
  dialogue: string;
  script: unknown;
  approvedAt: Date;
}

const IMAGE_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/**
 * `/<story address>/images/<sha256>.<ext>`: under the story's secret address, so an image is served only
 * while the story is published there; the hash changes whenever the bytes do.
 */
export function imagePath(storyAddress: string, image: { hash: string; contentType: string }): string {
  return `/${storyAddress}/images/${image.hash}.${IMAGE_EXTENSIONS[image.contentType] ?? 'bin'}`;
}

/** The hash and extension of an image's file name (`<sha256>.<ext>`), matched whole; null for anything else. */
export function parseImageFileName(name: string): { hash: string; extension: string } | null {
  const match = /^([0-9a-f]{64})\.(png|jpg|webp)$/.exec(name);
  return match?.[1] && match[2] ? { hash: match[1], extension: match[2] } : null;
}

export function pageAnchor(pageNumber: number): string {
  return `page-${pageNumber}`;
}

/**
 * Paragraphs as the narrator wrote them: split on blank lines, inner line breaks kept as spaces. Line
 * by line with string operations: `\s*\n\s*` took 6 s on a narration holding a long run of spaces.
 */
export function paragraphsOf(text: string): string[] {
  const paragraphs: string[] = [];
  let lines: string[] = [];
  for (const line of `${text}\n`.split('\n')) {
    const words = line.trim();
    if (words !== '') lines.push(words);
    else if (lines.length > 0) {
      paragraphs.push(lines.join(' '));
      lines = [];
    }
  }
  return paragraphs;
}

export function toReaderPage(
  page: StoredApprovedPage,
  extras: {
    /** The published story's address segment: panel images live under it. */
    storyAddress: string;
    descriptions: { panelNumber: number; scene: string }[];
    images: {
      panelNumber: number;
      hash: string;
      contentType: string;
      width: number;
      height: number;
      references?: readonly RenderReference[];
    }[];
  },
): ReaderPage {
  const script = dialogueScriptSchema.safeParse(page.script);
  const describe = (panelNumber: number) => extras.descriptions.find((d) => d.panelNumber === panelNumber)?.scene.trim() || null;
  const imageOf = (panelNumber: number) => {
    const image = extras.images.find((i) => i.panelNumber === panelNumber);
    return image ? { path: imagePath(extras.storyAddress, image), width: image.width, height: image.height } : null;
  };
  const referencesOf = (panelNumber: number) =>
    describeReferences(extras.images.find((i) => i.panelNumber === panelNumber)?.references ?? []) || null;
  // Models repeat or skip panel numbers: the reader numbers panels by their order, as the panels agent does.
  const panels = script.success
    ? script.data.panels.map((panel, index) => ({
        number: index + 1,
        caption: panel.caption?.trim() || null,
        lines: panel.lines.map((line) => ({ speaker: line.speaker.trim(), line: line.line.trim() })),
        description: describe(index + 1),
        image: imageOf(index + 1),
        references: referencesOf(index + 1),
      }))
    : [];
  return {
    id: page.id,
    number: page.number,
    anchor: pageAnchor(page.number),
    paragraphs: paragraphsOf(page.narration),
    panels,
    plainDialogue: script.success ? null : page.dialogue,
    letteredSvg: null,
    approvedAt: page.approvedAt,
  };
}

const SVG_PANEL_HREF = /href="\/api\/images\/([0-9a-f]{64})"/g;

/**
 * A stored lettered page's SVG for the reader: its panels (linked to the image API, which needs the
 * operator's token) pointed at the story's own image paths. Null when a panel is not one of the page's
 * approved images (the reader would not serve it) or the text is not an SVG the letterer wrote.
 * `idPrefix` keeps its ids apart from other pages' on the same screen. Each panel's picture gets its
 * alt text from the script (`panels`: the panels agent's description of the scene); the lettering is
 * text already, read in reading order.
 */
export function readerLetteredSvg(
  svg: string,
  storyAddress: string,
  images: readonly { panelNumber: number; hash: string; contentType: string }[],
  idPrefix: string,
  panels: readonly Pick<ReaderPanel, 'number' | 'description'>[] = [],
): string | null {
  if (!svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')) return null;
  svg = svg.replace(/<image (?=[^>]*clip-path="url\(#panel-(\d+)\)")/g, (_, index: string) => {
    const panel = panels[Number(index)];
    const alt = `Panel ${panel?.number ?? Number(index) + 1}${panel?.description ? `: ${panel.description}` : ''}`;
    return `<image role="img" aria-label="${xmlText(alt)}" `;
  });
  // Several pages share a screen: their clip paths and balloons need ids of their own.
  svg = svg
    .replaceAll('id="panel-', `id="${idPrefix}-panel-`)
    .replaceAll('url(#panel-', `url(#${idPrefix}-panel-`)
    .replaceAll('id="balloon-', `id="${idPrefix}-balloon-`);
  let unknown = false;
  const rewritten = svg.replace(SVG_PANEL_HREF, (_, hash: string) => {
    const image = images.find((i) => i.hash === hash);
    if (!image) unknown = true;
    return image ? `href="${imagePath(storyAddress, image)}"` : '';
  });
  return unknown ? null : rewritten;
}

/**
 * Text for a link preview's description: whitespace folded, at most `maxBytes` bytes of UTF-8 (Discord
 * cuts longer ones), cut at a word where one is near, with an ellipsis when cut.
 */
export function previewText(text: string, maxBytes = 350): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  const encoder = new TextEncoder();
  if (encoder.encode(folded).length <= maxBytes) return folded;
  const budget = maxBytes - encoder.encode('…').length;
  let cut = '';
  for (const char of folded) {
    if (encoder.encode(cut + char).length > budget) break;
    cut += char;
  }
  const lastSpace = cut.lastIndexOf(' ');
  const atWord = lastSpace > budget * 0.6 ? cut.slice(0, lastSpace) : cut;
  return `${atWord.trimEnd()}…`;
}
