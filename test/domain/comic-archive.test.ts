import { describe, expect, it } from 'vitest';
import { comicBookFiles, comicInfoXml, markdownWithImagesFiles, panelImageName, type PanelImage } from '../../src/domain/comic-archive.js';
import type { ExportChapter } from '../../src/domain/chapter-export.js';

const chapter: ExportChapter = {
  storyTitle: 'The "Mark"',
  chapterNumber: 3,
  chapterTitle: 'Glow\u0001 & Ash',
  exportedAt: new Date('2026-11-26T12:00:00Z'),
  pages: [2, 10].map((number) => ({
    number,
    input: 'x',
    narration: 'Text.',
    dialogue: [{ panel: 1, caption: null, lines: [] }],
    panels: [1, 2].map((panel) => ({ panel, scene: 's', characters: [], camera: 'c', mood: 'm', prompt: 'p', negativePrompt: '' })),
    approved: true,
  })),
};
const image = (page: number, panel: number): PanelImage => ({
  page,
  panel,
  bytes: new Uint8Array([page, panel]),
  contentType: 'image/png',
});

describe('a chapter as a comic book archive', () => {
  it('names the images so that sorting by name is the reading order (page 10 after page 2)', () => {
    const files = comicBookFiles(chapter, [image(10, 1), image(2, 2), image(10, 2), image(2, 1)]);
    const names = files.map((f) => f.name);
    expect(names).toEqual([
      'ComicInfo.xml',
      'page-002-panel-01.png',
      'page-002-panel-02.png',
      'page-010-panel-01.png',
      'page-010-panel-02.png',
    ]);
    expect(names.slice(1)).toEqual([...names.slice(1)].sort());
    expect(panelImageName({ page: 1, panel: 1, contentType: 'image/jpeg' })).toBe('page-001-panel-01.jpg');
  });

  it('ComicInfo.xml escapes the titles and drops characters XML does not allow', () => {
    const xml = comicInfoXml(chapter, [image(2, 1)]);
    expect(xml).toContain('<Series>The &quot;Mark&quot;</Series>');
    expect(xml).toContain('<Title>Glow &amp; Ash</Title>');
    expect(xml).toContain('<Year>2026</Year>');
    expect(xml).toContain('<Page Image="0" Type="FrontCover" />');
  });

  it('Markdown shows each image under its panel; an image of a panel the script does not name follows the page', () => {
    const [md] = markdownWithImagesFiles(chapter, [image(2, 1), image(2, 2)], 'c.md');
    const text = new TextDecoder().decode(md?.data);
    expect(text.indexOf('![Page 2, panel 1](images/page-002-panel-01.png)')).toBeGreaterThan(text.indexOf('**Panel 1**'));
    expect(text.indexOf('![Page 2, panel 2](images/page-002-panel-02.png)')).toBeLessThan(text.indexOf('### Page 10'));
  });
});
