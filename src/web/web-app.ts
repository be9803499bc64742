import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Db } from '../db/connection.js';
import { pingDatabase } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { ImageStore } from '../db/image-store.js';
import {
  loadChapterScreen,
  loadFeedEntries,
  loadSinglePage,
  loadStoryFront,
  findStoryImage,
  openPublishedStory,
  type PublishedStory,
} from '../services/reader-service.js';
import { readerFontFile, readerFonts } from '../services/reader-fonts.js';
import { createApiRoutes } from './api-routes.js';
import { renderAtomFeed } from './feed.js';
import { readerLinks, type ReaderLinks } from './links.js';
import { READER_CSS, READER_CSS_PATH, READER_ICON, READER_ICON_PATH } from './styles.js';
import { renderChapterScreen, renderSinglePage } from './views/chapter-view.js';
import { notFoundPage } from './views/layout.js';
import { renderStoryFront } from './views/story-view.js';

export interface WebDeps {
  db: Db;
  publicUrl: string;
  pagesPerScreen: number;
  /** Where panel images are read from. */
  images: ImageStore;
  /** The operator's JSON API (off without a token). */
  api: { token: string | null; promptBudget: { totalTokens: number; bibleTokens: number } };
  logger: Logger;
}

const FEED_ENTRIES = 50;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Panel images: a cache may keep one five minutes, then asks again (cheaply, by ETag), so an unpublished story's images stop. */
const REVALIDATE = 'public, max-age=300, must-revalidate';
const NUMBER = /^[1-9]\d{0,5}$/;

// Nothing on a reader's page loads from elsewhere or runs script; the token in the address is never sent on as a referrer.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; img-src 'self'; style-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

class NotFound extends Error {}

/**
 * Answers with an ETag and Last-Modified, or 304 when the reader's copy is current. `no-cache` makes
 * every cache ask again, so an unpublished story stops being served at once.
 */
function conditional(c: Context, response: { body: string; type: string; lastModified: Date }): Response {
  const etag = `W/"${createHash('sha256').update(response.body).digest('base64url').slice(0, 27)}"`;
  const lastModified = new Date(Math.floor(response.lastModified.getTime() / 1000) * 1000);
  const headers = { etag, 'last-modified': lastModified.toUTCString(), 'cache-control': 'public, no-cache' };
  const ifNoneMatch = c.req.header('if-none-match');
  const ifModifiedSince = Date.parse(c.req.header('if-modified-since') ?? '');
  const fresh =
    ifNoneMatch !== undefined
      ? ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')
      : ifModifiedSince >= lastModified.getTime();
  if (fresh) return c.body(null, 304, headers);
  return c.body(response.body, 200, { ...headers, 'content-type': response.type });
}

const HTML = 'text/html; charset=utf-8';

function numberParam(text: string | undefined): number {
  if (text === undefined || !NUMBER.test(text)) throw new NotFound();
  return Number(text);
}

