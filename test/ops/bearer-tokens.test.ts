import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { parseConfig, parseWebConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { startOpsServer, type RunningOpsServer } from '../../src/ops/ops-server.js';
import { ProcessMetrics } from '../../src/ops/metrics.js';
import { startWebServer, type RunningWeb } from '../../src/web/web-server.js';

const METRICS_TOKEN = 'metrics-only-token-0123456789';
const CONTENT_TOKEN = 'content-api-token-0123456789';

// One .env for both processes, as docker compose or a single host reads it: each token opens only its own door.
describe('the metrics token and the content API token are separate', () => {
  let database: TestDatabase;
  let bot: RunningOpsServer;
  let web: RunningWeb;
  const logger = createLogger({ level: 'silent', name: 'test' });

  beforeAll(async () => {
    database = await createTestDatabase('bearer_tokens');
    const env = {
      DISCORD_TOKEN: 'secret-token-value',
      DISCORD_APPLICATION_ID: '123456789012345678',
      DATABASE_URL: database.url,
      HTTP_PORT: '0',
      METRICS_TOKEN,
      HTTP_API_TOKEN: CONTENT_TOKEN,
      PUBLIC_URL: 'http://127.0.0.1:1',
      WEB_PORT: '0',
    };
    const config = parseConfig(env);
    if (!config.http) throw new Error('HTTP_PORT is set: the bot serves HTTP');
    bot = await startOpsServer(
      { metrics: new ProcessMetrics('bot'), readiness: {}, logger, metricsToken: config.http.token, health: true },
      config.http,
    );
    web = await startWebServer(parseWebConfig(env), logger);
  });
  afterAll(async () => {
    await bot?.close();
    await web?.close();
    await database?.drop();
  });

  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it("the metrics token opens the bot's /metrics, and the content API token does not", async () => {
    expect((await fetch(`${bot.url}/metrics`, bearer(METRICS_TOKEN))).status).toBe(200);
    expect((await fetch(`${bot.url}/metrics`, bearer(CONTENT_TOKEN))).status).toBe(401);
    expect((await fetch(`${bot.url}/metrics`)).status).toBe(401);
  });

  it('the content API token opens the web process’s /api, and the metrics token does not', async () => {
    const opened = await fetch(`${web.url}/api/chapters`, bearer(CONTENT_TOKEN));
    expect(opened.status).toBe(200);
    expect(await opened.json()).toEqual({ chapters: [] });
    expect((await fetch(`${web.url}/api/chapters`, bearer(METRICS_TOKEN))).status).toBe(401);
    expect((await fetch(`${web.url}/api/chapters`)).status).toBe(401);
  });

  it('a header that is not a bearer token is refused with 401 on both', async () => {
    for (const url of [`${bot.url}/metrics`, `${web.url}/api/chapters`]) {
      for (const authorization of [
        `Basic ${Buffer.from(`x:${CONTENT_TOKEN}`).toString('base64')}`,
        'Bearer',
        `Bearer ${CONTENT_TOKEN} extra`,
        `bearer${METRICS_TOKEN}`,
      ]) {
        expect((await fetch(url, { headers: { authorization } })).status).toBe(401);
      }
    }
  });
});
