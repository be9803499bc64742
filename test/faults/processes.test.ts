import { afterEach, describe, expect, it } from 'vitest';
import { BESIDE_THE_SUITE, startStoryroomProcess, type StoryroomProcess } from '../../loopback/processes.js';
import { buttonsOf, embedText, WritersRoom } from '../../loopback/writers-room.js';
import { deleteQueueKeys } from '../../src/queue/redis.js';
import { startStoryroom, type HarnessOptions, type StoryroomHarness } from '../../loopback/stack.js';
import { REDIS_URL } from '../../loopback/local-redis.js';

const SCRIPT = { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'Still here.' }] }] };

describe('processes failing and restarting', () => {
  let h: StoryroomHarness | null = null;
  const children: StoryroomProcess[] = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop('SIGKILL')));
    await h?.close();
    h = null;
  });

  /** A harness with a story room and a chapter; with `bot: false` the test's child bot is started first. */
  async function setUp(label: string, options: HarnessOptions, startChildBot = false) {
    h = await startStoryroom(label, options);
    const harness = h;
    harness.model.setResponder((request) => (request.responseFormatName ? { json: SCRIPT } : { content: 'The forge remembers.' }));
    let bot: StoryroomProcess | null = null;
    if (startChildBot) {
      bot = spawn('bot', harness.env);
      await bot.waitForLine(/bot ready/);
      await harness.discord.waitForBotConnection();
    }
    const room = new WritersRoom(harness);
    await room.setupStory();
    const threadId = await room.openChapter('Restarts');
    return { h: harness, room, threadId, bot };
  }

  function spawn(name: 'bot' | 'worker', env: Record<string, string>): StoryroomProcess {
    const child = startStoryroomProcess(name, { ...process.env, ...env, ...BESIDE_THE_SUITE, LOG_LEVEL: 'info' });
    children.push(child);
    return child;
  }

  async function pageState(harness: StoryroomHarness) {
    return harness.database.db.selectFrom('story_pages').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  }

  it('a worker killed mid-generation: the job runs again on another worker, one revision and one draft message result', async () => {
    const { h, room, threadId } = await setUp('workerkill', { worker: false, env: { WORKER_LOCK_MS: '1500' } });
    h.model.enqueue({ content: 'Never finished.', chunks: ['Never ', 'finished.'], chunkDelayMs: 20_000 });
    const first = spawn('worker', h.env);
    await first.waitForLine(/worker started/);
    await room.startPage(threadId, h.adminId, 'The worker dies here').response();
    await h.model.waitForRequests(1, 15_000);
    await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => embedText(m).includes('Page 1 · Narration v1')), {
      description: 'the draft being written',
    });
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');

    const second = spawn('worker', h.env);
    await second.waitForLine(/worker started/);
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    expect(embedText(draft)).toContain('The forge remembers.');
    const revisions = await h.database.db.selectFrom('page_revisions').select('version').execute();
    expect(revisions).toEqual([{ version: 1 }]);
    expect(h.discord.messages(threadId).filter((m) => embedText(m).includes('Page 1 · Narration v1'))).toHaveLength(1);
  });

  it('SIGTERM: the worker finishes its active draft and exits 0; the bot exits 0', async () => {
    const { h, room, threadId, bot } = await setUp('sigterm', { worker: false, bot: false }, true);
    const worker = spawn('worker', h.env);
    await worker.waitForLine(/worker started/);
    if (!bot) throw new Error('child bot expected');
    h.model.enqueue({ content: 'Finished before leaving.', chunks: ['Finished ', 'before ', 'leaving.'], chunkDelayMs: 400 });
    await room.startPage(threadId, h.adminId, 'Shut down gently').response();
    await h.model.waitForRequests(1, 15_000);
    const [workerExit, botExit] = await Promise.all([worker.stop('SIGTERM'), bot.stop('SIGTERM')]);
    expect(workerExit).toBe(0);
    expect(botExit).toBe(0);
    expect((await pageState(h)).state).toBe('user_reviewing_narration');
    expect(
      h.discord
        .messages(threadId)
        .some((m) => embedText(m).includes('Finished before leaving.') && buttonsOf(m).some((b) => b.label === 'Approve')),
    ).toBe(true);
  });

  it('a bot restarted while drafts are open: the old buttons keep working', async () => {
    const { h, room, threadId, bot } = await setUp('botrestart', { bot: false }, true);
    if (!bot) throw new Error('child bot expected');
    await room.startPage(threadId, h.adminId, 'Before the restart').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    expect(await bot.stop('SIGTERM')).toBe(0);

    const again = spawn('bot', h.env);
    await again.waitForLine(/bot ready/);
    await h.discord.waitForBotConnection();
    const clicked = await room.click(threadId, draft, h.adminId, 'Approve').response();
    expect(clicked.kind).toBe('update');
    await room.openDraft(threadId, 1, 'Dialogue', 1);
  });

  it('Redis gone for 20 s: clicks are kept, and the work resumes once Redis returns', async () => {
    const { h, room, threadId } = await setUp('redisdown', { proxy: true });
    await room.startPage(threadId, h.adminId, 'Before the outage').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    h.proxies?.redis.cut();
    const outageStarted = Date.now();
    const approved = await room.click(threadId, draft, h.adminId, 'Approve').response();
    expect(approved.kind).toBe('update');
    expect((await pageState(h)).state).toBe('generating_dialogue');
    const pending = await h.database.db.selectFrom('outbox').select('job_key').where('relayed_at', 'is', null).execute();
    expect(pending.map((p) => p.job_key)).toEqual([expect.stringMatching(/-dialogue-/)]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20_000 - (Date.now() - outageStarted))));
    h.proxies?.redis.restore();
    await room.openDraft(threadId, 1, 'Dialogue', 1);
  }, 90_000);

  it('Redis flushed with a job waiting: the sweeper finds the page and queues it again', async () => {
    const { h, room, threadId } = await setUp('redisflush', { worker: false, env: { STUCK_PAGE_SECONDS: '2' } });
    await room.startPage(threadId, h.adminId, 'The queue forgets').response();
    const relayed = async () => (await h.database.db.selectFrom('outbox').select('relayed_at').executeTakeFirst())?.relayed_at;
    for (let i = 0; i < 100 && !(await relayed()); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    await deleteQueueKeys(REDIS_URL, h.config.redis.prefix);
    const worker = spawn('worker', h.env);
    await worker.waitForLine(/worker started/);
    await worker.waitForLine(/sweeper: generating page had no live job/, 20_000);
    await room.openDraft(threadId, 1, 'Narration', 1);
  }, 60_000);

  it('Postgres restarted: an interaction during the outage is told so privately; afterwards both processes carry on', async () => {
    const { h, room, threadId } = await setUp('pgrestart', { proxy: true });
    h.proxies?.postgres.cut();
    const during = await room.startPage(threadId, h.adminId, 'During the outage').response();
    expect(during.ephemeral).toBe(true);
    expect(during.content).toMatch(/story database cannot be reached/);
    h.proxies?.postgres.restore();
    const after = await room.startPage(threadId, h.adminId, 'After the outage').response();
    expect(after.ephemeral).toBe(false);
    await room.openDraft(threadId, 1, 'Narration', 1);
  });
});
