import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { composeLetteredPage, type ComposedPage } from '../../src/compositor/compose-lettered-page.js';
import { EXPECTED_PROBLEMS, GOLDEN_PAGES } from './golden-pages.js';
import { pagePictures } from './golden-pictures.js';
import { checkLetteredPage } from './page-checks.js';

// The golden set lettered by the real compositor: each page keeps the lettering rules, and its PNG
// matches the reviewed reference (stored at a third of the size) within a small pixel tolerance.
// `UPDATE_GOLDENS=1 npx vitest run test/lettering/golden.test.ts` rewrites the references: look at
// each one before committing it.

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const SCALE = 1 / 3;
/** A pixel differs when a channel moves by more than this; a page may differ in this share of pixels. */
const CHANNEL = 40;
const SHARE = 0.004;

async function thumbnail(png: Buffer): Promise<Buffer> {
  const image = await loadImage(png);
  const canvas = createCanvas(Math.round(image.width * SCALE), Math.round(image.height * SCALE));
  canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas.toBuffer('image/png');
}

async function differingShare(a: Buffer, b: Buffer): Promise<number> {
  const [left, right] = await Promise.all([loadImage(a), loadImage(b)]);
  if (left.width !== right.width || left.height !== right.height) return 1;
  const read = (image: typeof left) => {
    const ctx = createCanvas(image.width, image.height).getContext('2d');
    ctx.drawImage(image, 0, 0);
    return ctx.getImageData(0, 0, image.width, image.height).data;
  };
  const [x, y] = [read(left), read(right)];
  let differing = 0;
  for (let i = 0; i < x.length; i += 4) {
    if (
      Math.max(
        Math.abs((x[i] ?? 0) - (y[i] ?? 0)),
        Math.abs((x[i + 1] ?? 0) - (y[i + 1] ?? 0)),
        Math.abs((x[i + 2] ?? 0) - (y[i + 2] ?? 0)),
      ) > CHANNEL
    )
      differing += 1;
  }
  return differing / (x.length / 4);
}

const composed = new Map<string, Promise<ComposedPage>>();
const compose = (name: string) => {
  const script = GOLDEN_PAGES[name];
  if (!script) throw new Error(`no golden page ${name}`);
  let page = composed.get(name);
  if (!page) composed.set(name, (page = composeLetteredPage(script, pagePictures(name, script))));
  return page;
};

describe('the golden set', () => {
  it('has at least 20 pages covering 1 to 12 panels', () => {
    const counts = new Set(Object.values(GOLDEN_PAGES).map((s) => s.panels.length));
    expect(Object.keys(GOLDEN_PAGES).length).toBeGreaterThanOrEqual(20);
    for (let n = 1; n <= 12; n += 1) expect(counts, `a page of ${n} panels`).toContain(n);
  });

  for (const name of Object.keys(GOLDEN_PAGES)) {
    it(`${name}: lettered within the rules, matching its reference`, async () => {
      const script = GOLDEN_PAGES[name]!;
      const { page, png, svg } = await compose(name);
      expect(checkLetteredPage(script, page)).toEqual([]);
      expect(page.problems.map(({ panel, line, problem }) => ({ panel, line, problem }))).toEqual(EXPECTED_PROBLEMS[name] ?? []);
      for (const balloon of page.balloons) {
        for (const line of balloon.text) {
          const escaped = line.text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
          expect(svg).toContain(`${line.direction === 'rtl' ? ' direction="rtl"' : ''}>${escaped}</text>`);
        }
      }
      const small = await thumbnail(png);
      const reference = `${GOLDEN}${name}.png`;
      if (process.env.UPDATE_GOLDENS === '1' || !existsSync(reference)) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(reference, small);
      }
      expect(await differingShare(small, readFileSync(reference))).toBeLessThanOrEqual(SHARE);
    });
  }

  it('letters the same input to the same bytes', async () => {
    for (const name of ['every-kind', 'arabic', 'manga-rtl']) {
      const script = GOLDEN_PAGES[name]!;
      const again = await composeLetteredPage(script, pagePictures(name, script));
      const first = await compose(name);
      expect(again.png.equals(first.png), name).toBe(true);
      expect(again.svg).toBe(first.svg);
    }
  });
});

describe('the page checks', () => {
  it('catch a balloon out of its panel, two balloons overlapping, a stray tail, a line out of order and a line lost', async () => {
    const script = GOLDEN_PAGES['every-kind']!;
    const { page } = await compose('every-kind');
    const [first, second] = page.balloons.filter((b) => b.panel === 0 && b.kind !== 'sound');
    if (!first || !second) throw new Error('the page lost its first panel');
    const outside = { ...page, balloons: page.balloons.map((b) => (b === first ? { ...b, box: { ...b.box, x: b.box.x - 2000 } } : b)) };
    expect(checkLetteredPage(script, outside).join('\n')).toMatch(/leaves its panel/);
    const stacked = { ...page, balloons: page.balloons.map((b) => (b === second ? { ...b, box: first.box } : b)) };
    expect(checkLetteredPage(script, stacked).join('\n')).toMatch(/overlaps/);
    const withTail = page.balloons.find((b) => b.tip !== null)!;
    const stray = { ...page, balloons: page.balloons.map((b) => (b === withTail ? { ...b, tip: { x: 0, y: 0 } } : b)) };
    expect(checkLetteredPage(script, stray).join('\n')).toMatch(/tail ends outside/);
    const swapped = { ...page, balloons: page.balloons.map((b) => (b === first ? second : b === second ? first : b)) };
    expect(checkLetteredPage(script, swapped).join('\n')).toMatch(/out of script order/);
    const lost = { ...page, balloons: page.balloons.filter((b) => b !== first) };
    expect(checkLetteredPage(script, lost).join('\n')).toMatch(/lettered 0 times and flagged 0 times/);
  });
});
