import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';
import type { ProcessMetrics } from './metrics.js';
import { answerProbe, type ReadinessChecks } from './probes.js';

export interface RunningWorkerHttp {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's own small server: /metrics, /livez and /readyz, all open (it serves no data, only
 * numbers about this process: bind it to a private address). Each worker process has its own port.
 */
export async function startWorkerHttp(
  deps: { metrics: ProcessMetrics; readiness: ReadinessChecks; logger: Logger },
  listen: { port: number; host: string },
): Promise<RunningWorkerHttp> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const answer = async () => {
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      if (await answerProbe(pathname, res, deps.readiness)) return;
      if (pathname === '/metrics') {
        const scrape = await deps.metrics.scrape();
        res.writeHead(200, { 'content-type': scrape.contentType, 'cache-control': 'no-store' }).end(scrape.text);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics, /livez or /readyz');
    };
    answer().catch((error: unknown) => {
      deps.logger.error({ err: error, url: req.url }, 'worker http request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const url = `http://${listen.host}:${(server.address() as AddressInfo).port}`;
  deps.logger.info({ url }, 'worker metrics listening');
  return { server, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
