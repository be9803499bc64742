import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../loopback/discord/snowflake.js';
import { DONE_BUT_UNSHOWN } from '../src/discord/finish-interaction.js';
import type { InteractionHandle } from '../loopback/discord/types.js';
import { freePort } from '../loopback/free-port.js';
import { startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { waitUntil } from '../loopback/wait-until.js';
import { button, WritersRoom } from '../loopback/writers-room.js';

const SHARDS = 4;
const GUILDS_PER_SHARD = 2;
const METRICS_TOKEN = 'shards-metrics-token-0123456789abcdef';
// A dead shard's acknowledged interactions are taken over once their lease runs out: short here, 30 s by default.
const LEASE_MS = '2000';
const ADMIN_PERMISSIONS = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 38n) | (1n << 31n);

/** A port with the next SHARDS - 1 free too: shard N answers on HTTP_PORT + N. */
async function freePortRun(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  for (;;) {
    const base = await freePort();
    if (base + SHARDS > 65_535) continue;
    const rest = await Promise.all(Array.from({ length: SHARDS - 1 }, (_, i) => free(base + i + 1)));
    if (rest.every(Boolean)) return base;
  }
}

/** The bot's gateway shards, one process each under the ShardingManager, through discord.js against the loopback Discord. */
describe('four shards', () => {
  let h: StoryroomHarness;
  let bot: StoryroomProcess;
  let httpPort: number;
  /** Per shard, the servers on it, each with a story, a chapter and its thread. */
  const places: { shard: number; room: WritersRoom; guildId: string; threadId: string; writerId: string }[] = [];

  beforeAll(async () => {
    // max_concurrency 2: shards 0 and 2 share a bucket, 1 and 3 the other; each bucket identifies once per 5 s.
    h = await startStoryroom('shards', { bot: false, worker: false, discord: { shards: SHARDS, maxConcurrency: 2 } });
    httpPort = await freePortRun();
    bot = startStoryroomProcess('bot', {
      ...process.env,
      ...h.env,
      LOG_LEVEL: 'info',
      INTERACTION_LEASE_MS: LEASE_MS,
      HTTP_PORT: String(httpPort),
      METRICS_TOKEN,
    });
    await bot.waitForLine(/all shards ready/, 120_000);
  }, 150_000);
  afterAll(async () => {
    expect(await bot?.stop('SIGTERM')).toBe(0);
    await h?.close();
  });

  const ops = (shard: number, path: string) =>
    fetch(
      `http://127.0.0.1:${httpPort + shard}${path}`,
      path === '/metrics' ? { headers: { authorization: `Bearer ${METRICS_TOKEN}` } } : {},
    );

  /** This shard's count of interactions of a kind handled with outcome ok, read from its own /metrics. */
  async function handledBy(shard: number, kind: 'command' | 'button'): Promise<number> {
    const text = await (await ops(shard, '/metrics')).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('storyroom_interactions_total{') && l.includes(`kind="${kind}"`) && l.includes('outcome="ok"'));
    if (!line) return 0;
    expect(line).toContain(`shard="${shard}"`);
    return Number(line.split(' ').at(-1));
  }

  it('identifies in buckets of max_concurrency, 5 s apart, and counts them against session_start_limit', async () => {
    expect(h.discord.connectedShards()).toBe(SHARDS);
    const identifies = h.discord.identifies();
    expect(identifies.map((i) => i.shard[0]).sort()).toEqual([0, 1, 2, 3]);
    expect(identifies.filter((i) => i.tooSoon)).toEqual([]);
    for (const bucket of [0, 1]) {
      const times = identifies.filter((i) => i.shard[0] % 2 === bucket).map((i) => i.at);
      expect(Math.abs((times[1] as number) - (times[0] as number))).toBeGreaterThanOrEqual(5_000);
    }
    const gateway = (await (
      await fetch(`${h.discord.apiUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${h.discord.token}` } })
    ).json()) as { session_start_limit: { remaining: number; total: number; max_concurrency: number } };
    expect(gateway.session_start_limit).toMatchObject({ total: 1000, remaining: 1000 - SHARDS, max_concurrency: 2 });
  });

  it("answers every server's commands and clicks once, each on the shard that holds the server, with each shard's own ops endpoints", async () => {
    const byShard = new Map<number, number>();
    while ([...Array(SHARDS).keys()].some((shard) => (byShard.get(shard) ?? 0) < GUILDS_PER_SHARD)) {
      const guild = h.discord.createGuild({ name: 'Sharded' });
      const shard = shardOf(guild.id, SHARDS);
      if ((byShard.get(shard) ?? 0) >= GUILDS_PER_SHARD) continue;
      byShard.set(shard, (byShard.get(shard) ?? 0) + 1);
      const channel = h.discord.createChannel(guild.id, { name: 'story' });
      h.discord.addMember(guild.id, h.adminId, { permissions: ADMIN_PERMISSIONS });
      const room = new WritersRoom({ discord: h.discord, guildId: guild.id, storyChannelId: channel.id, adminId: h.adminId });
      places.push({ shard, room, guildId: guild.id, threadId: '', writerId: room.newMember('writer') });
    }
    // Every server at once: two commands and a click each.
    await Promise.all(
      places.map(async (place, i) => {
        await place.room.setupStory(`Story ${i} on shard ${place.shard}`);
        place.threadId = await place.room.openChapter(`Chapter ${i}`);
        const joined = await place.room.join(place.threadId, place.writerId);
        expect(joined.kind).toBe('update');
      }),
    );
    const stories = await h.database.db.selectFrom('stories').select(['guild_id', 'title']).execute();
    expect(stories).toHaveLength(places.length);
    for (const place of places) expect(stories.filter((s) => s.guild_id === place.guildId)).toHaveLength(1);
    expect(await h.database.db.selectFrom('chapter_members').select('user_id').where('role', '=', 'writer').execute()).toHaveLength(
      places.length,
    );
    for (let shard = 0; shard < SHARDS; shard += 1) {
      expect((await ops(shard, '/readyz')).status).toBe(200);
      expect(await handledBy(shard, 'command')).toBe(2 * GUILDS_PER_SHARD);
      expect(await handledBy(shard, 'button')).toBe(GUILDS_PER_SHARD);
    }
  }, 60_000);

  it('a shard process SIGKILLed with clicks in flight is started again, and every acknowledged click is answered once', async () => {
    const place = places.find((p) => p.shard === 1);
    if (!place) throw new Error('a server on shard 1 expected');
    const card = place.room.chapterCard(place.threadId);
    const members = ['ana', 'ben', 'cai', 'dee', 'eli'].map((name) => place.room.newMember(name));
    // Each click is acknowledged (Discord has the deferral) and the shard dies before it hears back.
    const held = members.map(() => h.discord.holdNext({ route: '/interactions/:id/:token/callback' }));
    const clicks: InteractionHandle[] = members.map((userId) =>
      h.discord.clickButton({
        guildId: place.guildId,
        channelId: place.threadId,
        userId,
        messageId: card.id,
        customId: button(card, 'Join').custom_id ?? '',
      }),
    );
    await Promise.all(held.map((hold) => hold.arrived));
    await Promise.all(clicks.map((click) => click.acknowledged));
    const ids = clicks.map((click) => click.id);
    await waitUntil(
      async () =>
        (await h.database.db.selectFrom('interaction_receipts').select('interaction_id').where('interaction_id', 'in', ids).execute())
          .length === ids.length,
      'the receipts of the acknowledged clicks',
    );
    const shardPid = () =>
      bot.lines
        .map((line) => /"shardId":1,"processId":(\d+)/.exec(line)?.[1])
        .filter(Boolean)
        .at(-1);
    const killed = Number(shardPid());
    process.kill(killed, 'SIGKILL');
    for (const hold of held) hold.release();

    // Started again: a new process identifies shard 1 (in its bucket's turn) and the shard answers its own /readyz.
    await waitUntil(
      () => Number(shardPid()) !== killed && h.discord.identifies().length === SHARDS + 1,
      'shard 1 identified again',
      60_000,
    );
    await waitUntil(async () => (await ops(1, '/readyz').catch(() => null))?.status === 200, 'shard 1 ready again', 30_000);
    expect(h.discord.connectedShards()).toBe(SHARDS);
    expect(h.discord.identifies().filter((i) => i.tooSoon)).toEqual([]);

    const answers = await Promise.all(clicks.map((click) => click.response({ timeoutMs: 30_000 })));
    // Each click answered once: by its update (kept, or run again), or, when the join committed before the
    // kill and its reply was not kept yet, by saying privately that it went through.
    for (const answer of answers) {
      if (answer.kind !== 'update') expect(answer).toMatchObject({ kind: 'reply', ephemeral: true, content: DONE_BUT_UNSHOWN });
    }
    const writers = await h.database.db.selectFrom('chapter_members').select('user_id').where('user_id', 'in', members).execute();
    expect(writers.map((w) => w.user_id).sort()).toEqual([...members].sort());
    const receipts = await h.database.db
      .selectFrom('interaction_receipts')
      .select('completed_at')
      .where('interaction_id', 'in', ids)
      .execute();
    await waitUntil(
      async () =>
        (
          await h.database.db
            .selectFrom('interaction_receipts')
            .select('completed_at')
            .where('interaction_id', 'in', ids)
            .where('completed_at', 'is not', null)
            .execute()
        ).length === ids.length,
      'every click finished',
    );
    expect(receipts).toHaveLength(ids.length);
    // The respawned shard answers its server's commands.
    const next = await place.room.openChapter('After the kill');
    expect(next).toBeTruthy();
    expect(h.discord.violations).toEqual([]);
  }, 120_000);
});
