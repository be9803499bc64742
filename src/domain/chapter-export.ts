// A chapter as files for people and programs: Markdown with the dialogue laid out as a script, and
// JSON. Pure: the caller loads the chapter.

import type { PanelDescription } from './panel-prompts.js';
import { oneLine } from './plain-text.js';

/** A reference image the panel's approved render was drawn with, and where it went. */
export interface ExportReference {
  /** 0-based character slot, or 'style'. */
  slot: number | 'style';
  /** The character's name as the bible writes it; '' for the style reference. */
  character: string;
  /** SHA-256 of the image's bytes, hex: `GET /api/images/<hash>` on the web process serves it. */
  imageHash: string;
  /** The file a LoadImage node loads: where the bot uploads it in ComfyUI's input folder (`storyroom/<hash>.<ext>`). */
  file: string;
}

export interface ExportPanel extends PanelDescription {
  panel: number;
  /** The references of the panel's approved render, slot by slot; absent when it has none (or no approved render). */
  references?: ExportReference[];
}

export interface ExportDialoguePanel {
  panel: number;
  caption: string | null;
  lines: { speaker: string; line: string }[];
}

export interface ExportPage {
  number: number;
  input: string;
  narration: string | null;
  dialogue: ExportDialoguePanel[] | null;
  panels: ExportPanel[];
  /** False: the page is still in progress and shows its latest drafts. */
  approved: boolean;
}

export interface ExportChapter {
  storyTitle: string;
  chapterNumber: number;
  chapterTitle: string;
  exportedAt: Date;
  pages: ExportPage[];
}

/**
 * Story text must not turn into headings, quotes, lists, rules or code fences of the document around
 * it (an unclosed fence would swallow every page after it). Backslash-escaping the marker keeps the
 * text as written; indentation is dropped so no line becomes an indented code block.
 */
function safeLine(line: string): string {
  const text = line.trimStart();
  // "1. " and "1) " start ordered lists; the escape goes on the punctuation, as digits cannot be escaped.
  const ordered = /^(\d{1,9})([.)])(\s|$)/.exec(text);
  if (ordered) return `${ordered[1]}\\${text.slice(ordered[1]?.length ?? 0)}`;
  // Headings, quotes, bullets, fences, and "=", "-" or "***" lines (setext underlines and rules).
  if (/^(#|>|[-*+](\s|$)|```|~~~|=+\s*$|-+\s*$|([*_-])(\s*\3){2,}\s*$)/.test(text)) return `\\${text}`;
  return text;
}

const safeBlock = (text: string) => text.trim().split('\n').map(safeLine).join('\n');

/** `images` maps "page:panel" to an image's path: each shows under its panel (a zipped export). */
export function chapterToMarkdown(chapter: ExportChapter, images: ReadonlyMap<string, string> = new Map()): string {
  const out = [`# ${oneLine(chapter.storyTitle)}`, '', `## Chapter ${chapter.chapterNumber}: ${oneLine(chapter.chapterTitle)}`, ''];
  for (const page of [...chapter.pages].sort((a, b) => a.number - b.number)) {
    out.push(`### Page ${page.number}`, '');
    if (!page.approved) out.push('*(not approved yet: showing the current draft)*', '');
    out.push(page.narration?.trim() ? safeBlock(page.narration) : '*(no narration yet)*', '');
    const shown = new Set<number>();
    for (const panel of page.dialogue ?? []) {
      out.push(`**Panel ${panel.panel}**`, '');
      const image = images.get(`${page.number}:${panel.panel}`);
      if (image) {
        out.push(`![Page ${page.number}, panel ${panel.panel}](${image})`, '');
        shown.add(panel.panel);
      }
      if (panel.caption?.trim()) out.push(`*${oneLine(panel.caption)}*`, '');
      for (const line of panel.lines) out.push(`**${oneLine(line.speaker).toUpperCase()}:** ${oneLine(line.line)}`, '');
    }
    // Images of panels the script does not name (the panels agent may draw more panels than it has).
    for (const panel of page.panels) {
      const image = images.get(`${page.number}:${panel.panel}`);
      if (image && !shown.has(panel.panel)) out.push(`![Page ${page.number}, panel ${panel.panel}](${image})`, '');
    }
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

export function chapterToJson(chapter: ExportChapter): string {
  return JSON.stringify(
    {
      format: 'storyroom.chapter',
      version: 1,
      story: chapter.storyTitle,
      chapter: { number: chapter.chapterNumber, title: chapter.chapterTitle },
      exportedAt: chapter.exportedAt.toISOString(),
      pages: [...chapter.pages].sort((a, b) => a.number - b.number),
    },
    null,
    2,
  );
}
