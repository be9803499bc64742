import { describe, expect, it } from 'vitest';
import { toReaderPage } from '../src/domain/reader-page.js';
import { readerLinks } from '../src/web/links.js';
import { renderSinglePage } from '../src/web/views/chapter-view.js';

// The image slot, ahead of stored panel images: a page whose panel has an image shows it, previews it.
describe('a panel with an image', () => {
  const story = { id: 1, title: 'Ash & Ember', address: `ash-and-ember-${'0'.repeat(32)}`, publishedAt: new Date(0) };
  const links = readerLinks('https://read.example.org', story.address);
  const hash = 'b'.repeat(64);
  const page = toReaderPage(
    {
      id: 1,
      number: 2,
      narration: 'The lantern swings.',
      dialogue: '',
      script: { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Mira', line: 'Down here.' }] }] },
      approvedAt: new Date(0),
    },
    {
      storyAddress: story.address,
      descriptions: [{ panelNumber: 1, scene: 'Mira on the stair, "lantern" <raised>' }],
      images: [{ panelNumber: 1, hash, contentType: 'image/webp', width: 640, height: 960 }],
    },
  );
  const chapter = { number: 1, title: 'Stairs', approvedPages: 2, firstApprovedAt: new Date(0), latestApprovedAt: new Date(0) };

  it('is drawn with its size and the scene as alt text, and becomes the page’s large preview image', async () => {
    const html = String(await renderSinglePage(story, { chapter, page, screen: 1, lastModified: new Date(0) }, links));
    expect(html).toContain(
      `<img src="/${story.address}/images/${hash}.webp" alt="Mira on the stair, &quot;lantern&quot; &lt;raised&gt;" width="640" height="960" loading="lazy" decoding="async">`,
    );
    expect(html).toContain(`<meta property="og:image" content="https://read.example.org/${story.address}/images/${hash}.webp">`);
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(html).not.toContain('<p class="scene">');
  });
});

// The references a panel's approved render was drawn with (panel_renders.references) are named under it.
describe('a panel drawn with reference images', () => {
  const story = { id: 1, title: 'Ash & Ember', address: `ash-and-ember-${'0'.repeat(32)}`, publishedAt: new Date(0) };
  const links = readerLinks('https://read.example.org', story.address);
  const script = {
    panels: [
      { panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'Hold the rope.' }] },
      { panel: 2, caption: null, lines: [{ speaker: 'Mira', line: 'Got it.' }] },
    ],
  };
  const image = (panelNumber: number, hash: string) => ({ panelNumber, hash, contentType: 'image/png', width: 512, height: 512 });
  const page = toReaderPage(
    { id: 1, number: 1, narration: 'Rain.', dialogue: '', script, approvedAt: new Date(0) },
    {
      storyAddress: story.address,
      descriptions: [],
      images: [
        {
          ...image(1, 'c'.repeat(64)),
          references: [
            { slot: 0, character: 'Kai', referenceId: 4, imageHash: 'd'.repeat(64) },
            { slot: 'style', character: '', referenceId: 5, imageHash: 'e'.repeat(64) },
          ],
        },
        { ...image(2, 'f'.repeat(64)), references: [] },
      ],
    },
  );
  const chapter = { number: 1, title: 'Rope', approvedPages: 1, firstApprovedAt: new Date(0), latestApprovedAt: new Date(0) };

  it('says under the panel which references its image used, and nothing under a panel drawn without', async () => {
    const html = String(await renderSinglePage(story, { chapter, page, screen: 1, lastModified: new Date(0) }, links));
    expect(page.panels.map((p) => p.references)).toEqual(['Kai and the style reference', null]);
    const [first, second] = html.split('<li class="panel">').slice(1);
    expect(first).toContain('<p class="references">Drawn with references: Kai and the style reference</p>');
    expect(second).not.toContain('class="references"');
  });
});
