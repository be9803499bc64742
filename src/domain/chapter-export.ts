// A chapter as files for people and programs: Markdown with the dialogue laid out as a script, and
// JSON. Pure: the caller loads the chapter.

export interface ExportPanel {
  panel: number;
  scene: string;
  characters: string[];
  camera: string;
  mood: string;
  prompt: string;
  negativePrompt: string;
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

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** Story text must not turn into headings, lists or rules of the document around it. */
function safeBlock(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => line.replace(/^(\s*)(#|>|-{3,}|={3,}|\d+\.\s|[-*+]\s)/, '$1\\$2'))
    .join('\n');
}

export function chapterToMarkdown(chapter: ExportChapter): string {
  const out = [`# ${oneLine(chapter.storyTitle)}`, '', `## Chapter ${chapter.chapterNumber}: ${oneLine(chapter.chapterTitle)}`, ''];
  for (const page of [...chapter.pages].sort((a, b) => a.number - b.number)) {
    out.push(`### Page ${page.number}`, '');
    if (!page.approved) out.push('*(not approved yet: showing the current draft)*', '');
    out.push(page.narration?.trim() ? safeBlock(page.narration) : '*(no narration yet)*', '');
    for (const panel of page.dialogue ?? []) {
      out.push(`**Panel ${panel.panel}**`, '');
      if (panel.caption?.trim()) out.push(`*${oneLine(panel.caption)}*`, '');
      for (const line of panel.lines) out.push(`**${oneLine(line.speaker).toUpperCase()}:** ${oneLine(line.line)}`, '');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
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
