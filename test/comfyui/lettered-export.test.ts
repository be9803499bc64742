import { createCanvas, loadImage } from '@napi-rs/canvas';
import { unzipSync } from 'fflate';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../loopback/browser.js';
import { readPngSize } from '../../loopback/comfyui/png.js';
import type { StoredMessage } from '../../loopback/discord/types.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { WritersRoom } from '../../loopback/writers-room.js';
import { approvePage, panelsMessage, roomWithRenderedPanels, waitForPanels } from './panels-story.js';

// The exports of a lettered chapter, parsed back: page 1 lettered and its lettering approved, page 2
// with approved panels whose lettering is still open (so not final).

const TOKEN = 'lettered-export-token-0123456789';

// The browser globals the code evaluated in the page uses: the suite compiles without the DOM library.
declare const document: { fonts: Iterable<{ status: string; family: string }> & { ready: Promise<unknown> } };
declare const window: { getSelection(): unknown };
declare const axe: { run(): Promise<{ violations: { id: string; impact: string | null }[] }> };

/** The lettered version's message, found by its picture (the message's wording is the room's business). */
const letteredMessage = (h: StoryroomHarness, threadId: string, page: number): StoredMessage | undefined =>
  h.discord.messages(threadId).find((m) => m.attachments.some((a) => a.filename === `page-${page}-lettered-v1.png`));

