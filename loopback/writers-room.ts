import { allComponents } from './discord/components-v2.js';
import { PermissionFlagsBits } from 'discord.js';
import type { DiscordEmulator, StoredMessage } from './discord/emulator.js';

/** The emulated server a session plays in. */
export interface RoomPlace {
  discord: DiscordEmulator;
  guildId: string;
  storyChannelId: string;
  adminId: string;
}

const WRITER_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.UseApplicationCommands;

/** A server's admin: a writer who may also manage the server (set up a story). */
export const ADMIN_PERMISSIONS = WRITER_PERMISSIONS | PermissionFlagsBits.ManageGuild;

interface ButtonJson {
  type: number;
  custom_id?: string;
  label?: string;
  disabled?: boolean;
}

/** Reads a message's buttons the way a person sees them: by label. */
export function buttonsOf(message: StoredMessage): ButtonJson[] {
  return (allComponents(message.components) as unknown as ButtonJson[]).filter((c) => c.type === 2);
}

export function button(message: StoredMessage, label: string): ButtonJson {
  const found = buttonsOf(message).find((b) => b.label === label);
  if (!found?.custom_id) throw new Error(`no ${label} button on message ${message.id}`);
  return found;
}

export interface SelectJson {
  type: number;
  custom_id: string;
  placeholder?: string;
  options: { label: string; value: string; description?: string }[];
}

/** A message's string selects, as a person sees them: by placeholder. */
export function selectsOf(message: Pick<StoredMessage, 'components'>): SelectJson[] {
  return (allComponents(message.components) as unknown as SelectJson[]).filter((c) => c.type === 3);
}

/** What a message says as a person reads it: its content, then its text displays (Components V2). */
export function textOf(message: { content: string; components: readonly object[] }): string {
  const texts = allComponents(message.components as StoredMessage['components'])
    .filter((c) => c.type === 10 && typeof c.content === 'string')
    .map((c) => String(c.content));
  return [message.content, ...texts].filter(Boolean).join('\n');
}

