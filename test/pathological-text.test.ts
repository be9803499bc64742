import { describe, expect, it } from 'vitest';
import { CommandMentions } from '../src/discord/command-mentions.js';
import { selectBible } from '../src/domain/bible-selection.js';
import { formatReviewNotes } from '../src/domain/continuity-review.js';
import { escapeDiscordMarkdown } from '../src/domain/markdown-escape.js';
import { materialBlock, materialLabel } from '../src/domain/material-block.js';
import { toPanelRows } from '../src/domain/panel-prompts.js';
import { cleanTypedText } from '../src/domain/plain-text.js';
import { slugFromTitle } from '../src/domain/publication.js';
import { parseVersionAndTake } from '../src/domain/takes.js';
import { scrubSecrets } from '../src/logger.js';
import { exportBaseName } from '../src/services/export-service.js';
import { chapterToMarkdown, type ExportChapter } from '../src/domain/chapter-export.js';
import { comicInfoXml } from '../src/domain/comic-archive.js';
import { DIALOGUE_LIMITS, parseScriptText, renderDialogueScript } from '../src/domain/dialogue-script.js';
import { paragraphsOf, previewText } from '../src/domain/reader-page.js';
import { diffWords, renderDiffMarkdown } from '../src/domain/word-diff.js';
import { renderAtomFeed } from '../src/web/feed.js';
import { readerLinks } from '../src/web/links.js';

// Every text path that sees a person's or the model's text, fed the inputs that make a backtracking
// pattern (or discord.js's escapeMarkdown, whose patterns look back along the line) take seconds: long
// runs of spaces, asterisks, underscores, backslashes, brackets, newlines and combining marks.
// The 5 s timeout on each test is a correctness guard, "it finishes", not a speed figure: the quadratic
// versions took 5 to 80 s on these inputs. Speed is measured by `npm run bench -- pathological`.
const GUARD_MS = 5_000;
const N = 100_000;

const RUNS: [string, string][] = [
  ['spaces', ' '.repeat(N)],
  ['asterisks', '*'.repeat(N)],
  ['underscores', '_'.repeat(N)],
  ['backslashes', '\\'.repeat(N)],
  ['masked-link brackets', '[a]('.repeat(N / 4)],
  ['newlines', '\n'.repeat(N)],
  ['spaces and newlines', ' \n'.repeat(N / 2)],
  ['combining marks', '\u0301'.repeat(N)],
  ['angle brackets', '<'.repeat(N)],
  ['hyphens', '-'.repeat(N)],
  ['slashes and colons', '/:'.repeat(N / 2)],
  ['digits', '1'.repeat(N)],
];

const cases = RUNS.map(([name, run]) => ({ name, text: `a${run}b` }));

const fold = (text: string) => text.replace(/\s+/g, ' ');
/** What a rendered text says once its Markdown escapes are taken out and its whitespace folded. */
const shown = (rendered: string) => fold(rendered.replace(/\\(.)/g, '$1'));

describe('pathological text finishes on every path', () => {
  it.each(cases)(
    'a dialogue line and caption with a long run of $name are shown, escaped, on one line',
    ({ text }) => {
      const rendered = renderDialogueScript({ panels: [{ panel: 1, caption: text, lines: [{ speaker: 'Kai', line: text }] }] });
      const [heading, caption, line, ...rest] = rendered.split('\n');
      expect(heading).toBe('**Panel 1**');
      expect(rest).toEqual([]);
      expect(shown(caption ?? '')).toBe(`*${fold(text)}*`);
      expect(shown(line ?? '')).toBe(`**Kai:** ${fold(text)}`);
    },
    GUARD_MS,
  );

  it.each(cases)(
    'a typed script with a caption of a long run of $name is refused on its line',
    ({ text }) => {
      const parsed = parseScriptText(`Panel 1\n*${text}*\nKai: Hi.`);
      // A caption broken over lines is no caption: its first line is refused for what it is.
      const problem = text.includes('\n')
        ? 'expected "Panel N", a caption in *asterisks*, or "SPEAKER: line"'
        : `a caption is 1 to ${DIALOGUE_LIMITS.caption} characters`;
      expect(parsed).toEqual({ ok: false, line: 2, problem });
    },
    GUARD_MS,
  );

  it(
    'the /page edit file of issue 26 (a caption of 99,960 spaces) is refused on its line',
    () => {
      const file = `Panel 1\n*a${' '.repeat(99_960)}b*`;
      expect(parseScriptText(file)).toEqual({ ok: false, line: 2, problem: `a caption is 1 to ${DIALOGUE_LIMITS.caption} characters` });
    },
    GUARD_MS,
  );

  it.each(cases)(
    'narration with a long run of $name reads as paragraphs and previews',
    ({ text }) => {
      const paragraphs = paragraphsOf(text);
      expect(fold(paragraphs.join(' '))).toBe(fold(text));
      expect(paragraphs.every((p) => !p.includes('\n'))).toBe(true);
      expect(new TextEncoder().encode(previewText(paragraphs.join(' '))).length).toBeLessThanOrEqual(350);
    },
    GUARD_MS,
  );

  it.each(cases)(
    'a chapter export with a long run of $name in narration, caption and line keeps every word',
    ({ text }) => {
      const chapter: ExportChapter = {
        storyTitle: text,
        chapterNumber: 1,
        chapterTitle: text,
        exportedAt: new Date('2026-01-01T00:00:00Z'),
        pages: [
          {
            number: 1,
            input: text,
            narration: text,
            dialogue: [{ panel: 1, caption: text, lines: [{ speaker: text, line: text }] }],
            panels: [],
            approved: true,
          },
        ],
      };
      const markdown = chapterToMarkdown(chapter);
      expect(markdown.startsWith('# a')).toBe(true);
      expect(markdown.trimEnd().endsWith('b')).toBe(true);
      expect(comicInfoXml(chapter, [])).toContain('<Title>a');
    },
    GUARD_MS,
  );

  it.each(cases)(
    'a /page diff of drafts with a long run of $name fits its message',
    ({ text }) => {
      const rendered = renderDiffMarkdown(diffWords(text, `x ${text} y`), 4_096);
      expect(rendered.length).toBeLessThanOrEqual(4_096);
      expect(rendered.startsWith('**x**')).toBe(true);
    },
    GUARD_MS,
  );

  it.each(cases)(
    'the Atom feed of a page with a long run of $name carries the whole narration',
    async ({ text }) => {
      const feed = await atomFeed(`${text}\n\nThe end.`);
      expect(feed).toContain('<p>The end.</p>');
    },
    GUARD_MS,
  );
});

