import { chapterToJson, chapterToMarkdown, type ExportChapter } from '../src/domain/chapter-export.js';
import { comicInfoXml } from '../src/domain/comic-archive.js';
import { parseScriptText, renderDialogueScript, type DialogueScript } from '../src/domain/dialogue-script.js';
import { paragraphsOf, previewText } from '../src/domain/reader-page.js';
import { diffWordsBounded, renderDiffMarkdown } from '../src/domain/word-diff.js';
import { cleanEdit, EditRefused, readEdit, type EditSource } from '../src/services/edit-draft.js';
import { readText } from '../src/discord/text-input.js';
import { materialBlock } from '../src/domain/material-block.js';
import { renderAtomFeed } from '../src/web/feed.js';
import { readerLinks } from '../src/web/links.js';
import { now, row, summarize, type BenchRow } from './stats.js';

// Every text path on the inputs that once took seconds: long runs of spaces, of Markdown markers, of
// newlines and of combining marks, in a 100 kB `/page edit` file, 4,000-character form fields and
// 20,000-character drafts (the longest an edit may be). Each row is the path's slowest input, as a
// median over repeated runs, against JSON.stringify of the same text.

const RUNS = 15;
const TARGET = '≤ 50 ms';

const UNITS: Record<string, string> = {
  spaces: ' ',
  asterisks: '*',
  underscores: '_',
  backslashes: '\\',
  'masked-link brackets': '[a](',
  'angle brackets': '<',
  newlines: '\n',
  'combining marks': '\u0301',
};

/** `a`, a run of `unit`, `b`: `length` characters. */
const run = (unit: string, length: number) => `a${unit.repeat(Math.ceil(length / unit.length)).slice(0, length - 2)}b`;

/** A typed script of about `length` characters: a caption and lines of dialogue, each holding a run. */
function typedScript(unit: string, length: number): string {
  const parts = [`Panel 1\n*${run(unit, 500)}*`];
  let size = parts[0]?.length ?? 0;
  while (size < length - 620) {
    const line = `KAI: ${run(unit, 590)}`;
    parts.push(line);
    size += line.length + 1;
  }
  return parts.join('\n');
}

/** The model's longest script: twelve panels, each a 600-character caption and four 600-character lines. */
const modelScript = (unit: string): DialogueScript => ({
  panels: Array.from({ length: 12 }, (_, i) => ({
    panel: i + 1,
    caption: run(unit, 600),
    lines: Array.from({ length: 4 }, () => ({ speaker: run(unit, 80), line: run(unit, 600) })),
  })),
});

function edit(typed: string, from: EditSource): void {
  try {
    readEdit('dialogue', cleanEdit(typed, from), typed);
  } catch (error) {
    if (!(error instanceof EditRefused)) throw error;
  }
}

const links = readerLinks('https://reader.example', 'bench-0123456789abcdef0123456789abcdef');
const feedOf = (narration: string) =>
  renderAtomFeed(
    { id: 1, title: 'Bench', address: 'bench-0123456789abcdef0123456789abcdef', publishedAt: new Date(0) },
    [{ chapterNumber: 1, chapterTitle: 'One', pageNumber: 1, approvedAt: new Date(0), narration, image: null }],
    links,
  );

function chapterOf(narration: string, script: DialogueScript): ExportChapter {
  return {
    storyTitle: 'Bench',
    chapterNumber: 1,
    chapterTitle: 'One',
    exportedAt: new Date(0),
    pages: [{ number: 1, input: narration.slice(0, 1_000), narration, dialogue: script.panels, panels: [], approved: true }],
  };
}

interface TextPath {
  measure: string;
  /** The text given to the path for one kind of run, and the work on it. */
  input(unit: string): { text: string; work: () => unknown };
}

const PATHS: TextPath[] = [
  {
    measure: 'typed form field (cleaned, then prompt material), 4,000 characters',
    input: (unit) =>
      ((text) => ({ text, work: () => materialBlock('Feedback', readText(text, { label: 'Your feedback', max: 4_000 })) }))(
        run(unit, 4_000),
      ),
  },
  {
    measure: 'script parsing, 4,000-character form',
    input: (unit) => ((text) => ({ text, work: () => parseScriptText(text) }))(typedScript(unit, 4_000)),
  },
  {
    measure: 'edit (clean, parse, render), 4,000-character form',
    input: (unit) => ((text) => ({ text, work: () => edit(text, 'form') }))(typedScript(unit, 4_000)),
  },
  {
    measure: 'edit, 100 kB /page edit file (refused)',
    input: (unit) => ((text) => ({ text, work: () => edit(text, 'file') }))(`Panel 1\n*${run(unit, 99_960)}*\nKAI: Hi.`),
  },
  {
    measure: 'edit (clean, parse, render), 20,000-character file',
    input: (unit) => ((text) => ({ text, work: () => edit(text, 'file') }))(typedScript(unit, 20_000)),
  },
  {
    measure: "Markdown of the model's longest script (12 panels)",
    input: (unit) => ((script) => ({ text: JSON.stringify(script), work: () => renderDialogueScript(script) }))(modelScript(unit)),
  },
  {
    measure: '/page diff of two 20,000-character drafts',
    input: (unit) =>
      ((before) => ({ text: before, work: () => renderDiffMarkdown(diffWordsBounded(before, `x ${before} y`).parts, 4_096) }))(
        run(unit, 20_000),
      ),
  },
  {
    measure: 'reader paragraphs and preview, 20,000-character narration',
    input: (unit) => ((text) => ({ text, work: () => previewText(paragraphsOf(text).join(' ')) }))(run(unit, 20_000)),
  },
  {
    measure: 'Atom feed, 20,000-character narration',
    input: (unit) => ((text) => ({ text, work: () => feedOf(text) }))(run(unit, 20_000)),
  },
  {
    measure: 'exports (Markdown, JSON, ComicInfo.xml), 20,000-character narration + longest script',
    input: (unit) =>
      ((chapter) => ({
        text: JSON.stringify(chapter),
        work: () => [chapterToMarkdown(chapter), chapterToJson(chapter), comicInfoXml(chapter, [])],
      }))(chapterOf(run(unit, 20_000), modelScript(unit))),
  },
];

/** Each text path on each kind of run; the row is its slowest kind. */
export async function benchPathological(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const path of PATHS) {
    let worst: { unit: string; times: number[]; baseline: number[] } | null = null;
    for (const [name, unit] of Object.entries(UNITS)) {
      const { text, work } = path.input(unit);
      const times: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const t0 = now();
        await work();
        times.push(now() - t0);
        const t1 = now();
        JSON.stringify(text);
        baseline.push(now() - t1);
      }
      if (!worst || summarize(times).median > summarize(worst.times).median) worst = { unit: name, times, baseline };
    }
    if (!worst) continue;
    rows.push(
      row(
        `pathological text: ${path.measure}`,
        'ms',
        summarize(worst.times),
        { name: 'JSON.stringify of the same text', value: summarize(worst.baseline) },
        TARGET,
        `slowest of ${Object.keys(UNITS).length} kinds of run: ${worst.unit}`,
      ),
    );
  }
  return rows;
}
