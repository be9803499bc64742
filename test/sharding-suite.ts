import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../loopback/discord/snowflake.js';
import { DONE_BUT_UNSHOWN } from '../src/discord/finish-interaction.js';
import { planClusters } from '../src/discord/sharding.js';
import type { InteractionHandle } from '../loopback/discord/types.js';
import { freePort } from '../loopback/free-port.js';
import { startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { waitUntil } from '../loopback/wait-until.js';
import { button, WritersRoom } from '../loopback/writers-room.js';

const SHARDS = 4;
const GUILDS_PER_SHARD = 2;
const METRICS_TOKEN = 'shards-metrics-token-0123456789abcdef';
// A dead process's acknowledged interactions are taken over once their lease runs out: short here, 30 s by default.
const LEASE_MS = '2000';
const ADMIN_PERMISSIONS = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 38n) | (1n << 31n);

/** A port with the next `count - 1` free too: shard process N answers on HTTP_PORT + N. */
async function freePortRun(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  for (;;) {
    const base = await freePort();
    if (base + count > 65_535) continue;
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => free(base + i + 1)));
    if (rest.every(Boolean)) return base;
  }
}

/**
 * The bot's four gateway shards, `shardsPerProcess` to a process under the bot's manager, through
 * discord.js against the loopback Discord: each server answered by the process holding its shard, a
 * process SIGKILLed with clicks in flight started again without losing an acknowledged click.
 */
