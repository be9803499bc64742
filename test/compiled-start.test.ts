import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCompiled, startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { embedText, WritersRoom } from '../loopback/writers-room.js';

const SCRIPT = { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'Compiled and running.' }] }] };

describe('the compiled build', () => {
  let h: StoryroomHarness;
  let bot: StoryroomProcess;
  let worker: StoryroomProcess;

  beforeAll(async () => {
    // The same build `npm run build` makes: tsc into dist/, then the bot's and the worker's bundles.
    buildCompiled();
    // Two shards: the compiled bot forks one shard process holding both (SHARDS_PER_PROCESS defaults to 8) from the compiled entry.
    h = await startStoryroom('compiled', { bot: false, worker: false, discord: { shards: 2 } });
    h.model.setResponder((request) => (request.responseFormatName ? { json: SCRIPT } : { content: 'The compiled narrator wrote this.' }));
    const env = { ...process.env, ...h.env, LOG_LEVEL: 'info' };
    bot = startStoryroomProcess('bot', env, { runtime: 'compiled' });
    worker = startStoryroomProcess('worker', env, { runtime: 'compiled' });
    await Promise.all([bot.waitForLine(/all shards ready/, 90_000), worker.waitForLine(/worker started/, 90_000)]);
  }, 180_000);
  afterAll(async () => {
    const exits = await Promise.all([bot?.stop('SIGTERM'), worker?.stop('SIGTERM')]);
    await h?.close();
    expect(exits).toEqual([0, 0]);
  });

  it('plain node runs the bot (sharded) and the worker from dist/, and a page goes from input to approved', async () => {
    const room = new WritersRoom(h);
    await room.setupStory('Built Ahead of Time');
    const threadId = await room.openChapter('From dist');
    await room.startPage(threadId, h.adminId, 'Kai runs without tsx').response();
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    expect(embedText(narration)).toContain('The compiled narrator wrote this.');
    await room.click(threadId, narration, h.adminId, 'Approve').response();
    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);
    await room.click(threadId, dialogue, h.adminId, 'Approve').response();
    const summary = await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => embedText(m).includes('Page 1 approved')), {
      description: 'approved page summary',
    });
    expect(embedText(summary)).toContain('Compiled and running.');
    const page = await h.database.db.selectFrom('story_pages').select('state').executeTakeFirstOrThrow();
    expect(page.state).toBe('page_approved');
    // Neither process loaded tsx: both run the bundles of the JavaScript tsc wrote.
    expect(bot.child.spawnargs.join(' ')).toContain('dist/bundle/bot.js');
    expect(worker.child.spawnargs.join(' ')).not.toContain('tsx');
    // The worker yields the CPU to the bot (WORKER_NICENESS, 10 by default); the bot keeps its normal priority.
    expect(getPriority(worker.child.pid)).toBe(10);
    expect(getPriority(bot.child.pid)).toBe(getPriority());
    expect(bot.lines.filter((line) => line.includes('shard process started'))).toEqual([
      expect.stringMatching(/"cluster":0,"shardIds":\[0,1\],"processId":\d+/),
    ]);
  });
});
