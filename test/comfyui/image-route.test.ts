import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawPanel } from '../../loopback/comfyui/png.js';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { parseWebConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { postgresImageStore } from '../../src/db/image-store.js';
import { startWebServer, type RunningWeb } from '../../src/web/web-server.js';

const TOKEN = 'image-route-token-0123456789';

describe('rendered images are served by hash', () => {
  let database: TestDatabase;
  let web: RunningWeb;
  beforeAll(async () => {
    database = await createTestDatabase('image_route');
    const config = parseWebConfig({ DATABASE_URL: database.url, PUBLIC_URL: 'http://127.0.0.1:1', WEB_PORT: '0', HTTP_API_TOKEN: TOKEN });
    web = await startWebServer(config, createLogger({ level: 'silent', name: 'test' }));
  });
  afterAll(async () => {
    await web.close();
    await database.drop();
  });

  it('the API answers the stored bytes with their type, only with the token, and 404 for an unknown hash', async () => {
    const bytes = drawPanel({ width: 32, height: 24, seed: '1', prompt: 'a lighthouse' });
    const hash = await postgresImageStore(database.db).put({ bytes, contentType: 'image/png', width: 32, height: 24 });
    const authorization = { authorization: `Bearer ${TOKEN}` };

    const response = await fetch(`${web.url}/api/images/${hash}`, { headers: authorization });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(`${web.url}/api/images/${hash}`)).status).toBe(401);
    expect((await fetch(`${web.url}/api/images/${'0'.repeat(64)}`, { headers: authorization })).status).toBe(404);
    expect((await fetch(`${web.url}/api/images/not-a-hash`, { headers: authorization })).status).toBe(404);
  });

  it('the reader serves no image by its hash alone (only under a published story, test/web-image-access.test.ts), and nothing for a path that is not a hash', async () => {
    const bytes = drawPanel({ width: 16, height: 16, seed: '2', prompt: 'a harbour' });
    const hash = await postgresImageStore(database.db).put({ bytes, contentType: 'image/png', width: 16, height: 16 });
    expect((await fetch(`${web.url}/images/${hash}.png`)).status).toBe(404);
    expect((await fetch(`${web.url}/images/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });
});
