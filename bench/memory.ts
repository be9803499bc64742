import { startStoryroomProcess } from '../loopback/processes.js';
import { startStoryroom } from '../loopback/stack.js';
import { openDrafts } from './fixtures.js';
import { bareNode, rssMiB } from './processes.js';
import { row, sleep, summarize, type BenchRow } from './stats.js';

async function sample(pids: (number | undefined)[], ms: number): Promise<number[][]> {
  const samples: number[][] = pids.map(() => []);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    pids.forEach((pid, i) => samples[i]?.push(rssMiB(pid)));
    await sleep(200);
  }
  return samples;
}

/** Resident memory of the bot and the worker processes, idle and while 40 co-writers keep voting. */
export async function benchMemory(): Promise<BenchRow[]> {
  const h = await startStoryroom('benchmem', { bot: false, worker: false });
  const env = { ...process.env, ...h.env, LOG_LEVEL: 'warn' };
  const bot = startStoryroomProcess('bot', env);
  const worker = startStoryroomProcess('worker', env);
  const bare = bareNode();
  try {
    await h.discord.waitForBotConnection({ timeoutMs: 60_000 });
    await sleep(2_000);
    const [botIdle, workerIdle, bareIdle] = await sample([bot.child.pid, worker.child.pid, bare.pid], 3_000);

    const db = h.database.db;
    const story = await db
      .insertInto('stories')
      .values({ guild_id: h.guildId, channel_id: h.storyChannelId, title: 'Mem', created_by: h.adminId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const users = Array.from({ length: 40 }, (_, i) => {
      const user = h.discord.createUser({ username: `mem${i}` });
      h.discord.addMember(h.guildId, user.id);
      return user.id;
    });
    const channels = Array.from({ length: 40 }, () => h.discord.createChannel(h.guildId).id);
    const drafts = await openDrafts(db, {
      guildId: h.guildId,
      storyId: story.id,
      threadIds: channels,
      writers: [...users, 'absent'],
      quorum: 'all',
    });
    const messages = await Promise.all(
      drafts.map(async (d) => {
        // Forty posts at once share the token's global limit with the bot's own calls: a 429 waits and tries again.
        for (;;) {
          const response = await fetch(`${h.discord.apiUrl}/v10/channels/${d.threadId}/messages`, {
            method: 'POST',
            headers: { authorization: `Bot ${h.discord.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ content: 'draft' }),
          });
          const body = (await response.json()) as { id: string; retry_after?: number };
          if (response.status !== 429) return body.id;
          await new Promise((resolve) => setTimeout(resolve, (body.retry_after ?? 1) * 1000));
        }
      }),
    );
    let loading = true;
    const load = (async () => {
      let round = 0;
      while (loading) {
        const handles = drafts.map((d, i) =>
          h.discord.clickButton({
            guildId: h.guildId,
            channelId: d.threadId,
            userId: users[(i + round) % users.length] as string,
            messageId: messages[i] as string,
            customId: `sr1:approve:${d.pageId}:${d.revisionId}`,
          }),
        );
        await Promise.all(handles.map((handle) => handle.response().catch(() => undefined)));
        round += 1;
      }
    })();
    const [botLoaded, workerLoaded] = await sample([bot.child.pid, worker.child.pid], 5_000);
    loading = false;
    await load;
    const bareRow = { name: 'bare node + tsx, idle', value: summarize(bareIdle ?? []) };
    return [
      row('bot RSS, idle', 'MiB', summarize(botIdle ?? []), bareRow, null),
      row('worker RSS, idle', 'MiB', summarize(workerIdle ?? []), bareRow, null),
      row('bot RSS, under vote load', 'MiB', summarize(botLoaded ?? []), bareRow, null, '40 co-writers clicking on 40 drafts'),
      row('worker RSS, under vote load', 'MiB', summarize(workerLoaded ?? []), bareRow, null),
    ];
  } finally {
    bare.kill('SIGKILL');
    await Promise.all([bot.stop('SIGTERM', 10_000), worker.stop('SIGTERM', 10_000)]);
    await h.close();
  }
}