/** A picture's pixels as 8-bit RGB, as a PDF image holds them. */
async function rgbOf(bytes: Buffer): Promise<Buffer> {
  const image = await loadImage(bytes);
  const ctx = createCanvas(image.width, image.height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  return Buffer.from(data.filter((_, i) => i % 4 !== 3));
}

/** Each page of a PDF: its size in points and the one image it draws, inflated. */
async function pdfPages(bytes: Uint8Array) {
  const pdf = await PDFDocument.load(bytes);
  return pdf.getPages().map((page) => {
    const xobjects = page.node.Resources()?.lookup(PDFName.of('XObject'), PDFDict);
    const images = (xobjects?.keys() ?? []).map((key) => {
      const stream = xobjects?.lookup(key);
      if (!(stream instanceof PDFRawStream)) throw new Error(`${key.toString()} is not an image stream`);
      return stream;
    });
    const number = (stream: PDFRawStream, key: string) => stream.dict.lookup(PDFName.of(key), PDFNumber).asNumber();
    return {
      size: page.getSize(),
      images: images.map((stream) => ({
        width: number(stream, 'Width'),
        height: number(stream, 'Height'),
        colorSpace: stream.dict.get(PDFName.of('ColorSpace'))?.toString(),
        pixels: inflateSync(stream.contents),
      })),
    };
  });
}

describe('a lettered chapter exported as a PDF for print and as a CBZ, parsed back', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const exportAs = (format: string) =>
    h.discord
      .slashCommand({ guildId: h.guildId, channelId: threadId, userId: writer, name: 'chapter', subcommand: 'export', options: { format } })
      .response();
  const approvePanels = async (page: number) => {
    const message = panelsMessage(h, threadId, page);
    if (!message) throw new Error(`no panels message of page ${page}`);
    await room.click(threadId, message, writer, 'Approve panels').response();
    await room.click(threadId, panelsMessage(h, threadId, page) ?? message, h.adminId, 'Approve panels').response();
    return h.discord.waitFor(() => letteredMessage(h, threadId, page), { description: `page ${page} lettered`, timeoutMs: 60_000 });
  };
  const imageBytes = async (hash: string) =>
    (await h.database.db.selectFrom('images').select('bytes').where('hash', '=', hash).executeTakeFirstOrThrow()).bytes;

  beforeAll(async () => {
    h = await startStoryroom('lettered-export', {
      web: true,
      env: { PANEL_PROMPTS: 'on', HTTP_API_TOKEN: TOKEN },
      comfyui: { stepDelayMs: 2 },
    });
    room = new WritersRoom(h);
    ({ threadId, writer } = await roomWithRenderedPanels(h, room, 'Ash and Ember', 'Cinders'));
    const lettered = await approvePanels(1);
    for (const userId of [writer, h.adminId])
      await room.click(threadId, letteredMessage(h, threadId, 1) ?? lettered, userId, 'Approve').response();
    await h.discord.waitFor(
      () => h.database.db.selectFrom('lettered_pages').select('id').where('status', '=', 'approved').executeTakeFirst(),
      { description: 'page 1 lettering approved', timeoutMs: 30_000 },
    );
    await approvePage(h, room, threadId, writer, 2);
    await waitForPanels(h, threadId, 'page 2 rendered', (m) => m.content.includes('2 of 2 panels rendered'), 2);
    await approvePanels(2);
  }, 240_000);
  afterAll(async () => {
    await h?.close();
  });

  it('the PDF: one PDF page per comic page at 200 pixels per inch; page 1 is the approved lettered picture, page 2 its panels laid out without balloons', async () => {
    const reply = await exportAs('pdf');
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('Chapter 1 as a PDF for print: 2 pages, 1 lettered, at 200 pixels per inch');
    expect(reply.content).toContain('Page 2 has no approved lettering yet: its panels are laid out without balloons.');
    const [file] = reply.attachments ?? [];
    expect(file?.filename).toBe('chapter-1-cinders.pdf');
    const bytes = new Uint8Array(file?.content ?? Buffer.alloc(0));
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');

    const pages = await pdfPages(bytes);
    expect(pages.map((p) => p.size)).toEqual([
      { width: 432, height: 648 },
      { width: 432, height: 648 },
    ]);
    expect(pages.map((p) => p.images.map(({ width, height, colorSpace }) => ({ width, height, colorSpace })))).toEqual([
      [{ width: 1200, height: 1800, colorSpace: '/DeviceRGB' }],
      [{ width: 1200, height: 1800, colorSpace: '/DeviceRGB' }],
    ]);
    // Lossless: page 1's pixels are the approved lettered PNG's.
    const approved = await h.database.db
      .selectFrom('lettered_pages')
      .select(['image_hash', 'page_id'])
      .where('status', '=', 'approved')
      .executeTakeFirstOrThrow();
    const letteredPixels = await rgbOf(await imageBytes(approved.image_hash));
    expect(pages[0]?.images[0]?.pixels.equals(letteredPixels)).toBe(true);
    // Page 2 is not page 2's open lettered version: no balloons, only the frames.
    const open = await h.database.db
      .selectFrom('lettered_pages')
      .select('image_hash')
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    expect(pages[1]?.images[0]?.pixels.equals(await rgbOf(await imageBytes(open.image_hash)))).toBe(false);

    // The pages are there to be looked at, not only measured.
    const out = process.env.LETTERED_PNG_DIR;
    if (out) {
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, 'chapter-1.pdf'), bytes);
      for (const [i, page] of pages.entries()) {
        const canvas = createCanvas(1200, 1800);
        const ctx = canvas.getContext('2d');
        const rgba = ctx.createImageData(1200, 1800);
        const rgb = page.images[0]?.pixels ?? Buffer.alloc(0);
        for (let p = 0; p < 1200 * 1800; p += 1) {
          rgba.data[p * 4] = rgb[p * 3] ?? 0;
          rgba.data[p * 4 + 1] = rgb[p * 3 + 1] ?? 0;
          rgba.data[p * 4 + 2] = rgb[p * 3 + 2] ?? 0;
          rgba.data[p * 4 + 3] = 255;
        }
        ctx.putImageData(rgba, 0, 0);
        writeFileSync(path.join(out, `pdf-page-${i + 1}.png`), canvas.toBuffer('image/png'));
      }
    }
    const metadata = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(metadata.getTitle()).toBe('Ash and Ember, chapter 1: Cinders');
  }, 120_000);

  it('the HTTP API sends the same PDF, for a chapter too large for Discord', async () => {
    const url = `${h.web?.url ?? ''}/api/chapters/1/export.pdf`;
    expect((await fetch(url)).status).toBe(401);
    const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="chapter-1-cinders.pdf"');
    expect((await pdfPages(new Uint8Array(await response.arrayBuffer()))).map((p) => p.images.length)).toEqual([1, 1]);
  });

  it('the CBZ: ComicInfo.xml lists one <Page> per image, with its size in pixels and bytes, in the archive’s order', async () => {
    const reply = await exportAs('cbz');
    expect(reply.content).toMatch(/comic book archive: 1 lettered page and 2 approved panels in reading order/);
    const files = unzipSync(new Uint8Array(reply.attachments?.[0]?.content ?? Buffer.alloc(0)));
    const images = Object.keys(files).filter((name) => name !== 'ComicInfo.xml');
    expect(images).toEqual(['page-001-lettered.png', 'page-002-panel-01.png', 'page-002-panel-02.png']);
    const xml = new TextDecoder().decode(files['ComicInfo.xml']);
    expect(xml).toContain('<PageCount>3</PageCount>');
    const entries = [...xml.matchAll(/<Page ([^>]*?)\s*\/>/g)].map((m): Record<string, string> =>
      Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1] ?? '', a[2] ?? ''])),
    );
    expect(entries).toEqual(
      images.map((name, index) => {
        const bytes = Buffer.from(files[name] ?? []);
        const size = readPngSize(bytes);
        return {
          Image: String(index),
          ...(index === 0 ? { Type: 'FrontCover' } : {}),
          ImageSize: String(bytes.length),
          ImageWidth: String(size?.width),
          ImageHeight: String(size?.height),
        };
      }),
    );
    expect(entries[0]).toMatchObject({ ImageWidth: '1200', ImageHeight: '1800' });
  });

  it('the web reader draws the lettered page’s SVG text in the lettering fonts it serves (only those files, cached for good); alt text from the script; selectable; axe clean', async () => {
    const published = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: h.adminId,
        name: 'story',
        subcommand: 'publish',
        options: {},
      })
      .response();
    const storyUrl = /(http:\/\/127\.0\.0\.1:\d+\/[a-z0-9-]+-[0-9a-f]{32})/.exec(published.content ?? '')?.[1] ?? '';
    const html = await (await fetch(`${storyUrl}/chapters/1`)).text();
    const stylesheet = /<link rel="stylesheet" href="(\/assets\/lettering-fonts-[0-9a-f]{16}\.css)">/.exec(html)?.[1] ?? '';
    expect(stylesheet).not.toBe('');
    const css = await fetch(new URL(stylesheet, storyUrl));
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const cssText = await css.text();
    expect(cssText).toMatch(
      /font-family: 'Comic Neue';[\s\S]*src: url\(\/assets\/fonts\/comic-neue@[\d.]+\/comic-neue-latin-700-normal\.woff2\) format\('woff2'\);/,
    );
    expect(cssText).not.toContain('.woff)');
    // Only the files the stylesheet names: not the WOFF beside them, nor anything else on disk.
    const woff2 = /url\((\/assets\/fonts\/comic-neue@[\d.]+\/)comic-neue-latin-700-normal\.woff2\)/.exec(cssText)?.[1] ?? '';
    for (const path of [`${woff2}comic-neue-latin-700-normal.woff`, `${woff2}..%2F..%2Fpackage.json`, '/assets/fonts/pg@8/package.json'])
      expect((await fetch(new URL(path, storyUrl))).status).toBe(404);
    // Each panel's picture has the panels agent's description of its scene as alt text.
    expect(html).toContain('<image role="img" aria-label="Panel 1: A snowy pass at dawn"');
    expect(html).toContain('<image role="img" aria-label="Panel 2: Close on the glowing mark"');

    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const fonts: { url: string; status: number; cache: string | undefined }[] = [];
      page.on('response', (response) => {
        if (response.url().includes('/assets/fonts/'))
          fonts.push({ url: response.url(), status: response.status(), cache: response.headers()['cache-control'] });
      });
      await page.setViewportSize({ width: 900, height: 1400 });
      expect((await page.goto(`${storyUrl}/chapters/1`, { waitUntil: 'load' }))?.status()).toBe(200);
      const loaded = await page.evaluate(async () => {
        await document.fonts.ready;
        return [...document.fonts].filter((face) => face.status === 'loaded').map((face) => face.family.replaceAll('"', ''));
      });
      // The balloons (Comic Neue, bold) and the caption (Patrick Hand) are drawn in the faces the PNG was.
      expect(loaded).toEqual(expect.arrayContaining(['Comic Neue', 'Patrick Hand']));
      expect(fonts.length).toBeGreaterThan(0);
      for (const font of fonts) expect(font).toMatchObject({ status: 200, cache: 'public, max-age=31536000, immutable' });
      // An English page fetches no Japanese, Arabic or Devanagari subsets.
      expect(fonts.filter((f) => /noto-sans-(jp|arabic|devanagari)/.test(f.url))).toEqual([]);

      const line = page.locator('figure.lettered svg text', { hasText: 'its own.' });
      await line.click({ clickCount: 3 });
      expect(await page.evaluate(() => String(window.getSelection()))).toContain('its own.');
      const figure = page.locator('figure.lettered');
      if (process.env.LETTERED_PNG_DIR)
        await figure.screenshot({ path: path.join(process.env.LETTERED_PNG_DIR, 'reader-lettered-fonts.png') });
      await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
      const violations = await page.evaluate(async () => (await axe.run()).violations);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
