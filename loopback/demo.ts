import { randomBytes } from 'node:crypto';
import { PermissionFlagsBits } from 'discord.js';
import pg from 'pg';
import { registerCommands } from '../src/discord/register-commands.js';
import { deleteQueueKeys } from '../src/queue/redis.js';
import { DiscordEmulator, renderChannel } from './discord/emulator.js';
import { ModelServer, type RecordedRequest, type ScriptedReply } from './model/server.js';
import { startStoryroomProcess } from './processes.js';
import { WritersRoom, embedText } from './writers-room.js';

// `npm run demo`: the whole product on this machine with no credentials. A loopback Discord and a
// scripted model stand in for the outside world; the bot and the worker are the real processes.

const env = process.env;
const realModel = Boolean(env.OPENAI_BASE_URL || env.OPENAI_API_KEY);
const ADMIN_DATABASE_URL = env.DEMO_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function step(text: string): void {
  console.log(`\n▸ ${text}`);
}

/** The demo's scripted model: it says it is a demo, and it visibly takes the feedback. */
function demoModel(request: RecordedRequest): ScriptedReply {
  if (request.responseFormatName === 'continuity_review') {
    return { json: { notes: [{ kind: 'other', note: '(demo reviewer) The forge was cold on page 0 of the bible; here it is lit.' }] } };
  }
  if (request.responseFormatName === 'panel_prompts') {
    const panel = (n: number, scene: string) => ({ panel: n, scene, characters: ['Kai'], camera: 'medium shot', mood: 'tense', image_prompt: `${scene}, ink and watercolour`, negative_prompt: 'text, watermark' });
    return { json: { panels: [panel(1, 'a forge at midnight'), panel(2, 'a glowing mark on a wrist'), panel(3, 'rain on shutters')] } };
  }
  if (request.responseFormatName) {
    return {
      json: {
        panels: [
          { panel: 1, caption: 'The forge, after midnight. (demo dialogue)', lines: [{ speaker: 'Kai', line: 'The Mark… it’s burning.' }] },
          { panel: 2, caption: null, lines: [{ speaker: 'Mira', line: 'It only does that when something is hunting us.' }] },
          { panel: 3, caption: 'Rain hammers the shutters.', lines: [{ speaker: 'Kai', line: 'Then we don’t wait for it.' }] },
        ],
      },
    };
  }
  const revised = request.promptText.includes('rain');
  return {
    content: revised
      ? '(demo narrator, version 2) Rain drums on the forge roof. Kai wipes soot from his wrist and freezes: the Mark is glowing, a low ember-red that brightens each time the shutters rattle. Somewhere past the treeline, something is moving toward the light.'
      : '(demo narrator, version 1) Kai works late at the forge. The Mark on his wrist begins to glow. He realises it is warning him of danger.',
    chunkDelayMs: 15,
  };
}

async function createDemoDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, drop: () => Promise.resolve() };
  const name = `storyroom_demo_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await again.connect();
      await again.query(`drop database if exists "${name}" with (force)`);
      await again.end();
    },
  };
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

function embedsText(embeds: unknown[]): string {
  return (embeds as { title?: string; description?: string; fields?: { name: string; value: string }[] }[])
    .flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`)])
    .filter(Boolean)
    .join('\n');
}

