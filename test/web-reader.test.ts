import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, NARRATIONS, PAGE_INPUTS, UNAPPROVED_NARRATION, writeHostileStory } from '../loopback/published-story.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';

const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function metaOf(page: string, key: string): string | undefined {
  const match = new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)">`).exec(page);
  return match?.[1] === undefined ? undefined : decode(match[1]);
}

/** A GET sent byte for byte as written, so `..` reaches the server unnormalised. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the web reader over HTTP', () => {
  let h: StoryroomHarness;
  let storyUrl: string;
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });
  const text = async (url: string) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    return response.text();
  };

  beforeAll(async () => {
    h = await startStoryroom('webreader', { web: true, env: { PANEL_PROMPTS: 'on', WEB_PAGES_PER_SCREEN: '2' } });
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
    expect(storyUrl.startsWith(h.web?.url ?? 'none')).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('the front page lists the chapters with their approved page counts and the newest page first', async () => {
    const page = await text(storyUrl);
    expect(page).toContain('Ash &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; Ember');
    expect(page).toContain('2 chapters · 4 approved pages');
    expect(page).toMatch(
      /Chapter 1: The Pass &quot;&gt;&lt;img src=x onerror=alert\(&#39;chapter&#39;\)&gt;<\/a><\/h3>\s*<p class="meta">3 pages/,
    );
    expect(page).toMatch(/Chapter 2: javascript:alert\(&#39;link&#39;\)<\/a><\/h3>\s*<p class="meta">1 page /);
    const latest = page.slice(page.indexOf('Latest pages'), page.indexOf('chapters-heading'));
    expect(latest.indexOf('Chapter 2, page 1')).toBeGreaterThan(-1);
    expect(latest.indexOf('Chapter 2, page 1')).toBeLessThan(latest.indexOf('Chapter 1, page 3'));
    // The newest page of chapter 1 sits on the second screen when screens hold two pages.
    expect(page).toContain(`${storyUrl}/chapters/1?screen=2#page-3`);
  });

  it('a chapter shows its approved pages in order as narration and a comic script, split into screens, with previous and next chapters', async () => {
    const first = await text(`${storyUrl}/chapters/1`);
    expect(first).toContain('id="page-1"');
    expect(first).toContain('id="page-2"');
    expect(first).not.toContain('id="page-3"');
    expect(first.indexOf('id="page-1"')).toBeLessThan(first.indexOf('id="page-2"'));
    expect(first).toContain('<dt>Kai</dt><dd>It is glowing again.</dd>');
    expect(first).toContain('<p class="caption">Night, the pass.</p>');
    expect(first).toContain('Kai on a snowy ledge, the Mark glowing. &lt;img src=x onerror=alert(&#39;scene&#39;)&gt;');
    expect(first).toContain(`<a href="${storyUrl}/chapters/2" rel="next">`);
    expect(first).toContain(`href="${storyUrl}/chapters/1?screen=2"`);
    const second = await text(`${storyUrl}/chapters/1?screen=2`);
    expect(second).toContain('id="page-3"');
    expect(second).toContain('The storm breaks over the ridge.');
    const two = await text(`${storyUrl}/chapters/2`);
    expect(two).toContain(`rel="prev">← Chapter 1: The Pass &quot;&gt;&lt;img`);
    expect(two).not.toContain('rel="next"');
    expect((await get(`${storyUrl}/chapters/1?screen=3`)).status).toBe(404);
    expect((await get(`${storyUrl}/chapters/3`)).status).toBe(404);
  });

  it('only approved pages are shown: no draft, input, feedback, vote or user id reaches the page or the feed', async () => {
    const everything = [
      await text(storyUrl),
      await text(`${storyUrl}/chapters/1`),
      await text(`${storyUrl}/chapters/1?screen=2`),
      await text(`${storyUrl}/chapters/2`),
      await text(`${storyUrl}/feed.xml`),
    ].join('\n');
    expect(everything).not.toContain(UNAPPROVED_NARRATION);
    expect(everything).not.toContain('A page still in review');
    for (const input of PAGE_INPUTS) expect(everything).not.toContain(input);
    expect(everything).not.toContain(h.adminId);
    expect(everything).not.toContain('a snowy mountain pass at dusk'); // the image prompt
    expect((await get(`${storyUrl}/chapters/2/pages/2`)).status).toBe(404);
  });

  it('link previews: Open Graph and Twitter tags per story, chapter and page, with a description of at most 350 bytes', async () => {
    const front = await text(storyUrl);
    expect(metaOf(front, 'og:title')).toBe(HOSTILE.storyTitle);
    expect(metaOf(front, 'og:url')).toBe(storyUrl);
    expect(metaOf(front, 'og:type')).toBe('website');
    expect(metaOf(front, 'og:description')).toMatch(/^2 chapters, 4 pages\. Latest: Dawn finds them/);
    expect(metaOf(front, 'theme-color')).toMatch(/^#[0-9a-f]{6}$/);
    expect(metaOf(front, 'twitter:card')).toBe('summary');

    const chapter = await text(`${storyUrl}/chapters/1`);
    expect(metaOf(chapter, 'og:title')).toBe(`Chapter 1: ${HOSTILE.chapterOne} · ${HOSTILE.storyTitle}`);
    expect(metaOf(chapter, 'og:url')).toBe(`${storyUrl}/chapters/1`);
    const description = metaOf(chapter, 'og:description') ?? '';
    expect(new TextEncoder().encode(description).length).toBeLessThanOrEqual(350);
    expect(description.startsWith('Kai climbs toward the pass')).toBe(true);

    const single = await text(`${storyUrl}/chapters/1/pages/2`);
    expect(metaOf(single, 'og:title')).toBe(`Page 2 · Chapter 1: ${HOSTILE.chapterOne} · ${HOSTILE.storyTitle}`);
    expect(metaOf(single, 'og:description')).toBe(NARRATIONS[1]);
    expect(metaOf(single, 'og:type')).toBe('article');
    expect(metaOf(single, 'twitter:description')).toBe(NARRATIONS[1]);
  });

  it('pages and the feed carry an ETag and Last-Modified and answer 304 to a reader whose copy is current', async () => {
    for (const url of [storyUrl, `${storyUrl}/chapters/1`, `${storyUrl}/feed.xml`]) {
      const first = await get(url);
      const etag = first.headers.get('etag') ?? '';
      const lastModified = first.headers.get('last-modified') ?? '';
      expect(etag).toMatch(/^W\/".+"$/);
      expect(Date.parse(lastModified)).toBeGreaterThan(0);
      expect(first.headers.get('cache-control')).toBe('public, no-cache');
      expect((await get(url, { 'if-none-match': etag })).status).toBe(304);
      expect((await get(url, { 'if-modified-since': lastModified })).status).toBe(304);
      expect((await get(url, { 'if-none-match': 'W/"something-else"' })).status).toBe(200);
    }
    const css = /<link rel="stylesheet" href="([^"]+)">/.exec(await text(storyUrl))?.[1] ?? '';
    const stylesheet = await get(`${h.web?.url ?? ''}${css}`);
    expect(css).toMatch(/^\/assets\/reader-[0-9a-f]{16}\.css$/);
    expect(stylesheet.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('the Atom feed has one entry per approved page, newest first, linking to each page', async () => {
    const response = await get(`${storyUrl}/feed.xml`);
    expect(response.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const feed = await response.text();
    const entries = feed.split('<entry>').slice(1);
    expect(entries).toHaveLength(4);
    expect(entries[0]).toContain(`${storyUrl}/chapters/2/pages/1`);
    expect(feed).not.toContain('<script>');
    // Page 1's narration holds characters XML forbids: the feed leaves them out (the browser test parses it).
    expect(feed).toContain('He reads the warning scratched on the cairn');
    expect(feed).toMatch(/^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u);
  });

  it('an address with nothing to read is the same plain 404 whatever the reason, and image names cannot walk the file system', async () => {
    const base = h.web?.url ?? '';
    const token = storyUrl.slice(-32);
    const unknown = await get(`${base}/the-story-${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    const body = await unknown.text();
    for (const url of [
      storyUrl.replace(/\/[a-z0-9-]+-(?=[0-9a-f]{32}$)/, '/another-slug-'),
      `${base}/${token}`,
      `${base}/nonsense`,
      `${storyUrl}/chapters/0`,
      `${storyUrl}/chapters/x`,
      `${storyUrl}/nowhere`,
    ]) {
      const response = await get(url);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe(body);
    }
    for (const path of [
      '/images/../package.json',
      '/images/..%2Fpackage.json',
      '/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      `/images/${'a'.repeat(64)}.png`,
      '/images/../../../../etc/passwd',
      '/assets/../package.json',
    ]) {
      const response = await rawGet(base, path);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('"name": "storyroom"');
      expect(response.body).not.toContain('root:');
    }
  });

  it('the operator’s JSON API is off in a web process without HTTP_API_TOKEN: every API path is a JSON 404', async () => {
    for (const path of ['/api/chapters', '/api/pages/1', '/api/nowhere']) {
      const response = await get(`${h.web?.url ?? ''}${path}`, { authorization: 'Bearer anything-at-all-0123' });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'not found' });
    }
  });

  it('unpublishing makes the old address the same 404; publishing again serves the story at a new one only', async () => {
    const unknown = await (await get(`${h.web?.url ?? ''}/the-story-${'0'.repeat(32)}`)).text();
    const command = (subcommand: string) =>
      h.discord
        .slashCommand({ guildId: h.guildId, channelId: h.storyChannelId, userId: h.adminId, name: 'story', subcommand, options: {} })
        .response();
    await command('unpublish');
    for (const url of [storyUrl, `${storyUrl}/chapters/1`, `${storyUrl}/feed.xml`, `${storyUrl}/chapters/1/pages/1`]) {
      const response = await get(url);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe(unknown);
    }
    const again = await command('publish');
    const newUrl = /(http:\/\/127\.0\.0\.1:\d+\/[a-z0-9-]+-[0-9a-f]{32})/.exec(again.content ?? '')?.[1] ?? '';
    expect(newUrl).not.toBe(storyUrl);
    expect((await get(newUrl)).status).toBe(200);
    expect((await get(storyUrl)).status).toBe(404);
    storyUrl = newUrl;
  });
});
