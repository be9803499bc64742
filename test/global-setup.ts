import type { TestProject } from 'vitest/node';
import { startLocalServices } from '../loopback/local-services.js';

// The suite's Postgres and Redis: TEST_DATABASE_URL / TEST_REDIS_URL when set, else the servers on
// their usual ports, else an embedded PostgreSQL and a throwaway redis-server started here and
// stopped at the end (docs/local-services.md). Vitest starts the test forks after this, with this
// process's environment: the URLs reach them (and loopback/local-database.ts) through it.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startLocalServices({
    postgres: { url: process.env.TEST_DATABASE_URL, from: 'TEST_DATABASE_URL' },
    redis: { url: process.env.TEST_REDIS_URL, from: 'TEST_REDIS_URL' },
  });
  if (services.postgresUrl) process.env.TEST_DATABASE_URL = services.postgresUrl;
  if (services.redisUrl) process.env.TEST_REDIS_URL = services.redisUrl;
  project.vitest.logger.log(services.summary);
  return () => services.stop();
}
