import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawPanel } from '../loopback/comfyui/png.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { WritersRoom } from '../loopback/writers-room.js';
import { postgresImageStore } from '../src/db/image-store.js';
import { panelsMessage, roomWithRenderedPanels, waitForPanels } from './comfyui/panels-story.js';

// A panel image is served only while its story is published, under the story's address, and only if a
// reader of that story is shown it (an approved page's panel): never by its hash alone.

const REVALIDATE = 'public, max-age=300, must-revalidate';

describe('panel images on the web: only those of a story published now, under its address', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  let storyUrl = '';
  const web = () => h.web?.url ?? '';
  const story = async (subcommand: 'publish' | 'unpublish') => {
    const reply = await h.discord
      .slashCommand({ guildId: h.guildId, channelId: h.storyChannelId, userId: h.adminId, name: 'story', subcommand, options: {} })
      .response();
    if (subcommand === 'publish') storyUrl = /(http:\/\/127\.0\.0\.1:\d+\/[a-z0-9-]+-[0-9a-f]{32})/.exec(reply.content ?? '')?.[1] ?? '';
    return reply;
  };
  const doneHashes = async (panel: number) =>
    (
      await h.database.db
        .selectFrom('panel_renders')
        .select('image_hash')
        .where('panel_number', '=', panel)
        .where('status', '=', 'done')
        .orderBy('render_number')
        .execute()
    ).map((r) => r.image_hash ?? '');
  /** The `src` of every panel image on chapter 1, as the reader's page links them. */
  const imageSources = async () => {
    const page = await fetch(`${storyUrl}/chapters/1`);
    expect(page.status).toBe(200);
    return [...(await page.text()).matchAll(/<img src="([^"]+)"/g)].map((m) => m[1] ?? '');
  };

  beforeAll(async () => {
    h = await startStoryroom('web-image-access', { web: true, env: { PANEL_PROMPTS: 'on' }, comfyui: { stepDelayMs: 2 } });
    room = new WritersRoom(h);
    ({ threadId, writer } = await roomWithRenderedPanels(h, room, 'Lanterns', 'The Pass'));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('a story never published: its panel images answer 404 wherever they are asked for', async () => {
    const [hash] = await doneHashes(1);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await fetch(`${web()}/images/${hash}.png`)).status).toBe(404);
  });

  it('a published story’s approved panel is served under its address, revalidated (not immutable), with the hash as its ETag and noindex', async () => {
    await story('publish');
    const [hash] = await doneHashes(1);
    const sources = await imageSources();
    expect(sources).toHaveLength(2);
    const src = sources.find((s) => s.includes(hash ?? 'none')) ?? '';
    expect(src).toBe(`${new URL(storyUrl).pathname}/images/${hash}.png`);
    const response = await fetch(`${web()}${src}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe(REVALIDATE);
    expect(response.headers.get('etag')).toBe(`"${hash}"`);
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    const stored = await h.database.db
      .selectFrom('images')
      .select('bytes')
      .where('hash', '=', hash ?? '')
      .executeTakeFirstOrThrow();
    expect(Buffer.from(await response.arrayBuffer()).equals(stored.bytes)).toBe(true);
    const again = await fetch(`${web()}${src}`, { headers: { 'if-none-match': `"${hash}"` } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe(REVALIDATE);
  });

  it('the secret address’s pages, feed and images all say noindex; the feed links images under the address', async () => {
    for (const url of [storyUrl, `${storyUrl}/chapters/1`, `${storyUrl}/chapters/1/pages/1`, `${storyUrl}/feed.xml`]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-robots-tag')).toBe('noindex');
    }
    const feed = await (await fetch(`${storyUrl}/feed.xml`)).text();
    expect(feed).toContain(`${storyUrl}/images/`);
    expect(feed).not.toMatch(/127\.0\.0\.1:\d+\/images\//);
  });

  it('an image in the store that no panel of this story shows answers 404 under its address', async () => {
    const bytes = drawPanel({ width: 16, height: 16, seed: '77', prompt: 'another story' });
    const hash = await postgresImageStore(h.database.db).put({ bytes, contentType: 'image/png', width: 16, height: 16 });
    expect((await fetch(`${storyUrl}/images/${hash}.png`)).status).toBe(404);
    expect((await fetch(`${web()}/images/${hash}.png`)).status).toBe(404);
  });

  it('a discarded reroll answers 404: only the render the page shows is served', async () => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    await room.click(threadId, message, writer, 'Reroll 1').response();
    await waitForPanels(h, threadId, 'panel 1 rerolled', (m) => m.attachments.some((a) => a.filename === 'page-1-panel-1-render-2.png'));
    const [discarded, shown] = await doneHashes(1);
    const sources = await imageSources();
    const src = sources.find((s) => s.includes(shown ?? 'none'));
    if (!src) throw new Error(`the rerolled panel is not on the page: ${sources.join(', ')}`);
    expect((await fetch(`${web()}${src}`)).status).toBe(200);
    // The same address with the earlier render's hash: that image is no longer shown, so it is not served.
    expect((await fetch(`${web()}${src.replace(shown ?? '', discarded ?? '')}`)).status).toBe(404);
  });

  it('unpublished (revoked): the images it served answer 404 at once', async () => {
    const sources = await imageSources();
    expect(sources.length).toBeGreaterThan(0);
    await story('unpublish');
    for (const src of sources) expect((await fetch(`${web()}${src}`)).status).toBe(404);
  });
});
