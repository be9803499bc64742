import { describe, expect, it } from 'vitest';
import { chapterToJson, chapterToMarkdown, type ExportChapter } from '../../src/domain/chapter-export.js';

const chapter: ExportChapter = {
  storyTitle: 'The Glowing Mark',
  chapterNumber: 2,
  chapterTitle: 'Embers',
  exportedAt: new Date('2026-11-24T12:00:00Z'),
  pages: [
    { number: 2, input: 'Kai runs', narration: 'Kai runs.\n# not a heading\n- not a list', dialogue: null, panels: [], approved: false },
    {
      number: 1,
      input: 'Dawn',
      narration: 'Dawn breaks over the pass.\n\nMira waits.',
      dialogue: [
        { panel: 1, caption: 'Dawn.', lines: [{ speaker: 'Mira', line: 'Keep the lantern low.' }] },
        { panel: 2, caption: null, lines: [{ speaker: 'Kai', line: 'It glows\non its own.' }] },
      ],
      panels: [
        { panel: 1, scene: 'pass', characters: ['Mira'], camera: 'wide', mood: 'calm', prompt: 'snowy pass', negativePrompt: 'text' },
      ],
      approved: true,
    },
    { number: 3, input: 'Later', narration: null, dialogue: null, panels: [], approved: false },
  ],
};

describe('chapter export', () => {
  it('Markdown: story, chapter and page headings in order, the dialogue as a script', () => {
    const md = chapterToMarkdown(chapter);
    const headings = md.split('\n').filter((line) => /^#{1,6} /.test(line));
    expect(headings).toEqual(['# The Glowing Mark', '## Chapter 2: Embers', '### Page 1', '### Page 2', '### Page 3']);
    expect(md).toContain('Dawn breaks over the pass.\n\nMira waits.');
    expect(md).toContain('**Panel 1**\n\n*Dawn.*\n\n**MIRA:** Keep the lantern low.');
    expect(md).toContain('**KAI:** It glows on its own.');
    expect(md).toContain('### Page 2\n\n*(not approved yet: showing the current draft)*');
    expect(md).toContain('\\# not a heading');
    expect(md).toContain('\\- not a list');
    expect(md).toContain('### Page 3\n\n*(not approved yet: showing the current draft)*\n\n*(no narration yet)*');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('Markdown: narration cannot open headings, fences, lists or setext headings', () => {
    const narration = [
      'Plain line.',
      '===',
      '   ## indented heading',
      '```',
      '1. ordered',
      '2) ordered too',
      '***',
      '> quoted',
      '---',
    ].join('\n');
    const md = chapterToMarkdown({ ...chapter, pages: [{ number: 1, input: '', narration, dialogue: null, panels: [], approved: true }] });
    expect(md).toContain(
      ['Plain line.', '\\===', '\\## indented heading', '\\```', '1\\. ordered', '2\\) ordered too', '\\***', '\\> quoted', '\\---'].join(
        '\n',
      ),
    );
    expect(md.split('\n').filter((line) => /^#{1,6} /.test(line))).toEqual(['# The Glowing Mark', '## Chapter 2: Embers', '### Page 1']);
    expect(md).not.toContain('(not approved yet');
  });

  it('Markdown: the script layout of one page, line by line', () => {
    const md = chapterToMarkdown(chapter);
    const page1 = md.slice(md.indexOf('### Page 1'), md.indexOf('### Page 2'));
    expect(page1.split('\n').filter((line) => line !== '')).toEqual([
      '### Page 1',
      'Dawn breaks over the pass.',
      'Mira waits.',
      '**Panel 1**',
      '*Dawn.*',
      '**MIRA:** Keep the lantern low.',
      '**Panel 2**',
      '**KAI:** It glows on its own.',
    ]);
  });

  it('JSON: parses back with the pages in order', () => {
    const parsed = JSON.parse(chapterToJson(chapter)) as {
      format: string;
      version: number;
      chapter: unknown;
      exportedAt: string;
      pages: { number: number; panels: unknown[] }[];
    };
    expect(parsed).toMatchObject({
      format: 'storyroom.chapter',
      version: 1,
      chapter: { number: 2, title: 'Embers' },
      exportedAt: '2026-11-24T12:00:00.000Z',
    });
    expect(parsed.pages.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(parsed.pages[0]?.panels).toHaveLength(1);
    expect(parsed).toMatchObject({ story: 'The Glowing Mark' });
    // Everything but the date survives the round trip as it was.
    const roundTrip = JSON.parse(chapterToJson(chapter)) as { pages: unknown[] };
    expect(roundTrip.pages).toEqual([...chapter.pages].sort((a, b) => a.number - b.number));
  });
});
