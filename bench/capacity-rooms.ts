import type { DiscordEmulator, InteractionHandle, StoredMessage } from '../loopback/discord/emulator.js';
import { shardOf } from '../loopback/discord/snowflake.js';
import type { Responder } from '../loopback/model/types.js';
import { ADMIN_PERMISSIONS, buttonsOf, embedText, WritersRoom } from '../loopback/writers-room.js';
import { now, sleep } from './stats.js';

// The capacity bench's servers: each an admin and two co-writers in a chapter of their own, writing a
// page as people would through the loopback Discord (a command, Revise forms, Approve clicks).

/** How long one step of a page may wait (its draft queued behind every other server's). */
const STEP_TIMEOUT_MS = 420_000;
/** How often a co-writer looks at the thread: often enough for page times in seconds, rarely enough for 200 servers. */
const LOOK_EVERY_MS = 200;

export interface CapacityServer {
  guildId: string;
  threadId: string;
  /** The admin (the chapter's owner) and the two who joined: three co-writers. */
  writers: [string, string, string];
  room: WritersRoom;
  /** Pages approved so far in the chapter; a page started and left unfinished stops the server (its chapter is busy). */
  approved: number;
  stuck: boolean;
}

export type AckKind = 'command' | 'form opened' | 'form sent' | 'approve';

/** What the co-writers saw of one page: every acknowledgement, and the time from the command to "Page N approved". */
export interface PageOutcome {
  acks: number[];
  /** The same acknowledgements by what was acknowledged: the command, a Revise click (its form), a form sent, an Approve click. */
  acksByKind: Record<AckKind, number[]>;
  /** Interactions never acknowledged within Discord's 3 s. */
  unacknowledged: number;
  pageMs: number | null;
  failure: string | null;
}

/** A narration of a page's usual length (streamed in edits) and a two-panel script for the dialogue. */
export const writePageReplies: Responder = (request) =>
  request.responseFormatName
    ? {
        json: {
          panels: [
            { panel: 1, caption: 'The harbour at dusk, rain on the slates.', lines: [{ speaker: 'Kai', line: 'The storm is early.' }] },
            { panel: 2, caption: null, lines: [{ speaker: 'Mira', line: 'Then we close the gates tonight.' }] },
          ],
        },
      }
    : {
        content:
          'The storm reached the harbour an hour before dusk. Rain ran off the slate roofs in sheets, and the fishing boats ' +
          'knocked against the quay like restless animals. Kai stood at the sea gate with the old key in his fist, ' +
          'counting the lanterns still lit along the wall. Mira came up the steps behind him, her coat soaked through, ' +
          'and said nothing for a long time. Below them the tide climbed the harbour stairs one by one.',
      };

/**
 * A guild id whose shard is `shard`: a snowflake's shard is its millisecond (modulo the shard count),
 * so the servers are spread over the shards as a real bot's are, not all on the shard of the moment.
 */
async function guildOnShard(discord: DiscordEmulator, name: string, shard: number, shards: number): Promise<{ id: string }> {
  for (;;) {
    while (Date.now() % shards !== shard) await new Promise((resolve) => setImmediate(resolve));
    const guild = discord.createGuild({ name });
    if (shardOf(guild.id, shards) === shard) return guild;
  }
}

/** A server with its story, a chapter and two co-writers who joined it (the bot is told of the server when it connects). */
export async function createServer(discord: DiscordEmulator, index: number, shards: number): Promise<CapacityServer> {
  const guild = await guildOnShard(discord, `capacity ${index}`, index % shards, shards);
  const channel = discord.createChannel(guild.id, { name: 'story' });
  const admin = discord.createUser({ username: `admin${index}` });
  discord.addMember(guild.id, admin.id, { permissions: ADMIN_PERMISSIONS });
  const room = new WritersRoom({ discord, guildId: guild.id, storyChannelId: channel.id, adminId: admin.id });
  return {
    guildId: guild.id,
    threadId: '',
    writers: [admin.id, room.newMember(`bea${index}`), room.newMember(`cy${index}`)],
    room,
    approved: 0,
    stuck: false,
  };
}

