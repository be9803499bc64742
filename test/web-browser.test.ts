import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type RunningBrowser } from '../loopback/browser.js';
import { HOSTILE, NARRATIONS, writeHostileStory } from '../loopback/published-story.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'web-reader');
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };

// The browser globals the code evaluated in the page uses: the suite compiles without the DOM library.
interface BrowserElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): BrowserElement | null;
}
declare const window: { innerWidth: number; innerHeight: number };
declare const document: { title: string; documentElement: { scrollWidth: number } };
declare class DOMParser {
  parseFromString(
    source: string,
    type: string,
  ): {
    querySelector(selector: string): BrowserElement | null;
    querySelectorAll(selector: string): ArrayLike<BrowserElement>;
    body: BrowserElement;
  };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown }[];
}

describe('the web reader in a real Chromium', () => {
  let h: StoryroomHarness;
  let browser: RunningBrowser;
  let storyUrl: string;
  let axeSource: string;
  /** Every alert/confirm/prompt any page opened, and every console error and page error. */
  const dialogs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    h = await startStoryroom('webbrowser', { web: true, comfyui: {}, env: { PANEL_PROMPTS: 'on', WEB_PAGES_PER_SCREEN: '2' } });
    await writeHostileStory(h);
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
    storyUrl = /(http:\/\/127\.0\.0\.1:\d+\/[a-z0-9-]+-[0-9a-f]{32})/.exec(published.content ?? '')?.[1] ?? '';
    axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function open(url: string, viewport = DESKTOP): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${url}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`${url}: ${error.message}`));
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    return page;
  }

  /** Runs axe-core in the page (evaluated through the debugger protocol, which the page's CSP does not govern). */
  async function seriousViolations(page: Page): Promise<AxeViolation[]> {
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run()).violations;
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }

  /** Every image after it was scrolled into view (they load lazily) and decoded; a broken one has naturalWidth 0. */
  async function imagesLoaded(page: Page): Promise<{ src: string; naturalWidth: number }[]> {
    const images = page.locator('img');
    const loaded: { src: string; naturalWidth: number }[] = [];
    for (let index = 0; index < (await images.count()); index += 1) {
      const image = images.nth(index);
      await image.scrollIntoViewIfNeeded();
      // No DOM types in this project: the browser-side callback says what it touches.
      loaded.push(
        await image.evaluate((img: { src: string; naturalWidth: number; decode(): Promise<void> }) =>
          img.decode().then(
            () => ({ src: img.src, naturalWidth: img.naturalWidth }),
            () => ({ src: img.src, naturalWidth: 0 }),
          ),
        ),
      );
    }
    return loaded;
  }

  it('the front page loads with its chapters and latest pages, accessible, with phone and desktop screenshots', async () => {
    for (const [name, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      const page = await open(storyUrl, viewport);
      expect(await page.locator('h1').innerText()).toBe(HOSTILE.storyTitle);
      await expect(page.getByRole('link', { name: `Chapter 1: ${HOSTILE.chapterOne}` }).count()).resolves.toBe(1);
      await expect(page.getByRole('link', { name: `Chapter 2: ${HOSTILE.chapterTwo}` }).count()).resolves.toBe(1);
      expect(await page.locator('ol.latest li').count()).toBe(4);
      // Nothing wider than the screen: the phone reads without scrolling sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `front-${name}.png`), fullPage: true });
      await page.close();
    }
  });

  it('a chapter loads with its pages, panels and script; a page anchor lands on its page; every image loads', async () => {
    for (const [name, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      const page = await open(`${storyUrl}/chapters/1`, viewport);
      expect(await page.locator('h1').innerText()).toBe(`Chapter 1: ${HOSTILE.chapterOne}`);
      expect(await page.locator('article.page').count()).toBe(2);
      const first = page.locator('#page-1');
      expect(await first.innerText()).toContain('Kai climbs toward the pass as the first snow falls');
      expect(await first.locator('dl.script dt').allInnerTexts()).toEqual(['KAI', HOSTILE.speaker.toUpperCase(), 'MIRA']);
      expect(await first.locator('dl.script dd').allInnerTexts()).toEqual([
        'It is glowing again.',
        HOSTILE.line,
        'Then something is coming.',
      ]);
      // Both panels of both pages on this screen, rendered by the loopback ComfyUI and served by content hash.
      const images = await imagesLoaded(page);
      expect(images).toHaveLength(4);
      for (const image of images) expect(image.naturalWidth, image.src).toBeGreaterThan(0);
      expect(await first.locator('img').first().getAttribute('alt')).toBe(`Kai on a snowy ledge, the Mark glowing. ${HOSTILE.scene}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `chapter-${name}.png`), fullPage: true });
      await page.close();
    }

    const anchored = await open(`${storyUrl}/chapters/1?screen=2#page-3`, PHONE);
    expect(await anchored.locator('#page-3').innerText()).toContain(NARRATIONS[2]);
    // The browser scrolled to the anchor: the page's heading is in view.
    expect(
      await anchored.locator('#page-3 h2').evaluate((heading: { getBoundingClientRect(): { top: number } }) => {
        const box = heading.getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight;
      }),
    ).toBe(true);
    await anchored
      .getByRole('link', { name: /Chapter 2/ })
      .first()
      .click();
    await anchored.waitForURL(`${storyUrl}/chapters/2`);
    expect(await anchored.locator('#page-1').innerText()).toContain(NARRATIONS[3]);
    await anchored.close();
  });

  it('hostile text in titles, narration, dialogue and panel descriptions is shown as text: no dialog, no script, no handler', async () => {
    for (const url of [storyUrl, `${storyUrl}/chapters/1`, `${storyUrl}/chapters/1/pages/1`, `${storyUrl}/chapters/2`]) {
      const page = await open(url);
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).toContain(HOSTILE.chapterOne);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('[onerror], [onclick], [onload]').count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await page.evaluate(() => document.title)).toContain('Ash <script>alert("title")</script> & Ember');
      await page.close();
    }
    const page = await open(`${storyUrl}/chapters/1`);
    expect(await page.locator('#page-1').innerText()).toContain(`${HOSTILE.narrationScript} ${HOSTILE.markdownLink}`);
    await page.close();
    expect(dialogs).toEqual([]);
  });

  it('the Atom feed parses and lists the approved pages, titles as text', async () => {
    const page = await open(storyUrl);
    const response = await fetch(`${storyUrl}/feed.xml`);
    expect(response.status).toBe(200);
    // Parsed by the browser's own XML parser, and each HTML-typed title by its HTML parser, as a feed reader would.
    const feed = await page.evaluate(
      (source) => {
        const xml = new DOMParser().parseFromString(source, 'application/xml');
        const htmlText = (element: BrowserElement | null) =>
          new DOMParser().parseFromString(element?.textContent ?? '', 'text/html').body.textContent;
        return {
          parseError: xml.querySelector('parsererror')?.textContent ?? null,
          title: xml.querySelector('feed > title')?.textContent,
          entries: Array.from(xml.querySelectorAll('entry')).map((entry) => ({
            title: htmlText(entry.querySelector('title')),
            link: entry.querySelector('link')?.getAttribute('href'),
          })),
        };
      },
      await response.text(),
    );
    expect(feed.parseError).toBeNull();
    expect(feed.title).toBe(HOSTILE.storyTitle);
    expect(feed.entries).toEqual([
      { title: `Chapter 2: ${HOSTILE.chapterTwo} · Page 1`, link: `${storyUrl}/chapters/2/pages/1` },
      { title: `Chapter 1: ${HOSTILE.chapterOne} · Page 3`, link: `${storyUrl}/chapters/1/pages/3` },
      { title: `Chapter 1: ${HOSTILE.chapterOne} · Page 2`, link: `${storyUrl}/chapters/1/pages/2` },
      { title: `Chapter 1: ${HOSTILE.chapterOne} · Page 1`, link: `${storyUrl}/chapters/1/pages/1` },
    ]);
    await page.close();
  });

  it('no page logged a console error or threw', () => {
    expect(errors).toEqual([]);
  });
});
