import type { DiscordEmulator, StoredMessage } from '../loopback/discord/emulator.js';
import { ADMIN_PERMISSIONS, buttonsOf, WritersRoom } from '../loopback/writers-room.js';
import { decodeCustomId } from '../src/views/custom-id.js';
import type { Random } from './random.js';

/** How a counted vote in a round of takes is answered, privately. */
const ROUND_VOTE_COUNTED = /^You (picked take|changed your vote|voted to send the round back)/;

/** One server playing in the soak: an admin, co-writers, a story channel and its chapter threads. */
export interface SoakRoom {
  guildId: string;
  storyChannelId: string;
  adminId: string;
  members: string[];
  threads: string[];
  room: WritersRoom;
  /** Every web address `/story publish` gave this story (each publish makes a new one; unpublish revokes it). */
  addresses: string[];
}

/** A vote the bot answered as recorded: it must be in Postgres at the end. */
export interface AcknowledgedVote {
  revisionId: number;
  userId: string;
  choice: 'approve' | 'revise';
  at: number;
}

export interface ActionLog {
  actions: number;
  /** Actions by kind, counted when they reached the bot (a kind with nothing to click is not counted). */
  kinds: Record<string, number>;
  /** Interactions that got no answer at all (the emulator's own deadline records late ones). */
  unanswered: string[];
  votes: AcknowledgedVote[];
}

export async function createRoom(discord: DiscordEmulator, index: number): Promise<SoakRoom> {
  const guild = discord.createGuild({ name: `soak guild ${index}` });
  const channel = discord.createChannel(guild.id, { name: 'story' });
  const admin = discord.createUser({ username: `admin${index}` });
  discord.addMember(guild.id, admin.id, { permissions: ADMIN_PERMISSIONS });
  const soak: SoakRoom = {
    guildId: guild.id,
    storyChannelId: channel.id,
    adminId: admin.id,
    members: [],
    threads: [],
    room: null as unknown as WritersRoom,
    addresses: [],
  };
  soak.room = new WritersRoom({ discord, guildId: guild.id, storyChannelId: channel.id, adminId: admin.id });
  for (let i = 0; i < 3; i += 1) soak.members.push(soak.room.newMember(`w${index}-${i}`));
  await soak.room.setupStory(`Soak story ${index}`);
  // Small panels: the loopback ComfyUI draws every PNG in the soak's own process.
  await discord
    .slashCommand({ guildId: guild.id, channelId: channel.id, userId: admin.id, name: 'settings', options: { panel_size: 'small' } })
    .response();
  soak.threads.push(await soak.room.openChapter(`Chapter of room ${index}`));
  for (const member of soak.members) await soak.room.join(soak.threads[0] as string, member);
  return soak;
}

type ActionName =
  | 'start'
  | 'vote'
  | 'revise'
  | 'pick'
  | 'another'
  | 'join'
  | 'role'
  | 'restore'
  | 'quorum'
  | 'settings'
  | 'bible'
  | 'retry'
  | 'cancel'
  | 'reroll'
  | 'prompt'
  | 'approvePanels'
  | 'retryPanels'
  | 'publish';

const WEIGHTS: Record<ActionName, number> = {
  start: 4,
  vote: 10,
  revise: 3,
  pick: 6,
  another: 1,
  join: 1,
  role: 1,
  restore: 1,
  quorum: 1,
  settings: 1,
  bible: 1,
  retry: 2,
  cancel: 1,
  reroll: 3,
  prompt: 2,
  approvePanels: 4,
  retryPanels: 2,
  publish: 1,
};

/** A story's web address in the bot's answer to `/story publish`. */
const ADDRESS = /(https?:\/\/[^\s/]+\/[a-z0-9-]+-[0-9a-f]{32})/;

/** Messages in a thread with a live button of this label. */
function withButton(discord: DiscordEmulator, threadId: string, label: string): StoredMessage[] {
  return discord.messages(threadId).filter((m) => buttonsOf(m).some((b) => b.label === label && !b.disabled));
}