/** The web reader (published stories as pages, a feed and their panel images) and the JSON API. Reads Postgres only. */
export function createWebApp(deps: WebDeps): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });

  app.route('/api', createApiRoutes({ db: deps.db, images: deps.images, ...deps.api, logger: deps.logger }));
  app.get('/livez', (c) => c.json({ status: 'ok' }, 200, { 'cache-control': 'no-store' }));
  app.get('/readyz', async (c) => {
    const database = await pingDatabase(deps.db).then(
      () => true,
      () => false,
    );
    return c.json({ status: database ? 'ok' : 'degraded', database }, database ? 200 : 503, { 'cache-control': 'no-store' });
  });
  app.get(READER_CSS_PATH, (c) => c.body(READER_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': IMMUTABLE }));
  // The lettering fonts: their stylesheet and the WOFF2 files it names, under versioned addresses.
  const fonts = readerFonts();
  app.get(fonts.stylesheetPath, (c) =>
    c.body(fonts.stylesheet, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': IMMUTABLE }),
  );
  app.get('/assets/fonts/:pkg/:file', async (c) => {
    const bytes = await readerFontFile(c.req.path);
    if (!bytes) throw new NotFound();
    return c.body(new Uint8Array(bytes), 200, { 'content-type': 'font/woff2', 'cache-control': IMMUTABLE });
  });
  const icon = (c: Context) => c.body(READER_ICON, 200, { 'content-type': 'image/svg+xml', 'cache-control': IMMUTABLE });
  app.get(READER_ICON_PATH, icon);
  // Browsers and link unfurlers ask for this one without reading the page.
  app.get('/favicon.ico', (c) => c.body(READER_ICON, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }));
  // Every story's address is a secret link: what is served under it asks search engines not to index it.
  const withStory = (handler: (c: Context, story: PublishedStory, links: ReaderLinks) => Promise<Response>) => async (c: Context) => {
    const story = await openPublishedStory(deps.db, c.req.param('address') ?? '');
    if (!story) throw new NotFound();
    const response = await handler(c, story, readerLinks(deps.publicUrl, story.address));
    response.headers.set('x-robots-tag', 'noindex');
    return response;
  };

  app.get(
    '/:address/images/:file',
    withStory(async (c, story) => {
      // The name is matched whole against a hash and an extension before anything is looked up.
      const hash = await findStoryImage(deps.db, story, c.req.param('file') ?? '');
      if (!hash) throw new NotFound();
      const headers = { etag: `"${hash}"`, 'cache-control': REVALIDATE };
      const ifNoneMatch = c.req.header('if-none-match');
      if (ifNoneMatch?.split(',').some((tag) => tag.trim() === headers.etag || tag.trim() === '*')) return c.body(null, 304, headers);
      const image = await deps.images.get(hash);
      if (!image) throw new NotFound();
      return c.body(new Uint8Array(image.bytes), 200, { ...headers, 'content-type': image.contentType });
    }),
  );

  app.get(
    '/:address',
    withStory(async (c, story, links) => {
      const front = await loadStoryFront(deps.db, story, deps.pagesPerScreen);
      return conditional(c, { body: String(await renderStoryFront(story, front, links)), type: HTML, lastModified: front.lastModified });
    }),
  );
  app.get(
    '/:address/feed.xml',
    withStory(async (c, story, links) => {
      const entries = await loadFeedEntries(deps.db, story, FEED_ENTRIES);
      const body = await renderAtomFeed(story, entries, links);
      return conditional(c, {
        body,
        type: 'application/atom+xml; charset=utf-8',
        lastModified: entries[0]?.approvedAt ?? story.publishedAt,
      });
    }),
  );
  app.get(
    '/:address/chapters/:chapter',
    withStory(async (c, story, links) => {
      const screenText = c.req.query('screen');
      const view = await loadChapterScreen(deps.db, story, {
        chapterNumber: numberParam(c.req.param('chapter')),
        screen: screenText === undefined ? 1 : numberParam(screenText),
        pagesPerScreen: deps.pagesPerScreen,
      });
      if (!view) throw new NotFound();
      return conditional(c, { body: String(await renderChapterScreen(story, view, links)), type: HTML, lastModified: view.lastModified });
    }),
  );
  app.get(
    '/:address/chapters/:chapter/pages/:page',
    withStory(async (c, story, links) => {
      const view = await loadSinglePage(deps.db, story, {
        chapterNumber: numberParam(c.req.param('chapter')),
        pageNumber: numberParam(c.req.param('page')),
        pagesPerScreen: deps.pagesPerScreen,
      });
      if (!view) throw new NotFound();
      return conditional(c, { body: String(await renderSinglePage(story, view, links)), type: HTML, lastModified: view.lastModified });
    }),
  );

  // One answer for every address with nothing to read: it does not tell a revoked story from one that never was.
  const notFound = async (c: Context) => c.html(await notFoundPage(), 404, { 'cache-control': 'no-store' });
  app.notFound(notFound);
  app.onError(async (error, c) => {
    if (error instanceof NotFound) return notFound(c);
    deps.logger.error({ err: error, path: c.req.path }, 'web request failed');
    return c.text('Something went wrong. Try again in a moment.', 500, { 'cache-control': 'no-store' });
  });
  return app;
}
