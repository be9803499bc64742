import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { scrubSecrets } from '../../src/logger.js';

describe('finding 3: secrets never reach the logs', () => {
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

  it('finding 3: a failed interaction callback is logged without its interaction token', async () => {
    const threadId = await room.openChapter('Leaky callback');
    h.discord.failNext({ method: 'POST', route: '/interactions/:id/:token/callback' }, { status: 400, code: 40060, message: 'Interaction has already been acknowledged.' });
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

describe('finding 3: the log scrubber', () => {
  it('finding 3: takes tokens out of webhook and interaction URLs and passwords out of connection URLs', () => {
    const line = scrubSecrets(
      '{"url":"https://discord.com/api/v10/webhooks/123/abc.DEF-ghi/messages/@original","db":"postgres://bot:s3cret@db:5432/story","cb":"/interactions/9/tok_en/callback"}',
    );
    expect(line).not.toMatch(/abc\.DEF-ghi|s3cret|tok_en/);
    expect(line).toContain('/webhooks/123/[redacted]/messages/@original');
    expect(line).toContain('postgres://bot:[redacted]@db:5432/story');
  });
});
