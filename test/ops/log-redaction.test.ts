import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { sql } from 'kysely';
import { createDatabase } from '../../src/db/connection.js';
import { createLogger, scrubSecrets } from '../../src/logger.js';

describe('secrets never reach the logs', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  beforeAll(async () => {
    h = await startStoryroom('secretlogs', { logDestination: capture, env: { LOG_LEVEL: 'debug' } });
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a failed interaction callback is logged without its interaction token', async () => {
    const threadId = await room.openChapter('Leaky callback');
    h.discord.failNext(
      { method: 'POST', route: '/interactions/:id/:token/callback' },
      { status: 400, code: 40060, message: 'Interaction has already been acknowledged.' },
    );
    const before = lines.length;
    room.startPage(threadId, h.adminId, 'A callback that fails');
    const failure = await h.discord.waitFor(() => lines.slice(before).find((line) => line.includes('could not acknowledge')), {
      description: 'the failed acknowledgement in the log',
    });
    expect(failure).toContain('40060');
    const tokens = [h.discord.token, ...h.discord.interactionTokens()];
    const leaks = lines.filter((line) => tokens.some((token) => line.includes(token)) || /interaction\.[0-9a-f]{48}/.test(line));
    expect(leaks).toEqual([]);
  });
});

describe('the log scrubber', () => {
  it('takes tokens out of webhook and interaction URLs and passwords out of connection URLs', () => {
    const line = scrubSecrets(
      '{"url":"https://discord.com/api/v10/webhooks/123/abc.DEF-ghi/messages/@original","db":"postgres://bot:s3cret@db:5432/story","cb":"/interactions/9/tok_en/callback"}',
    );
    expect(line).not.toMatch(/abc\.DEF-ghi|s3cret|tok_en/);
    expect(line).toContain('/webhooks/123/[redacted]/messages/@original');
    expect(line).toContain('postgres://bot:[redacted]@db:5432/story');
  });
});

describe('a lost database connection in the log', () => {
  it('is its error, not the pg client it came from (its state, statements and connection settings)', async () => {
    const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      name: 'test',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    });
    let lost = false;
    const db = createDatabase(url, {
      maxConnections: 1,
      onPoolError: (error) => ((lost = true), logger.warn({ err: error }, 'idle database connection lost; the pool reconnects')),
    });
    const admin = createDatabase(url, { maxConnections: 1 });
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      await sql`select pg_terminate_backend(${rows[0]?.pid ?? 0})`.execute(admin);
      await new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const check = () =>
          lost
            ? resolve()
            : Date.now() - started > 10_000
              ? reject(new Error('the pool never reported the lost connection'))
              : setTimeout(check, 20);
        check();
      });
      // pg reports it twice (on the client, then on the pool with the client attached): one line is enough.
      await new Promise((resolve) => setImmediate(resolve));
      const reported = lines.filter((l) => l.includes('idle database connection lost'));
      expect(reported).toHaveLength(1);
      expect(reported[0]).toContain('terminating connection due to administrator command');
      expect(reported[0]).not.toMatch(/"client"|connectionParameters|parsedStatements|select pg_backend_pid/);
    } finally {
      await Promise.all([db.destroy(), admin.destroy()]);
    }
  });
});