async function main(): Promise<void> {
  step('Starting the loopback Discord, the model, Postgres database and the bot and worker processes');
  const discord = await DiscordEmulator.start({ botUsername: 'storyroom' });
  const model = realModel ? null : await ModelServer.start({ responder: demoModel });
  const database = await createDemoDatabase();
  const guild = discord.createGuild({ name: 'Demo Writers Guild' });
  const channel = discord.createChannel(guild.id, { name: 'the-glowing-mark' });
  const ava = discord.createUser({ username: 'ava' });
  discord.addMember(guild.id, ava.id, {
    permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.UseApplicationCommands,
  });

  const processEnv: NodeJS.ProcessEnv = {
    ...env,
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_ATTACHMENT_ORIGINS: discord.attachmentOrigin,
    DISCORD_GUILD_ID: guild.id,
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: `demo-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    ...(model ? { OPENAI_BASE_URL: model.baseURL, OPENAI_API_KEY: 'demo' } : {}),
  };
  await registerCommands({ token: discord.token, applicationId: discord.applicationId, apiUrl: discord.apiUrl, guildId: guild.id });
  const echo = (name: string) => (line: string) => console.log(`  [${name}] ${line}`);
  const bot = startStoryroomProcess('bot', processEnv, { onLine: echo('bot') });
  const worker = startStoryroomProcess('worker', processEnv, { onLine: echo('worker') });
  let failed = false;
  try {
    await discord.waitForBotConnection({ timeoutMs: 60_000 });
    const room = new WritersRoom({ discord, guildId: guild.id, storyChannelId: channel.id, adminId: ava.id });
    const ben = room.newMember('ben');

    step('ava sets up the story room: /story setup title:"The Glowing Mark"');
    await room.setupStory('The Glowing Mark');
    step('ava opens a chapter: /chapter start title:"Embers"');
    const threadId = await room.openChapter('Embers');
    step('ben presses Join on the chapter card');
    await room.join(threadId, ben);
    step('ben starts page 1: /page start input:"MC discovers the Mark glows when sensing danger"');
    await room.startPage(threadId, ben, 'MC discovers the Mark glows when sensing danger').response();

    const v1 = await room.openDraft(threadId, 1, 'Narration', 1);
    step('Narration v1 is up. Both co-writers press Revise and give feedback');
    await room.revise(threadId, v1, ava.id, 'Show, don’t tell: let the rain and the light do the work.');
    await room.revise(threadId, v1, ben, 'End on a threat outside, not on Kai’s thoughts.');
    const v2 = await room.openDraft(threadId, 1, 'Narration', 2);
    step('Narration v2 takes the feedback. Both approve it');
    await room.click(threadId, v2, ava.id, 'Approve').response();
    await room.click(threadId, v2, ben, 'Approve').response();
    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);
    step('The dialogue draft is up. Both approve it');
    await room.click(threadId, dialogue, ava.id, 'Approve').response();
    await room.click(threadId, dialogue, ben, 'Approve').response();
    await discord.waitFor(() => discord.messages(threadId).find((m) => embedText(m).includes('Page 1 approved')), {
      description: 'the approved page',
      timeoutMs: 30_000,
    });

    step('The chapter thread, as a co-writer reads it:');
    console.log(renderChannel(discord.messages(threadId)));

    step('ben asks what changed between the narration drafts: /page diff page:1 from:1 to:2 (only ben sees it)');
    const diff = await discord.slashCommand({ guildId: guild.id, channelId: threadId, userId: ben, name: 'page', subcommand: 'diff', options: { page: 1, from: 1, to: 2 } }).response();
    console.log(indent(embedsText(diff.embeds).slice(0, 600)));

    // The panels agent writes the image prompts a moment after the approval.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    step('ava exports the chapter: /chapter export format:markdown, then format:comfyui');
    for (const format of ['markdown', 'comfyui']) {
      const exported = await discord.slashCommand({ guildId: guild.id, channelId: threadId, userId: ava.id, name: 'chapter', subcommand: 'export', options: { format } }).response();
      console.log(indent(exported.content));
      for (const file of exported.attachments ?? []) {
        const text = file.content.toString('utf8');
        console.log(indent(`📎 ${file.filename} (${file.content.length} bytes)\n${text.split('\n').slice(0, 12).join('\n')}\n…`));
      }
    }
    if (discord.violations.length > 0) {
      failed = true;
      console.error(`Discord limits were broken:\n${discord.violations.join('\n')}`);
    }
  } catch (error) {
    failed = true;
    console.error(`The demo failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await Promise.all([bot.stop('SIGTERM', 10_000), worker.stop('SIGTERM', 10_000)]);
    await discord.close();
    await model?.close();
    await database.drop();
    await deleteQueueKeys(REDIS_URL, processEnv.QUEUE_PREFIX ?? 'demo');
  }
  if (failed) process.exitCode = 1;
  else console.log('\nDemo finished: page 1 of "Embers" is approved.');
}

await main();
