import net from 'node:net';

// Fail the run at once, with one clear line, when a service the suite needs is not listening.
function assertListening(name: string, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    const fail = () => {
      socket.destroy();
      reject(new Error(`${name} is not reachable on ${host}:${port}; start it (see README "Testing")`));
    };
    socket.once('error', fail);
    socket.once('timeout', fail);
  });
}

export default async function setup(): Promise<void> {
  const pg = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const redis = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  await assertListening('PostgreSQL', pg.hostname, Number(pg.port || 5432));
  await assertListening('Redis', redis.hostname, Number(redis.port || 6379));
}
