import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { ImageStore } from '../db/image-store.js';
import { requireBearerToken } from '../ops/bearer-auth.js';
import { getChapterPages, getNextPromptContext, getPageHistoryById, getPageStatus, listChapters } from '../services/api-service.js';
import { planChapterArchiveById } from '../services/export-service.js';
import { buildChapterPdfById } from '../services/pdf-export.js';

// The operator's read-only JSON API, behind a bearer token. It lives in the web process, which reads
// Postgres directly, so it covers every shard's data whichever bot process owns the gateway.

export interface ApiDeps {
  db: Db;
  images: ImageStore;
  /** Null: the API is off and every route answers 404. */
  token: string | null;
  promptBudget: { totalTokens: number; bibleTokens: number };
  logger: Logger;
}

class ApiError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const idParam = (text: string | undefined) => {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new ApiError(400, 'ids are positive whole numbers');
  return id;
};

const found = <T>(value: T | null | undefined): T => {
  if (value === null || value === undefined) throw new ApiError(404, 'not found');
  return value;
};

const NO_STORE = { 'cache-control': 'no-store' };

/** `/api/...`: chapters, a chapter's pages, a page, its history, the context its next prompt would get. */
export function createApiRoutes(deps: ApiDeps): Hono {
  const api = new Hono();
  // Off without a token: every path answers 404, before any token is asked for.
  const token = deps.token;
  if (!token) {
    api.all('*', (c) => c.json({ error: 'not found' }, 404, NO_STORE));
    return api;
  }
  api.use(requireBearerToken(token, 'HTTP_API_TOKEN'));
  api.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    deps.logger.error({ err: error, path: c.req.path }, 'api request failed');
    return c.json({ error: 'internal error' }, 500, NO_STORE);
  });
  const answer = (handler: (c: Context) => Promise<unknown>) => async (c: Context) => {
    try {
      return c.json(await handler(c), 200, NO_STORE);
    } catch (error) {
      if (error instanceof ApiError) return c.json({ error: error.message }, error.status, NO_STORE);
      deps.logger.error({ err: error, path: c.req.path }, 'api request failed');
      return c.json({ error: 'internal error' }, 500, NO_STORE);
    }
  };
  api.get(
    '/chapters',
    answer(async (c) => ({ chapters: await listChapters(deps.db, { guildId: c.req.query('guild') ?? null }) })),
  );
  api.get(
    '/chapters/:id/pages',
    answer(async (c) => ({ pages: found(await getChapterPages(deps.db, idParam(c.req.param('id')))) })),
  );
  api.get(
    '/pages/:id',
    answer(async (c) => found(await getPageStatus(deps.db, idParam(c.req.param('id'))))),
  );
  api.get(
    '/pages/:id/history',
    answer(async (c) => ({ versions: found(await getPageHistoryById(deps.db, idParam(c.req.param('id')))) })),
  );
  // A rendered panel by content hash: the bytes never change, so they may be cached for good.
  api.get('/images/:hash', async (c) => {
    const hash = c.req.param('hash');
    const image = /^[0-9a-f]{64}$/.test(hash) ? await deps.images.get(hash) : undefined;
    if (!image) return c.json({ error: 'not found' }, 404, NO_STORE);
    return c.body(new Uint8Array(image.bytes), 200, {
      'content-type': image.contentType,
      'cache-control': 'private, max-age=31536000, immutable',
    });
  });
  // A chapter's zipped exports with the approved panels, streamed as they are written (one image in
  // memory at a time): what /chapter export attaches when it fits Discord, and the way to get it when not.
  const archive = (format: 'cbz' | 'markdown') => async (c: Context) => {
    const id = Number(c.req.param('id'));
    const plan = Number.isSafeInteger(id) && id > 0 ? await planChapterArchiveById(deps.db, id, format) : null;
    if (!plan) return c.json({ error: 'not found (or no approved panels yet)' }, 404, NO_STORE);
    const chunks = plan.stream(deps.images);
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          deps.logger.error({ err: error, chapterId: id }, 'chapter archive failed while streaming');
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
    const type = format === 'cbz' ? 'application/vnd.comicbook+zip' : 'application/zip';
    return c.body(body, 200, {
      'content-type': type,
      'content-disposition': `attachment; filename="${plan.fileName.replace(/[^\x20-\x7e]|"/g, '_')}"`,
      ...NO_STORE,
    });
  };
  api.get('/chapters/:id/export.cbz', archive('cbz'));
  api.get('/chapters/:id/export.zip', archive('markdown'));
  api.get('/chapters/:id/export.pdf', async (c) => {
    const id = Number(c.req.param('id'));
    const pdf = Number.isSafeInteger(id) && id > 0 ? await buildChapterPdfById(deps.db, id, deps.images) : null;
    if (!pdf) return c.json({ error: 'not found (or no approved panels yet)' }, 404, NO_STORE);
    return c.body(new Uint8Array(pdf.bytes), 200, {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${pdf.fileName.replace(/[^\x20-\x7e]|"/g, '_')}"`,
      ...NO_STORE,
    });
  });
  api.get(
    '/pages/:id/next-context',
    answer(async (c) => found(await getNextPromptContext(deps.db, idParam(c.req.param('id')), deps.promptBudget))),
  );
  // Unknown API paths answer like the API (JSON, and only after the token), not with the reader's page.
  api.get(
    '*',
    answer(() => Promise.reject(new ApiError(404, 'not found'))),
  );
  return api;
}