export function embedText(message: StoredMessage): string {
  const embeds = message.embeds as unknown as { title?: string; description?: string; fields?: { name: string; value: string }[] }[];
  return [
    message.content,
    ...embeds.flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`)]),
  ]
    .filter(Boolean)
    .join('\n');
}

/** Drives storyroom the way a server's members would, through the emulator: used by tests and the demo. */
export class WritersRoom {
  constructor(private readonly h: RoomPlace) {}

  newMember(username: string): string {
    const user = this.h.discord.createUser({ username });
    this.h.discord.addMember(this.h.guildId, user.id, { permissions: WRITER_PERMISSIONS });
    return user.id;
  }

  async setupStory(title = 'The Glowing Mark'): Promise<void> {
    const response = await this.h.discord
      .slashCommand({
        guildId: this.h.guildId,
        channelId: this.h.storyChannelId,
        userId: this.h.adminId,
        name: 'story',
        subcommand: 'setup',
        options: { title },
      })
      .response();
    if (response.ephemeral) throw new Error(`story setup refused: ${response.content}`);
  }

  /** Opens a chapter as the admin; returns the thread id. */
  async openChapter(title = 'The First Glow'): Promise<string> {
    await this.h.discord
      .slashCommand({
        guildId: this.h.guildId,
        channelId: this.h.storyChannelId,
        userId: this.h.adminId,
        name: 'chapter',
        subcommand: 'start',
        options: { title },
      })
      .response();
    const thread = await this.h.discord.waitFor(() => this.h.discord.threads(this.h.storyChannelId).find((t) => t.name.includes(title)), {
      description: `thread for chapter ${title}`,
    });
    return thread.id;
  }

  chapterCard(threadId: string): StoredMessage {
    const card = this.h.discord.messages(threadId).find((m) => buttonsOf(m).some((b) => b.label === 'Join'));
    if (!card) throw new Error('no chapter card in the thread');
    return card;
  }

  async join(threadId: string, userId: string) {
    const card = this.chapterCard(threadId);
    return this.h.discord
      .clickButton({
        guildId: this.h.guildId,
        channelId: threadId,
        userId,
        messageId: card.id,
        customId: button(card, 'Join').custom_id ?? '',
      })
      .response();
  }

  startPage(threadId: string, userId: string, input: string) {
    return this.h.discord.slashCommand({
      guildId: this.h.guildId,
      channelId: threadId,
      userId,
      name: 'page',
      subcommand: 'start',
      options: { input },
    });
  }

  /** The draft message for this page, kind and version once its vote buttons are live. */
  async openDraft(
    threadId: string,
    pageNumber: number,
    kind: 'Narration' | 'Dialogue',
    version: number,
    timeoutMs = 15_000,
  ): Promise<StoredMessage> {
    const title = `Page ${pageNumber} · ${kind} v${version}`;
    return this.h.discord.waitFor(
      () =>
        this.h.discord
          .messages(threadId)
          .find((m) => embedText(m).includes(title) && buttonsOf(m).some((b) => b.label === 'Approve' && !b.disabled)),
      { description: `open draft "${title}"`, timeoutMs },
    );
  }

  /** One take of a round of takes, once its Pick button is live ("Page 2 · Narration v1 · Take B"). */
  async openTake(
    threadId: string,
    pageNumber: number,
    kind: 'Narration' | 'Dialogue',
    version: number,
    letter: string,
  ): Promise<StoredMessage> {
    const title = `Page ${pageNumber} · ${kind} v${version} · Take ${letter}`;
    return this.h.discord.waitFor(
      () =>
        this.h.discord
          .messages(threadId)
          .find((m) => embedText(m).includes(title) && buttonsOf(m).some((b) => b.label === `Pick ${letter}` && !b.disabled)),
      { description: `open take "${title}"`, timeoutMs: 15_000 },
    );
  }

  click(threadId: string, message: StoredMessage, userId: string, label: string) {
    return this.h.discord.clickButton({
      guildId: this.h.guildId,
      channelId: threadId,
      userId,
      messageId: message.id,
      customId: button(message, label).custom_id ?? '',
    });
  }

  /** Chooses the option labelled `option` in the select whose placeholder starts with `placeholder`. */
  choose(threadId: string, message: StoredMessage, userId: string, placeholder: string, option: string) {
    const select = selectsOf(message).find((s) => s.placeholder?.startsWith(placeholder));
    const value = select?.options.find((o) => o.label === option)?.value;
    if (!select || value === undefined) throw new Error(`no select "${placeholder}…" with option "${option}" on message ${message.id}`);
    return this.h.discord.chooseOption({
      guildId: this.h.guildId,
      channelId: threadId,
      userId,
      messageId: message.id,
      customId: select.custom_id,
      values: [value],
    });
  }

  /** Revise: the button opens a modal; the co-writer submits feedback in it. */
  async revise(threadId: string, message: StoredMessage, userId: string, feedback: string) {
    const modal = await this.click(threadId, message, userId, 'Revise').response();
    if (modal.kind !== 'modal' || !modal.modal) throw new Error(`Revise did not open a modal: ${modal.content}`);
    return this.h.discord
      .submitModal({
        guildId: this.h.guildId,
        channelId: threadId,
        userId,
        customId: modal.modal.custom_id,
        fields: { feedback },
        messageId: message.id,
      })
      .response();
  }

  /** Edit (on a round of takes "Edit B", on its last take): the button opens a form prefilled with the draft; the co-writer saves `text` in it. */
  async edit(threadId: string, message: StoredMessage, userId: string, text: string, label = 'Edit') {
    const form = await this.click(threadId, message, userId, label).response();
    if (form.kind !== 'modal' || !form.modal) throw new Error(`Edit did not open a form: ${form.content}`);
    return this.h.discord
      .submitModal({
        guildId: this.h.guildId,
        channelId: threadId,
        userId,
        customId: form.modal.custom_id,
        fields: { draft: text },
        messageId: message.id,
      })
      .response();
  }

  /** A page taken from input to approved by one co-writer who decides alone (a chapter of one member). */
  async approvePageAlone(threadId: string, userId: string, input: string, pageNumber: number): Promise<void> {
    await this.startPage(threadId, userId, input).response();
    await this.click(threadId, await this.openDraft(threadId, pageNumber, 'Narration', 1), userId, 'Approve').response();
    await this.click(threadId, await this.openDraft(threadId, pageNumber, 'Dialogue', 1), userId, 'Approve').response();
    await this.h.discord.waitFor(
      () => this.h.discord.messages(threadId).find((m) => embedText(m).includes(`Page ${pageNumber} approved`)),
      {
        description: `page ${pageNumber} approved`,
        timeoutMs: 15_000,
      },
    );
  }

  message(threadId: string, messageId: string): StoredMessage {
    const found = this.h.discord.message(threadId, messageId);
    if (!found) throw new Error(`message ${messageId} not found`);
    return found;
  }
}