export function describeShards(name: string, shardsPerProcess: number): void {
  const clusters = planClusters(SHARDS, shardsPerProcess);
  const clusterOf = (shard: number) => clusters.find((c) => c.shardIds.includes(shard))?.id ?? -1;

  describe(name, () => {
    let h: StoryroomHarness;
    let bot: StoryroomProcess;
    let httpPort: number;
    /** Per shard, the servers on it, each with a story, a chapter and its thread. */
    const places: { shard: number; room: WritersRoom; guildId: string; threadId: string }[] = [];

    beforeAll(async () => {
      // max_concurrency 2: shards 0 and 2 share a bucket, 1 and 3 the other; each bucket identifies once per 5 s.
      h = await startStoryroom(`shards${shardsPerProcess}`, { bot: false, worker: false, discord: { shards: SHARDS, maxConcurrency: 2 } });
      httpPort = await freePortRun(clusters.length);
      bot = startStoryroomProcess('bot', {
        ...process.env,
        ...h.env,
        LOG_LEVEL: 'info',
        SHARDS_PER_PROCESS: String(shardsPerProcess),
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

    const ops = (cluster: number, path: string) =>
      fetch(
        `http://127.0.0.1:${httpPort + cluster}${path}`,
        path === '/metrics' ? { headers: { authorization: `Bearer ${METRICS_TOKEN}` } } : {},
      );

    /** This process's count of interactions of a kind handled with outcome ok, read from its own /metrics. */
    async function handledBy(cluster: number, kind: 'command' | 'button'): Promise<number> {
      const text = await (await ops(cluster, '/metrics')).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('storyroom_interactions_total{') && l.includes(`kind="${kind}"`) && l.includes('outcome="ok"'));
      if (!line) return 0;
      expect(line).toContain(`shard="${clusters[cluster]?.shardIds.join(',')}"`);
      return Number(line.split(' ').at(-1));
    }

    /** The id of the latest process the manager started for this shard process. */
    const processIdOf = (cluster: number) =>
      Number(
        bot.lines
          .map((line) => new RegExp(`"cluster":${cluster},"shardIds":\\[[\\d,]+\\],"processId":(\\d+)`).exec(line)?.[1])
          .filter(Boolean)
          .at(-1),
      );

    it('starts one process per group of shards; identifies in buckets of max_concurrency, 5 s apart, counted against session_start_limit', async () => {
      expect(new Set(clusters.map((c) => processIdOf(c.id))).size).toBe(clusters.length);
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

    it("answers every server's commands and clicks once, each in the process that holds the server's shard, with each process's own ops endpoints", async () => {
      const byShard = new Map<number, number>();
      while ([...Array(SHARDS).keys()].some((shard) => (byShard.get(shard) ?? 0) < GUILDS_PER_SHARD)) {
        const guild = h.discord.createGuild({ name: 'Sharded' });
        const shard = shardOf(guild.id, SHARDS);
        if ((byShard.get(shard) ?? 0) >= GUILDS_PER_SHARD) continue;
        byShard.set(shard, (byShard.get(shard) ?? 0) + 1);
        const channel = h.discord.createChannel(guild.id, { name: 'story' });
        h.discord.addMember(guild.id, h.adminId, { permissions: ADMIN_PERMISSIONS });
        const room = new WritersRoom({ discord: h.discord, guildId: guild.id, storyChannelId: channel.id, adminId: h.adminId });
        places.push({ shard, room, guildId: guild.id, threadId: '' });
      }
      // Every server at once: two commands and a click each.
      await Promise.all(
        places.map(async (place, i) => {
          await place.room.setupStory(`Story ${i} on shard ${place.shard}`);
          place.threadId = await place.room.openChapter(`Chapter ${i}`);
          const joined = await place.room.join(place.threadId, place.room.newMember('writer'));
          expect(joined.kind).toBe('update');
        }),
      );
      const stories = await h.database.db.selectFrom('stories').select(['guild_id', 'title']).execute();
      expect(stories).toHaveLength(places.length);
      for (const place of places) expect(stories.filter((s) => s.guild_id === place.guildId)).toHaveLength(1);
      expect(await h.database.db.selectFrom('chapter_members').select('user_id').where('role', '=', 'writer').execute()).toHaveLength(
        places.length,
      );
      for (const { id, shardIds } of clusters) {
        expect((await ops(id, '/readyz')).status).toBe(200);
        expect(await handledBy(id, 'command')).toBe(2 * GUILDS_PER_SHARD * shardIds.length);
        expect(await handledBy(id, 'button')).toBe(GUILDS_PER_SHARD * shardIds.length);
      }
    }, 60_000);

    it('a shard process SIGKILLed with clicks in flight is started again, and every acknowledged click is answered once', async () => {
      // The process holding shard 1, with clicks in flight on a server of each of its shards.
      const victim = clusterOf(1);
      const targets = clusters[victim]?.shardIds.map((shard) => places.find((p) => p.shard === shard)) ?? [];
      const clicks: { place: (typeof places)[number]; userId: string; click: InteractionHandle }[] = [];
      // Each click is acknowledged (Discord has the deferral) and the process dies before it hears back.
      const held = targets.flatMap(() =>
        ['ana', 'ben', 'cai'].map(() => h.discord.holdNext({ route: '/interactions/:id/:token/callback' })),
      );
      for (const place of targets) {
        if (!place) throw new Error('a server on each shard expected');
        const card = place.room.chapterCard(place.threadId);
        for (const name of ['ana', 'ben', 'cai']) {
          const userId = place.room.newMember(name);
          const click = h.discord.clickButton({
            guildId: place.guildId,
            channelId: place.threadId,
            userId,
            messageId: card.id,
            customId: button(card, 'Join').custom_id ?? '',
          });
          clicks.push({ place, userId, click });
        }
      }
      await Promise.all(held.map((hold) => hold.arrived));
      await Promise.all(clicks.map(({ click }) => click.acknowledged));
      const ids = clicks.map(({ click }) => click.id);
      const receipts = (completed: boolean) => {
        const query = h.database.db.selectFrom('interaction_receipts').select('interaction_id').where('interaction_id', 'in', ids);
        return (completed ? query.where('completed_at', 'is not', null) : query).execute();
      };
      await waitUntil(async () => (await receipts(false)).length === ids.length, 'the receipts of the acknowledged clicks');
      const killed = processIdOf(victim);
      process.kill(killed, 'SIGKILL');
      for (const hold of held) hold.release();

      // Started again: a new process identifies its shards (each in its bucket's turn) and answers its own /readyz.
      const shardsKilled = clusters[victim]?.shardIds.length ?? 0;
      await waitUntil(
        () => processIdOf(victim) !== killed && h.discord.identifies().length === SHARDS + shardsKilled,
        'the shards of the killed process identified again',
        60_000,
      );
      await waitUntil(async () => (await ops(victim, '/readyz').catch(() => null))?.status === 200, 'the process ready again', 30_000);
      expect(h.discord.connectedShards()).toBe(SHARDS);
      expect(h.discord.identifies().filter((i) => i.tooSoon)).toEqual([]);

      const answers = await Promise.all(clicks.map(({ click }) => click.response({ timeoutMs: 30_000 })));
      // Each click answered once: by its update (kept, or run again), or, when the join committed before the
      // kill and its reply was not kept yet, by saying privately that it went through.
      for (const answer of answers) {
        if (answer.kind !== 'update') expect(answer).toMatchObject({ kind: 'reply', ephemeral: true, content: DONE_BUT_UNSHOWN });
      }
      const members = clicks.map(({ userId }) => userId);
      const writers = await h.database.db.selectFrom('chapter_members').select('user_id').where('user_id', 'in', members).execute();
      expect(writers.map((w) => w.user_id).sort()).toEqual([...members].sort());
      await waitUntil(async () => (await receipts(true)).length === ids.length, 'every click finished');
      // The started-again process answers its servers' commands, on each of its shards.
      for (const place of targets) expect(await place?.room.openChapter('After the kill')).toBeTruthy();
      expect(h.discord.violations).toEqual([]);
    }, 120_000);
  });
}
