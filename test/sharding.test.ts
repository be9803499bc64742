import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../loopback/discord/snowflake.js';
import { startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';

describe('sharding', () => {
  let h: StoryroomHarness;
  let bot: StoryroomProcess;

  beforeAll(async () => {
    h = await startStoryroom('sharding', { bot: false, worker: false, discord: { shards: 2 } });
    bot = startStoryroomProcess('bot', { ...process.env, ...h.env, LOG_LEVEL: 'info' });
    await bot.waitForLine(/all shards ready/, 60_000);
  }, 90_000);
  afterAll(async () => {
    expect(await bot?.stop('SIGTERM')).toBe(0);
    await h?.close();
  });

  it('runs one process per shard when the gateway recommends two, and each answers its own guilds', async () => {
    expect(h.discord.connectedShards()).toBe(2);
    // Guild ids decide the shard: make sure there is a guild on each.
    const guilds: Record<number, { guildId: string; channelId: string }> = {};
    while (guilds[0] === undefined || guilds[1] === undefined) {
      const guild = h.discord.createGuild({ name: 'Sharded' });
      const channel = h.discord.createChannel(guild.id, { name: 'story' });
      h.discord.addMember(guild.id, h.adminId, { permissions: (1n << 5n) | (1n << 10n) | (1n << 11n) });
      guilds[shardOf(guild.id, 2)] ??= { guildId: guild.id, channelId: channel.id };
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    for (const shard of [0, 1]) {
      const target = guilds[shard];
      if (!target) throw new Error('guild expected');
      const response = await h.discord
        .slashCommand({
          guildId: target.guildId,
          channelId: target.channelId,
          userId: h.adminId,
          name: 'story',
          subcommand: 'setup',
          options: { title: `Shard ${shard}` },
        })
        .response({ timeoutMs: 15_000 });
      expect(response.content).toContain(`Shard ${shard}`);
    }
    const stories = await h.database.db.selectFrom('stories').select('title').orderBy('title').execute();
    expect(stories.map((s) => s.title)).toEqual(['Shard 0', 'Shard 1']);
    const shardNames = new Set(bot.lines.map((line) => /"name":"(bot-shard-[^"]+)"/.exec(line)?.[1]).filter(Boolean));
    expect([...shardNames].sort()).toEqual(['bot-shard-0', 'bot-shard-1']);
  });
});
