import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { WebProcessConfig } from '../config/config.js';
import { createDatabase } from '../db/connection.js';
import type { Logger } from '../logger.js';
import { postgresImageStore } from '../db/image-store.js';
import { createWebApp } from './web-app.js';

export interface RunningWeb {
  /** Where this process listens (PUBLIC_URL is where readers reach it, through a proxy or not). */
  url: string;
  close(): Promise<void>;
}

/** The web process: stateless, reads Postgres only, so any number can run behind a proxy. */
export async function startWebServer(config: Readonly<WebProcessConfig>, logger: Logger): Promise<RunningWeb> {
  const db = createDatabase(config.databaseUrl, {
    onPoolError: (error) => logger.warn({ err: error }, 'idle database connection lost; the pool reconnects'),
  });
  const app = createWebApp({
    db,
    publicUrl: config.web.publicUrl,
    pagesPerScreen: config.web.pagesPerScreen,
    images: postgresImageStore(db),
    api: { token: config.apiToken, promptBudget: config.promptBudget },
    logger,
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: config.web.host, port: config.web.port });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.web.port, config.web.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.web.host}:${address.port}`;
  logger.info({ url, publicUrl: config.web.publicUrl }, 'web reader listening');
  return {
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of browsers would hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await db.destroy();
      logger.info('web reader stopped');
    },
  };
}
