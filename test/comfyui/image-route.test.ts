import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawPanel } from '../../loopback/comfyui/png.js';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { parseConfig } from '../../src/config/config.js';
import { ProcessMetrics } from '../../src/http/metrics.js';
import { startHttpApi, type RunningApi } from '../../src/http/api.js';
import { createLogger } from '../../src/logger.js';
import { postgresImageStore } from '../../src/render/image-store.js';

const TOKEN = 'image-route-token-0123456789';

describe('the HTTP API serves rendered images by hash', () => {
  let database: TestDatabase;
  let api: RunningApi;
  beforeAll(async () => {
    database = await createTestDatabase('image_route');
    const config = parseConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '123456789012345678', DATABASE_URL: database.url, HTTP_PORT: '0', HTTP_API_TOKEN: TOKEN });
    const logger = createLogger({ level: 'silent', name: 'test' });
    api = await startHttpApi({ db: database.db, metrics: new ProcessMetrics('bot'), config, logger, readiness: {} }, { port: 0, host: '127.0.0.1', token: TOKEN });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('answers the stored bytes with their type, only with the token, and 404 for an unknown hash', async () => {
    const bytes = drawPanel({ width: 32, height: 24, seed: '1', prompt: 'a lighthouse' });
    const hash = await postgresImageStore(database.db).put({ bytes, contentType: 'image/png', width: 32, height: 24 });
    const authorization = { authorization: `Bearer ${TOKEN}` };

    const response = await fetch(`${api.url}/api/images/${hash}`, { headers: authorization });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(`${api.url}/api/images/${hash}`)).status).toBe(401);
    expect((await fetch(`${api.url}/api/images/${'0'.repeat(64)}`, { headers: authorization })).status).toBe(404);
    expect((await fetch(`${api.url}/api/images/not-a-hash`, { headers: authorization })).status).toBe(404);
  });
});
