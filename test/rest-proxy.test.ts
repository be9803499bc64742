import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.js';
import { createDatabase, type Db } from '../src/db/connection.js';
import { GLOBAL_REMAINING_HEADER, startRestProxy } from '../src/discord/rest-proxy.js';
import { createLogger } from '../src/logger.js';
import { createWorkerDeps } from '../src/worker/deps.js';
import type { DiscordMessages } from '../src/worker/discord-messages.js';
import { NO_MENTIONS } from '../src/views/message-parts.js';
import { DiscordEmulator } from '../loopback/discord/emulator.js';

const WORKERS = 4;
const CONCURRENCY = 16;
const DRAFTS_PER_SLOT = 3;
const logger = createLogger({ level: 'silent', name: 'rest-proxy-test' });

/**
 * Discord's global limit is 50 requests a second per bot, whichever process sends them. Four workers
 * build their REST clients as the worker does (createWorkerDeps) and post drafts at concurrency 16 at
 * once, straight to the loopback Discord and then through the REST proxy.
 */
describe('one REST limit for the whole bot', () => {
  // The workers' kernels take a database; posting a message never reads it (a pool that never connects).
  const db: Db = createDatabase('postgres://127.0.0.1:5432/never-connected');
  const closing: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closing.reverse()) await close();
    await db.destroy();
  });

  /** A loopback Discord of its own (its global window unused), a server with a channel per slot, and the REST proxy in front. */
  async function setUp() {
    const discord = await DiscordEmulator.start();
    closing.push(() => discord.close());
    const guild = discord.createGuild({ name: 'Busy' });
    const channels = Array.from({ length: CONCURRENCY }, (_, i) => discord.createChannel(guild.id, { name: `chapter-${i}` }).id);
    const proxy = await startRestProxy({ upstream: discord.apiUrl, port: 0, host: '127.0.0.1' }, logger);
    closing.push(() => proxy.close());
    return { discord, guildId: guild.id, channels, proxy };
  }

  function workers(discord: DiscordEmulator, extra: Record<string, string>): DiscordMessages[] {
    const config = parseConfig({
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_URL: 'postgres://127.0.0.1:5432/never-connected',
      WORKER_CONCURRENCY: String(CONCURRENCY),
      ...extra,
    });
    return Array.from({ length: WORKERS }, () => createWorkerDeps(config, db, logger).messages);
  }

  /** Every worker's every slot posts its drafts one after another, all slots at once. */
  async function postDrafts(discord: DiscordEmulator, channels: string[], all: DiscordMessages[]) {
    await Promise.all(
      all.flatMap((messages, worker) =>
        channels.map(async (channel, slot) => {
          for (let draft = 0; draft < DRAFTS_PER_SLOT; draft += 1)
            await messages.post(channel, {
              content: `Worker ${worker}, slot ${slot}: page ${draft + 1} · Narration v1`,
              embeds: [],
              components: [],
              allowed_mentions: NO_MENTIONS,
            });
        }),
      ),
    );
    const posted = channels.reduce((sum, channel) => sum + discord.messages(channel).length, 0);
    return { globalRateLimited: discord.restLimitCounts().globalRateLimited, posted };
  }

  const total = WORKERS * CONCURRENCY * DRAFTS_PER_SLOT;

  it('straight to Discord, each worker counts alone and together they run into the global limit', async () => {
    const { discord, channels } = await setUp();
    const result = await postDrafts(discord, channels, workers(discord, {}));
    expect(result.posted).toBe(total);
    expect(result.globalRateLimited).toBeGreaterThan(0);
  }, 60_000);

  it('through the REST proxy, four workers at concurrency 16 posting at once get no global 429', async () => {
    const { discord, channels, proxy } = await setUp();
    const result = await postDrafts(discord, channels, workers(discord, { DISCORD_REST_PROXY_URL: proxy.url }));
    expect(result).toEqual({ posted: total, globalRateLimited: 0 });
    expect(discord.calls.filter((call) => call.status === 429)).toEqual([]);
    expect(discord.violations).toEqual([]);
  }, 60_000);

  it('passes interaction responses on at once while the global limit is spent, and tells clients what is left of it', async () => {
    const { discord, guildId, channels, proxy } = await setUp();
    const memberId = discord.createUser({ username: 'writer' }).id;
    discord.addMember(guildId, memberId);
    const base = `${proxy.url}/api/v10`;
    const auth = { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' };
    const idle = await fetch(`${base}/users/@me`, { headers: auth });
    expect(idle.status).toBe(200);
    expect(Number(idle.headers.get(GLOBAL_REMAINING_HEADER))).toBe(45);
    // 60 posts at once: 45 spend the proxy's window (its margin under Discord's 50), the rest queue behind it.
    const posts = Array.from({ length: 60 }, (_, i) =>
      fetch(`${base}/channels/${channels[i % CONCURRENCY]}/messages`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ content: `p${i}` }),
      }),
    );
    const sentPosts = () => discord.calls.filter((c) => c.route === '/channels/:id/messages' && c.method === 'POST').length;
    await discord.waitFor(() => sentPosts() >= 44, { description: 'the window spent' });
    const interaction = discord.slashCommand({
      guildId,
      channelId: channels[0] ?? '',
      userId: memberId,
      name: 'story',
      subcommand: 'setup',
    });
    const callback = await fetch(`${base}/interactions/${interaction.id}/${interaction.token}/callback`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 5 }),
    });
    expect(callback.ok).toBe(true);
    expect(Number(callback.headers.get(GLOBAL_REMAINING_HEADER))).toBeLessThan(45);
    // The acknowledgement overtook the posts still queued.
    expect(sentPosts()).toBeLessThan(60);
    expect((await Promise.all(posts)).map((r) => r.status)).toEqual(posts.map(() => 200));
    expect(discord.restLimitCounts().globalRateLimited).toBe(0);
  }, 30_000);

  it("keeps under Discord's limit in every second, also when a lightly used second ends in a burst", async () => {
    const { discord, channels, proxy } = await setUp();
    const base = `${proxy.url}/api/v10`;
    const auth = { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' };
    const post = (i: number) =>
      fetch(`${base}/channels/${channels[i % CONCURRENCY]}/messages`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ content: `p${i}` }),
      });
    // One request opens a second; the burst comes once Discord's window of that request has closed (the
    // loopback's close after 800 ms) but before the second's end: a client counting its own one-second
    // windows sends the rest of the first and the whole next one into one of Discord's windows.
    expect((await post(0)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 880));
    const statuses = (await Promise.all(Array.from({ length: 100 }, (_, i) => post(i + 1)))).map((r) => r.status);
    expect(statuses).toEqual(statuses.map(() => 200));
    expect(discord.restLimitCounts().globalRateLimited).toBe(0);
  }, 30_000);
});
