import { ButtonStyle, Client, Events, GatewayIntentBits } from 'discord.js';
import { DiscordEmulator } from '../loopback/discord/emulator.js';
import { startStoryroom } from '../loopback/stack.js';
import { openDrafts } from './fixtures.js';
import { row, sleep, summarize, type BenchRow } from './stats.js';

const LEVELS = [1, 10, 100];
const ROUNDS: Record<number, number> = { 1: 60, 10: 12, 100: 8 };

/** Posts a message carrying a button, as the bot would have, for clicks to land on (waiting out the global REST limit). */
export async function carrier(discord: DiscordEmulator, channelId: string): Promise<string> {
  for (;;) {
    const response = await fetch(`${discord.apiUrl}/v10/channels/${channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        content: 'draft',
        components: [{ type: 1, components: [{ type: 2, style: ButtonStyle.Primary, custom_id: 'x', label: 'Approve' }] }],
      }),
    });
    const body = (await response.json()) as { id: string; retry_after?: number };
    if (response.status !== 429) return body.id;
    await sleep((body.retry_after ?? 1) * 1000);
  }
}

/** One round of `level` clicks at once; the milliseconds from each dispatch to its acknowledgement. */
async function clickRound(
  discord: DiscordEmulator,
  targets: { guildId: string; channelId: string; messageId: string; userId: string; customId: string }[],
  level: number,
  waitForAnswer: boolean,
): Promise<number[]> {
  const handles = targets.slice(0, level).map((t) => discord.clickButton(t));
  const acks = await Promise.all(handles.map((h) => h.acknowledged));
  // storyroom answers by updating the message; the bare client only acknowledges.
  if (waitForAnswer) await Promise.all(handles.map((h) => h.response().catch(() => undefined)));
  return acks.map((ack) => ack.afterMs);
}

/** Gateway dispatch → interaction callback received, for storyroom's router and for a bare client. */
export async function benchAckLatency(): Promise<BenchRow[]> {
  const h = await startStoryroom('benchack', { worker: false });
  const bare = await DiscordEmulator.start();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: bare.apiUrl }, waitGuildTimeout: 200 });
  try {
    const db = h.database.db;
    const story = await db
      .insertInto('stories')
      .values({ guild_id: h.guildId, channel_id: h.storyChannelId, title: 'Bench', created_by: h.adminId, quorum: 'all' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const users = Array.from({ length: 100 }, (_, i) => {
      const user = h.discord.createUser({ username: `voter${i}` });
      h.discord.addMember(h.guildId, user.id);
      return user.id;
    });
    const channels = Array.from({ length: 100 }, () => h.discord.createChannel(h.guildId, { name: 'draft' }).id);
    // Every click is a real vote on its own open draft (quorum "all" keeps them open).
    const drafts = await openDrafts(db, {
      guildId: h.guildId,
      storyId: story.id,
      threadIds: channels,
      writers: [...users, 'absent-writer'],
    });
    const targets = await Promise.all(
      drafts.map(async (d, i) => ({
        guildId: h.guildId,
        channelId: d.threadId,
        messageId: await carrier(h.discord, d.threadId),
        userId: users[i] as string,
        customId: `sr1:approve:${d.pageId}:${d.revisionId}`,
      })),
    );

    const bareGuild = bare.createGuild().id;
    const bareUsers = Array.from({ length: 100 }, (_, i) => {
      const user = bare.createUser({ username: `bare${i}` });
      bare.addMember(bareGuild, user.id);
      return user.id;
    });
    const bareChannels = Array.from({ length: 100 }, () => bare.createChannel(bareGuild).id);
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isButton()) void interaction.deferUpdate().catch(() => undefined);
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(bare.token);
    await ready;
    const bareTargets = await Promise.all(
      bareChannels.map(async (channelId, i) => ({
        guildId: bareGuild,
        channelId,
        messageId: await carrier(bare, channelId),
        userId: bareUsers[i] as string,
        customId: 'x',
      })),
    );

    const rows: BenchRow[] = [];
    for (const level of LEVELS) {
      const baseline: number[] = [];
      const ours: number[] = [];
      // Rounds alternate, so a slow spell of a busy machine falls on both sides of the ratio.
      for (let round = 0; round < (ROUNDS[level] ?? 1); round += 1) {
        baseline.push(...(await clickRound(bare, bareTargets, level, false)));
        ours.push(...(await clickRound(h.discord, targets, level, true)));
      }
      rows.push(
        row(
          `ack latency, ${level} concurrent click${level === 1 ? '' : 's'}`,
          'ms',
          summarize(ours),
          { name: 'bare discord.js deferUpdate', value: summarize(baseline) },
          '< 2× bare',
        ),
      );
    }
    const votes = await db
      .selectFrom('votes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(votes.n) !== 100) throw new Error(`expected 100 distinct votes, found ${String(votes.n)}`);
    return rows;
  } finally {
    await client.destroy();
    await bare.close();
    await h.close();
  }
}