/** The story, the chapter and the joins: before any clock starts. */
export async function openChapter(server: CapacityServer, index: number): Promise<void> {
  await server.room.setupStory(`Capacity ${index}`);
  server.threadId = await server.room.openChapter(`Chapter ${index}`);
  for (const writer of server.writers.slice(1)) await server.room.join(server.threadId, writer);
}

async function until<T>(probe: () => T | undefined, description: string): Promise<T> {
  const deadline = now() + STEP_TIMEOUT_MS;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await sleep(LOOK_EVERY_MS);
  }
}

/**
 * A page as three co-writers write it, the round: one starts it, two send narration v1 back with
 * Revise (a form each), two approve v2, two approve the dialogue; "Page N approved" ends it.
 */
export async function writePage(discord: DiscordEmulator, server: CapacityServer): Promise<PageOutcome> {
  const outcome: PageOutcome = {
    acks: [],
    acksByKind: { command: [], 'form opened': [], 'form sent': [], approve: [] },
    unacknowledged: 0,
    pageMs: null,
    failure: null,
  };
  const pending: Promise<void>[] = [];
  const track = (handle: InteractionHandle, kind: AckKind): InteractionHandle => {
    pending.push(
      handle.acknowledged.then(
        (ack) => {
          outcome.acks.push(ack.afterMs);
          outcome.acksByKind[kind].push(ack.afterMs);
        },
        () => {
          outcome.unacknowledged += 1;
        },
      ),
    );
    return handle;
  };
  const { threadId, writers, room } = server;
  const [admin, bea, cy] = writers;
  const page = server.approved + 1;
  const draft = (kind: 'Narration' | 'Dialogue', version: number) => {
    const title = `Page ${page} · ${kind} v${version}`;
    return until(
      () =>
        discord
          .messages(threadId)
          .find((m) => embedText(m).includes(title) && buttonsOf(m).some((b) => b.label === 'Approve' && !b.disabled)),
      `open draft "${title}"`,
    );
  };
  const approve = (message: StoredMessage, userId: string) =>
    track(room.click(threadId, message, userId, 'Approve'), 'approve').acknowledged;
  const revise = async (message: StoredMessage, userId: string) => {
    const form = await track(room.click(threadId, message, userId, 'Revise'), 'form opened').response({ timeoutMs: 30_000 });
    if (form.kind !== 'modal' || !form.modal) throw new Error(`Revise did not open a form: ${form.content}`);
    await track(
      discord.submitModal({
        guildId: server.guildId,
        channelId: threadId,
        userId,
        customId: form.modal.custom_id,
        fields: { feedback: 'More rain, less explaining.' },
        messageId: message.id,
      }),
      'form sent',
    ).acknowledged;
  };
  const started = now();
  try {
    // The page's card, or a refusal or error told privately: then the page never starts.
    const answer = await track(room.startPage(threadId, admin, `The storm reaches the harbour, page ${page}`), 'command').response({
      timeoutMs: STEP_TIMEOUT_MS,
    });
    if (answer.ephemeral) {
      outcome.failure = `/page start answered privately: ${answer.content}`;
      await Promise.allSettled(pending);
      return outcome;
    }
    const first = await draft('Narration', 1);
    await Promise.all([revise(first, admin), revise(first, cy)]);
    const second = await draft('Narration', 2);
    await Promise.all([approve(second, admin), approve(second, cy)]);
    const dialogue = await draft('Dialogue', 1);
    await Promise.all([approve(dialogue, bea), approve(dialogue, cy)]);
    await until(() => discord.messages(threadId).find((m) => embedText(m).includes(`Page ${page} approved`)), `page ${page} approved`);
    outcome.pageMs = now() - started;
    server.approved = page;
  } catch (error) {
    outcome.failure = error instanceof Error ? error.message : String(error);
    server.stuck = true;
  }
  await Promise.allSettled(pending);
  return outcome;
}
