import {
  ActionRowBuilder,
  LabelBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  Routes,
  TextInputBuilder,
  TextInputStyle,
  type Interaction,
} from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DiscordEmulator } from '../loopback/discord/emulator.js';

/** A bare discord.js client whose behaviour each test sets: the emulator is what is under test here. */
describe('the loopback Discord emulator, with the real discord.js client', () => {
  let discord: DiscordEmulator;
  let client: Client;
  let guildId: string;
  let channelId: string;
  let userId: string;
  let onInteraction: (interaction: Interaction) => Promise<void> = () => Promise.resolve();
  const errors: unknown[] = [];

  beforeAll(async () => {
    discord = await DiscordEmulator.start({ ackDeadlineMs: 400 });
    guildId = discord.createGuild({ name: 'Test guild' }).id;
    channelId = discord.createChannel(guildId, { name: 'general' }).id;
    userId = discord.createUser({ username: 'ava' }).id;
    discord.addMember(guildId, userId);
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiUrl }, waitGuildTimeout: 200 });
    client.on(Events.InteractionCreate, (interaction) => {
      onInteraction(interaction).catch((error: unknown) => errors.push(error));
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(discord.token);
    await ready;
  });
  afterEach(() => {
    errors.length = 0;
  });
  afterAll(async () => {
    await client.destroy();
    await discord.close();
  });

  it('logs the client in over the gateway with its guild and channels cached', () => {
    expect(client.user?.id).toBe(discord.botUserId);
    expect(client.guilds.cache.get(guildId)?.channels.cache.get(channelId)?.name).toBe('general');
    expect(discord.calls.some((c) => c.route === '/gateway/bot' && c.status === 200 && c.authorized)).toBe(true);
  });

  it('records command registration', async () => {
    await client.rest.put(Routes.applicationGuildCommands(discord.applicationId, guildId), {
      body: [
        { name: 'ping', description: 'Ping', type: 1 },
        { name: 'form', description: 'Form', type: 1 },
      ],
    });
    expect((discord.registeredCommands(guildId) as { name: string }[]).map((c) => c.name)).toEqual(['ping', 'form']);
  });

  it('delivers a slash command and a button click, and records each acknowledgement within the deadline', async () => {
    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand()) {
        await interaction.reply({
          content: 'pong',
          components: [
            new ActionRowBuilder<ButtonBuilder>().addComponents(
              new ButtonBuilder().setCustomId('again').setLabel('Again').setStyle(ButtonStyle.Primary),
            ),
          ],
        });
      } else if (interaction.isButton()) {
        await interaction.update({ content: `pong again for ${interaction.user.username}`, components: [] });
      }
    };
    const command = discord.slashCommand({ guildId, channelId, userId, name: 'ping' });
    const reply = await command.response();
    expect(reply).toMatchObject({ kind: 'reply', ephemeral: false, content: 'pong' });
    const ack = await command.acknowledged;
    expect(ack.type).toBe(4);
    expect(ack.afterMs).toBeLessThan(400);

    const message = discord.messages(channelId).at(-1);
    expect(message?.content).toBe('pong');
    const click = discord.clickButton({ guildId, channelId, userId, messageId: message?.id ?? '', customId: 'again' });
    expect(await click.response()).toMatchObject({ kind: 'update', content: 'pong again for ava' });
    expect((await click.acknowledged).type).toBe(7);
    expect(discord.message(channelId, message?.id ?? '')?.components).toEqual([]);
    expect(
      discord.calls.filter((c) => c.route === '/interactions/:id/:token/callback').every((c) => c.status === 200 || c.status === 204),
    ).toBe(true);
    expect(discord.violations).toEqual([]);
  });

  it('runs a modal flow: button → modal → submitted fields → ephemeral reply kept out of the channel', async () => {
    onInteraction = async (interaction) => {
      if (interaction.isButton()) {
        await interaction.showModal(
          new ModalBuilder()
            .setCustomId('feedback-form')
            .setTitle('Feedback')
            .addLabelComponents(
              new LabelBuilder()
                .setLabel('What should change?')
                .setTextInputComponent(new TextInputBuilder().setCustomId('text').setStyle(TextInputStyle.Paragraph)),
            ),
        );
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({ content: `got: ${interaction.fields.getTextInputValue('text')}`, flags: MessageFlags.Ephemeral });
      }
    };
    const carrier = await client.rest.post(Routes.channelMessages(channelId), {
      body: { content: 'form', components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'open', label: 'Open' }] }] },
    });
    const messageId = (carrier as { id: string }).id;
    const opened = await discord.clickButton({ guildId, channelId, userId, messageId, customId: 'open' }).response();
    expect(opened.kind).toBe('modal');
    expect(opened.modal?.custom_id).toBe('feedback-form');
    const before = discord.messages(channelId).length;
    const submitted = await discord
      .submitModal({ guildId, channelId, userId, customId: 'feedback-form', fields: { text: 'More rain' }, messageId })
      .response();
    expect(submitted).toMatchObject({ kind: 'reply', ephemeral: true, content: 'got: More rain' });
    expect(discord.messages(channelId)).toHaveLength(before);
  });

  it('refuses a 2001-character reply and a 101-character custom_id, naming the limit', async () => {
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply({ content: 'x'.repeat(2001) }).catch(async (error: unknown) => {
        errors.push(error);
        await interaction.reply({
          content: 'ok',
          components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'y'.repeat(101), label: 'Long' }] }],
        });
      });
    };
    const handle = discord.slashCommand({ guildId, channelId, userId, name: 'ping' });
    await handle.acknowledged.catch(() => undefined);
    await discord.waitFor(() => errors.length >= 2, { description: 'two rejected replies' });
    expect(errors.every((e) => e instanceof DiscordAPIError && e.code === 50035)).toBe(true);
    expect(discord.violations.some((v) => v.includes('content is 2001 characters'))).toBe(true);
    expect(discord.violations.some((v) => v.includes('custom_id must be 1–100 characters (got 101)'))).toBe(true);
    discord.violations.length = 0;
  });

  it('answers a late acknowledgement with 10062 and a second one with 40060', async () => {
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      if (interaction.commandName === 'ping') {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await interaction.reply('too late');
      } else {
        await interaction.reply('first');
        await client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
          body: { type: 4, data: { content: 'second' } },
          auth: false,
        });
      }
    };
    const late = discord.slashCommand({ guildId, channelId, userId, name: 'ping' });
    await expect(late.acknowledged).rejects.toThrow(/not acknowledged within 400 ms/);
    await discord.waitFor(() => errors.length >= 1, { description: 'the late reply to fail' });
    expect((errors[0] as DiscordAPIError).code).toBe(10062);

    discord.slashCommand({ guildId, channelId, userId, name: 'form' });
    await discord.waitFor(() => errors.length >= 2, { description: 'the second acknowledgement to fail' });
    expect((errors[1] as DiscordAPIError).code).toBe(40060);
    expect(discord.violations.some((v) => v.includes('acknowledged twice'))).toBe(true);
    discord.violations.length = 0;
  });

  it("keeps an interaction's token good for 15 minutes: its deferred reply is edited through the webhook until then, refused (50027) after", async () => {
    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.deferReply();
    };
    const command = discord.slashCommand({ guildId, channelId, userId, name: 'ping' });
    expect((await command.acknowledged).type).toBe(5);
    const edit = (content: string) =>
      client.rest.patch(Routes.webhookMessage(discord.applicationId, command.token, '@original'), { body: { content }, auth: false });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 14 * 60_000);
      await edit('answered 14 minutes later');
      expect(await command.response()).toMatchObject({ kind: 'reply', content: 'answered 14 minutes later' });
      vi.setSystemTime(Date.now() + 60_000 + 1_000);
      await expect(edit('too late')).rejects.toMatchObject({ code: 50027 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers a chosen call with 429 and Retry-After, and the client waits and lands it', async () => {
    discord.failNext({ method: 'POST', route: '/channels/:id/messages' }, { status: 429, retryAfterMs: 50 });
    const sent = await client.rest.post(Routes.channelMessages(channelId), { body: { content: 'after the wait' } });
    expect((sent as { content: string }).content).toBe('after the wait');
    const attempts = discord.calls.filter(
      (c) => c.route === '/channels/:id/messages' && (c.body as { content?: string }).content === 'after the wait',
    );
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
  });

  it('answers with a chosen Discord error code', async () => {
    discord.failNext({ route: '/channels/:id/messages' }, { status: 403, code: 50013, message: 'Missing Permissions' });
    const error = await client.rest.post(Routes.channelMessages(channelId), { body: { content: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50013);
  });

  it('caches a thread created over REST, and an interaction in it sees its channel', async () => {
    const parent = client.channels.cache.get(channelId);
    if (!parent || parent.type !== ChannelType.GuildText) throw new Error('text channel expected');
    const thread = await parent.threads.create({ name: 'Chapter 1' });
    await discord.waitFor(() => client.channels.cache.has(thread.id), { description: 'the thread in the cache' });
    let seen: string | null | undefined;
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      seen = interaction.channel?.id ?? null;
      await interaction.reply({ content: 'in thread', flags: MessageFlags.Ephemeral });
    };
    await discord.slashCommand({ guildId, channelId: thread.id, userId, name: 'ping' }).response();
    expect(seen).toBe(thread.id);
    expect(discord.threads(channelId).map((t) => t.name)).toContain('Chapter 1');
  });

  it('lets the client resume after the gateway drops, replaying what it missed', async () => {
    discord.disconnectGateway();
    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply('back');
    };
    const handle = discord.slashCommand({ guildId, channelId, userId, name: 'ping' });
    await discord.waitForBotConnection({ timeoutMs: 10_000 });
    // A replayed interaction may arrive after the 400 ms deadline of this test's emulator: it is delivered either way.
    await handle.acknowledged.catch(() => undefined);
    await discord.waitFor(() => handle.followUps.length > 0 || discord.calls.some((c) => c.path.includes(handle.id)), {
      description: 'the replayed interaction to reach the client',
    });
  });
});