/** One random action by a random member of a random room; waits for the bot's answer. */
export async function act(discord: DiscordEmulator, rooms: readonly SoakRoom[], random: Random, log: ActionLog): Promise<void> {
  const soak = random.pick(rooms);
  const threadId = soak && random.pick(soak.threads);
  if (!soak || !threadId) return;
  const { room } = soak;
  const someone = random.pick([soak.adminId, ...soak.members]) ?? soak.adminId;
  const action = random.weighted(WEIGHTS);
  const answered = async (name: string, pending: Promise<unknown>) => {
    log.actions += 1;
    log.kinds[action] = (log.kinds[action] ?? 0) + 1;
    try {
      return await pending;
    } catch (error) {
      log.unanswered.push(`${name}: ${error instanceof Error ? error.message.slice(0, 160) : String(error)}`);
      return null;
    }
  };
  const command = (
    userId: string,
    channelId: string,
    name: string,
    subcommand: string | undefined,
    options: Record<string, string | number | boolean>,
  ) =>
    answered(
      `/${name} ${subcommand ?? ''}`,
      discord.slashCommand({ guildId: soak.guildId, channelId, userId, name, ...(subcommand ? { subcommand } : {}), options }).response(),
    );
  switch (action) {
    case 'start': {
      // Some pages are written as takes: two or three of each draft, to pick from.
      const takes = random.pick([1, 1, 1, 2, 3]) ?? 1;
      await command(someone, threadId, 'page', 'start', {
        input: `Something happens ${random.int(1000)}`,
        ...(takes > 1 ? { takes } : {}),
      });
      return;
    }
    case 'pick':
    case 'another': {
      const label = action === 'another' ? 'Another take' : null;
      const take = random.pick(
        discord
          .messages(threadId)
          .filter((m) => buttonsOf(m).some((b) => !b.disabled && (label ? b.label === label : b.label?.startsWith('Pick ')))),
      );
      const button = take && buttonsOf(take).find((b) => !b.disabled && (label ? b.label === label : b.label?.startsWith('Pick ')));
      const target = button?.custom_id ? decodeCustomId(button.custom_id) : null;
      if (!take || !button?.label || !target || (target.action !== 'pick' && target.action !== 'another')) return;
      const response = (await answered(button.label, room.click(threadId, take, someone, button.label).response())) as {
        kind?: string;
        ephemeral?: boolean;
        content?: string;
      } | null;
      // A counted pick is confirmed privately ("You picked take B."); a refusal says why instead.
      if (target.action === 'pick' && ROUND_VOTE_COUNTED.test(response?.content ?? ''))
        log.votes.push({ revisionId: target.revisionId, userId: someone, choice: 'approve', at: Date.now() });
      return;
    }
    case 'vote':
    case 'revise': {
      // Approve is on drafts of one take; Revise also on every take of a round (it sends the round back).
      const draft = random.pick(withButton(discord, threadId, action === 'vote' ? 'Approve' : 'Revise'));
      const button = draft && buttonsOf(draft).find((b) => b.label === (action === 'vote' ? 'Approve' : 'Revise'));
      const target = button?.custom_id ? decodeCustomId(button.custom_id) : null;
      if (!draft || !target || (target.action !== 'approve' && target.action !== 'revise')) return;
      if (action === 'vote') {
        const response = (await answered('Approve', room.click(threadId, draft, someone, 'Approve').response())) as {
          kind?: string;
          ephemeral?: boolean;
        } | null;
        if (response?.kind === 'update' && !response.ephemeral)
          log.votes.push({ revisionId: target.revisionId, userId: someone, choice: 'approve', at: Date.now() });
        return;
      }
      // Revise opens a form; a refusal (a viewer, a decided draft) answers instead.
      const opened = (await answered('Revise', room.click(threadId, draft, someone, 'Revise').response())) as {
        kind?: string;
        modal?: { custom_id: string };
      } | null;
      if (opened?.kind !== 'modal' || !opened.modal) return;
      const submit = discord.submitModal({
        guildId: soak.guildId,
        channelId: threadId,
        userId: someone,
        customId: opened.modal.custom_id,
        fields: { feedback: `Feedback ${random.int(1000)}: more weather.` },
        messageId: draft.id,
      });
      const response = (await answered('Revise form', submit.response())) as {
        kind?: string;
        ephemeral?: boolean;
        content?: string;
      } | null;
      if ((response?.kind === 'update' && !response.ephemeral) || ROUND_VOTE_COUNTED.test(response?.content ?? ''))
        log.votes.push({ revisionId: target.revisionId, userId: someone, choice: 'revise', at: Date.now() });
      return;
    }
    case 'join': {
      const newcomer = room.newMember(`late${random.int(1_000_000)}`);
      soak.members.push(newcomer);
      await answered('Join', room.join(threadId, newcomer));
      return;
    }
    case 'role': {
      const member = random.pick(soak.members);
      if (member)
        await command(soak.adminId, threadId, 'chapter', 'members', {
          user: member,
          role: random.pick(['writer', 'writer', 'viewer']) ?? 'writer',
        });
      return;
    }
    case 'restore':
      await command(soak.adminId, threadId, 'page', 'restore', { page: 1 + random.int(3), version: 1 });
      return;
    case 'quorum':
      await command(soak.adminId, soak.storyChannelId, 'settings', undefined, {
        quorum: random.pick(['majority', '1', '2', 'all']) ?? 'majority',
      });
      return;
    case 'settings':
      await command(soak.adminId, soak.storyChannelId, 'settings', undefined, { narration_words: 60 + random.int(200) });
      return;
    case 'bible':
      await command(soak.adminId, soak.storyChannelId, 'bible', 'add', {
        title: `Entry ${random.int(20)}`,
        type: 'rule',
        text: `Rule number ${random.int(1000)}: lanterns never go out.`,
      });
      return;
    case 'reroll':
    case 'approvePanels':
    case 'retryPanels': {
      // On a page's panels message: Reroll N for one panel, or the set's Approve panels and Retry failed panels.
      const wanted = (label: string | undefined) =>
        action === 'reroll'
          ? Boolean(label?.startsWith('Reroll '))
          : label === (action === 'approvePanels' ? 'Approve panels' : 'Retry failed panels');
      const message = random.pick(discord.messages(threadId).filter((m) => buttonsOf(m).some((b) => !b.disabled && wanted(b.label))));
      const button = message && random.pick(buttonsOf(message).filter((b) => !b.disabled && wanted(b.label)));
      if (message && button?.label) await answered(button.label, room.click(threadId, message, someone, button.label).response());
      return;
    }
    case 'prompt': {
      // Change prompt opens a form with the panel's prompt; a refusal (a reader, a panel still rendering) answers instead.
      const message = random.pick(
        discord.messages(threadId).filter((m) => buttonsOf(m).some((b) => !b.disabled && b.label?.startsWith('Change prompt '))),
      );
      const button = message && random.pick(buttonsOf(message).filter((b) => !b.disabled && b.label?.startsWith('Change prompt ')));
      if (!message || !button?.label) return;
      const opened = (await answered(button.label, room.click(threadId, message, someone, button.label).response())) as {
        kind?: string;
        modal?: { custom_id: string };
      } | null;
      if (opened?.kind !== 'modal' || !opened.modal) return;
      const fields = { prompt: `lantern light on a snowy pass, ink and watercolour, take ${random.int(1000)}` };
      await answered(
        'Change prompt form',
        discord
          .submitModal({
            guildId: soak.guildId,
            channelId: threadId,
            userId: someone,
            customId: opened.modal.custom_id,
            fields,
            messageId: message.id,
          })
          .response(),
      );
      return;
    }
    case 'publish': {
      const subcommand = random.next() < 0.6 ? 'publish' : 'unpublish';
      const reply = (await command(soak.adminId, soak.storyChannelId, 'story', subcommand, {})) as { content?: string } | null;
      const address = subcommand === 'publish' ? ADDRESS.exec(reply?.content ?? '')?.[1] : undefined;
      if (address) soak.addresses.push(address);
      return;
    }
    case 'retry':
    case 'cancel': {
      const label = action === 'retry' ? 'Retry' : 'Cancel';
      const message = random.pick(withButton(discord, threadId, label));
      if (message) await answered(label, room.click(threadId, message, someone, label).response());
      return;
    }
  }
}