describe("every other pattern that reads a person's or the model's text finishes", () => {
  it.each(cases)(
    'Markdown escaping with every option, on a long run of $name, takes out exactly what it adds',
    ({ text }) => {
      const escaped = escapeDiscordMarkdown(text, { lineStarts: true, maskedLinks: true });
      expect(escaped.replace(/\\(.)/gs, '$1')).toBe(text);
    },
    GUARD_MS,
  );

  it.each(cases)(
    'typed text, prompt material and labels with a long run of $name',
    ({ text }) => {
      expect(cleanTypedText(`${text}\u0001`)).toBe(text.trim());
      expect(materialBlock(text, text)).toMatch(/^[\s\S]*\n<<<\n[\s\S]*\n>>>$/);
      expect(materialLabel(text).length).toBeLessThanOrEqual(200);
    },
    GUARD_MS,
  );

  it.each(cases)(
    'panel descriptions and review notes with a long run of $name are tidied and clipped',
    ({ text }) => {
      const rows = toPanelRows({
        panels: [{ panel: 1, scene: text, characters: [text], camera: text, mood: text, image_prompt: text, negative_prompt: text }],
      });
      expect(rows?.[0]?.scene.length).toBeLessThanOrEqual(1_500);
      expect(formatReviewNotes({ notes: [{ kind: 'other', note: text }] })[0]?.length).toBeLessThanOrEqual(320);
    },
    GUARD_MS,
  );

  it.each(cases)(
    'titles with a long run of $name make slugs and file names',
    ({ text }) => {
      expect(slugFromTitle(text)).toMatch(/^[a-z0-9-]{0,60}$/);
      expect(exportBaseName(1, text)).toMatch(/^chapter-1-[\p{L}\p{N}-]{1,40}$/u);
    },
    GUARD_MS,
  );

  it.each(cases)(
    'a version typed as $name, command hints, bible keywords and log scrubbing on a long run',
    ({ text }) => {
      expect(parseVersionAndTake(text)).toBeNull();
      const mentions = new CommandMentions();
      expect(mentions.linkHints(text)).toBe(text);
      // A bible keyword is at most 60 characters: the longest, taken from the run, against the whole run.
      const entry = {
        title: 'Zed',
        type: 'reference' as const,
        body: 'x'.repeat(100),
        keywords: [text.slice(1, 61)],
        priority: 0,
        alwaysInclude: false,
        tokens: 1_000,
      };
      const calledUp = selectBible([entry, { ...entry, title: 'Qat', keywords: ['q'] }], text, 1_500, () => 1_000).calledUp.map(
        (e) => e.title,
      );
      expect(calledUp.filter((title) => title !== 'Zed')).toEqual([]);
      expect(scrubSecrets(text)).toBe(text);
    },
    GUARD_MS,
  );
});

/** The characters XML 1.0 allows (its Char production); a feed with any other is not well-formed. */
const XML_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

describe('control characters in XML', () => {
  const hostile = 'Kai\u0001 waits\u0008 at the\u000b forge\uFFFE, \u202Emirrored\u202C and \uD800 alone.';

  it('the Atom feed of a page with control characters holds only characters XML allows', async () => {
    const feed = await atomFeed(hostile, `Title\u0002`);
    expect(feed).toMatch(XML_CHARS);
    expect(feed).toContain('Kai waits at the forge');
  });

  it('ComicInfo.xml of a chapter with control characters in its titles holds only characters XML allows', () => {
    const xml = comicInfoXml(
      {
        storyTitle: `Story\u0001 ${hostile}`,
        chapterNumber: 1,
        chapterTitle: `Chapter\u001f`,
        exportedAt: new Date('2026-01-01T00:00:00Z'),
        pages: [],
      },
      [],
    );
    expect(xml).toMatch(XML_CHARS);
    expect(xml).toContain('<Title>Chapter</Title>');
  });
});

async function atomFeed(narration: string, title = 'A story'): Promise<string> {
  const story = { id: 1, title, address: 'a-story-0123456789abcdef0123456789abcdef', publishedAt: new Date('2026-01-01T00:00:00Z') };
  const entries = [
    { chapterNumber: 1, chapterTitle: title, pageNumber: 1, approvedAt: new Date('2026-01-02T00:00:00Z'), narration, image: null },
  ];
  return renderAtomFeed(story, entries, readerLinks('https://reader.example', story.address));
}
