import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type RunningBrowser } from '../../loopback/browser.js';
import { composeLetteredPage } from '../../src/compositor/compose-lettered-page.js';
import { letteringFontFaceCss } from '../../src/compositor/font-faces.js';
import { GOLDEN_PAGES } from './golden-pages.js';
import { pagePictures } from './golden-pictures.js';

// The SVG as a browser shows it: Chromium draws it with the lettering fonts (served as files here)
// and it looks like the PNG, and its text is real text, in reading order, that a reader can select.

// The browser globals the code evaluated in the page uses: the suite compiles without the DOM library.
declare const document: { fonts: Iterable<{ status: string; family: string }> & { ready: Promise<unknown> }; documentElement: unknown };
declare const window: { getSelection(): { selectAllChildren(node: unknown): void; toString(): string } | null };

const require = createRequire(import.meta.url);
const fontCss = letteringFontFaceCss(
  (pkg, file) => pathToFileURL(join(dirname(require.resolve(`@fontsource/${pkg}/package.json`)), 'files', file)).href,
);

async function pixels(png: Buffer, width: number, height: number): Promise<Uint8ClampedArray> {
  const image = await loadImage(png);
  const ctx = createCanvas(width, height).getContext('2d');
  ctx.drawImage(image, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height).data;
}

describe('the lettered SVG in Chromium', () => {
  let browser: RunningBrowser;
  let folder: string;
  beforeAll(async () => {
    browser = await launchChromium();
    folder = await mkdtemp(join(tmpdir(), 'storyroom-lettering-'));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  for (const [name, family] of [
    ['every-kind', 'Comic Neue'],
    ['arabic', 'Noto Sans Arabic'],
    ['japanese', 'Noto Sans JP'],
  ] as const) {
    it(`${name}: looks like the PNG, with its lines as selectable text`, async () => {
      const script = GOLDEN_PAGES[name]!;
      const { page, png, svg } = await composeLetteredPage(script, pagePictures(name, script), { fontFaceCss: fontCss });
      const file = join(folder, `${name}.svg`);
      await writeFile(file, svg);
      const tab = await browser.context.newPage();
      await tab.setViewportSize({ width: page.width, height: page.height });
      await tab.goto(pathToFileURL(file).href);
      await tab.evaluate(() => document.fonts.ready);
      const shot = await tab.screenshot();
      const [drawn, shown] = [await pixels(png, page.width, page.height), await pixels(shot, page.width, page.height)];
      let differing = 0;
      for (let i = 0; i < drawn.length; i += 4) {
        if (
          Math.max(Math.abs(drawn[i]! - shown[i]!), Math.abs(drawn[i + 1]! - shown[i + 1]!), Math.abs(drawn[i + 2]! - shown[i + 2]!)) > 40
        )
          differing += 1;
      }
      expect(differing / (drawn.length / 4)).toBeLessThan(0.02);
      const loaded = await tab.evaluate(() =>
        [...document.fonts].filter((face) => face.status === 'loaded').map((face) => face.family.replace(/["']/g, '')),
      );
      expect(loaded).toContain(family);
      const selected = await tab.evaluate(() => {
        const selection = window.getSelection();
        selection?.selectAllChildren(document.documentElement);
        return selection?.toString() ?? '';
      });
      const lines = page.balloons.flatMap((b) => b.text.map((t) => t.text));
      expect(lines.length).toBeGreaterThan(0);
      let at = 0;
      for (const line of lines) {
        const found = selected.indexOf(line, at);
        expect(found, `"${line}" selectable, after the lines before it`).toBeGreaterThanOrEqual(0);
        at = found + line.length;
      }
      await tab.close();
    });
  }
});
