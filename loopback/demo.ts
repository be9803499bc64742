import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import pg from 'pg';
import { registerCommands } from '../src/discord/register-commands.js';
import { describePageState } from '../src/domain/page-state-machine.js';
import { deleteQueueKeys } from '../src/queue/redis.js';
import { encodePng } from './comfyui/png.js';
import { ComfyServer } from './comfyui/server.js';
import { DiscordEmulator, renderChannel } from './discord/emulator.js';
import { cleanUpOnSignals, startLocalServices, type LocalServices } from './local-services.js';
import { ModelServer, type RecordedRequest, type ScriptedReply } from './model/server.js';
import { startStoryroomProcess } from './processes.js';
import { WritersRoom, embedText, textOf } from './writers-room.js';

// `npm run demo`: the whole product on this machine with no credentials. A loopback Discord, a
// scripted model and a loopback ComfyUI stand in for the outside world; the bot and the worker are the
// real processes. With COMFYUI_URL set, the panels are drawn by that ComfyUI instead.

const env = process.env;
const realModel = Boolean(env.OPENAI_BASE_URL || env.OPENAI_API_KEY);

/** Kai's reference image: a face with a red scarf on a warm ground (the loopback ComfyUI shows it inside his panels). */
function kaiReference(): Buffer {
  return encodePng(128, 128, (x, y) => {
    const face = (x - 64) ** 2 + (y - 54) ** 2 < 30 ** 2;
    if (face) return (x - 52) ** 2 + (y - 48) ** 2 < 16 || (x - 76) ** 2 + (y - 48) ** 2 < 16 ? [30, 20, 20] : [236, 196, 160];
    if (y > 86 && y < 102 && x > 30 && x < 98) return [200, 30, 40];
    return [250, 232, 200];
  });
}

function step(text: string): void {
  console.log(`\n▸ ${text}`);
}

/** The demo's scripted model: it says it is a demo, and it visibly takes the feedback. */
function demoModel(request: RecordedRequest): ScriptedReply {
  if (request.responseFormatName === 'continuity_review') {
    return { json: { notes: [{ kind: 'other', note: '(demo reviewer) The forge was cold on page 0 of the bible; here it is lit.' }] } };
  }
  if (request.responseFormatName === 'panel_prompts') {
    const panel = (n: number, scene: string) => ({
      panel: n,
      scene,
      characters: ['Kai'],
      camera: 'medium shot',
      mood: 'tense',
      image_prompt: `${scene}, ink and watercolour`,
      negative_prompt: 'text, watermark',
    });
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
  if (request.responseFormatName === 'dialogue_script' && request.promptText.includes('Tracks at the treeline')) {
    // Page 2 asks for takes: each choice is a different script, and Another take a third.
    const script = (line: string) => ({
      panels: [{ panel: 1, caption: 'The treeline at dawn. (demo dialogue)', lines: [{ speaker: 'Mira', line }] }],
    });
    if (request.n === 1) return { json: script('Smoke. Someone made camp here, and left in a hurry.') };
    return {
      content: '',
      choices: [
        { content: JSON.stringify(script('Tracks. Big ones.')) },
        { content: JSON.stringify(script('Whatever it was, it waited for us.')) },
      ],
    };
  }
  if (request.n > 1) {
    return {
      content: '',
      choices: [
        { content: '(demo narrator, take A) Dawn finds the forge cold. Kai follows the hoofprints to the treeline.' },
        { content: '(demo narrator, take B) At dawn the rain stops. In the mud by the door: prints too large for any horse.' },
      ],
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

/** The demo's own database: DATABASE_URL as is, or one created (and dropped) through the admin URL. */
async function createDemoDatabase(adminUrl: string | null): Promise<{ url: string; drop: () => Promise<void> }> {
  if (env.DATABASE_URL || !adminUrl) return { url: env.DATABASE_URL ?? '', drop: () => Promise.resolve() };
  const name = `storyroom_demo_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: adminUrl });
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

/** Postgres and Redis: the ones set or running, else an embedded PostgreSQL and a throwaway Redis. */
async function startServices(): Promise<LocalServices> {
  const services = await startLocalServices({
    postgres: env.DATABASE_URL ? false : { url: env.DEMO_ADMIN_DATABASE_URL, from: 'DEMO_ADMIN_DATABASE_URL' },
    redis: { url: env.REDIS_URL, from: 'REDIS_URL' },
  });
  console.log(env.DATABASE_URL ? `Postgres: DATABASE_URL; ${services.summary}` : services.summary);
  return services;
}

async function main(): Promise<void> {
  // First: without Redis (or redis-server to start one) the demo stops here, with one line.
  const services = await startServices();
  step('Starting the loopback Discord, the model, the demo database and the bot and worker processes');
  const redisUrl = services.redisUrl ?? '';
  const discord = await DiscordEmulator.start({ botUsername: 'storyroom' });
  const model = realModel ? null : await ModelServer.start({ responder: demoModel });
  const comfy = env.COMFYUI_URL ? null : await ComfyServer.start({ stepDelayMs: 5 });
  const database = await createDemoDatabase(services.postgresUrl);
  const guild = discord.createGuild({ name: 'Demo Writers Guild' });
  const channel = discord.createChannel(guild.id, { name: 'the-glowing-mark' });
  const ava = discord.createUser({ username: 'ava' });
  discord.addMember(guild.id, ava.id, {
    permissions:
      PermissionFlagsBits.ManageGuild |
      PermissionFlagsBits.ViewChannel |
      PermissionFlagsBits.SendMessages |
      PermissionFlagsBits.UseApplicationCommands,
  });

  const processEnv: NodeJS.ProcessEnv = {
    ...env,
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_ATTACHMENT_ORIGINS: discord.attachmentOrigin,
    DISCORD_GUILD_ID: guild.id,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `demo-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    ...(model ? { OPENAI_BASE_URL: model.baseURL, OPENAI_API_KEY: 'demo' } : {}),
    // The loopback ComfyUI draws with the built-in IPAdapter graph, so Kai's reference image shows in his panels.
    ...(comfy ? { COMFYUI_URL: comfy.baseUrl, COMFYUI_BUILTIN_WORKFLOW: 'sdxl-ipadapter' } : {}),
  };
  await registerCommands({ token: discord.token, applicationId: discord.applicationId, apiUrl: discord.apiUrl, guildId: guild.id });
  const echo = (name: string) => (line: string) => console.log(`  [${name}] ${line}`);
  const bot = startStoryroomProcess('bot', processEnv, { onLine: echo('bot') });
  const worker = startStoryroomProcess('worker', processEnv, { onLine: echo('worker') });
  // At the end, or on Ctrl-C / SIGTERM: the processes first, then what they used, Postgres and Redis last.
  let stopped: Promise<void> | null = null;
  const stopAll = () =>
    (stopped ??= (async () => {
      await Promise.all([bot.stop('SIGTERM', 10_000), worker.stop('SIGTERM', 10_000)]);
      await discord.close();
      await model?.close();
      await comfy?.close();
      await database.drop().catch(() => undefined);
      await deleteQueueKeys(redisUrl, processEnv.QUEUE_PREFIX ?? 'demo').catch(() => undefined);
      await services.stop();
    })());
  cleanUpOnSignals(stopAll);
  let failed = false;
  try {
    await discord.waitForBotConnection({ timeoutMs: 60_000 });
    const room = new WritersRoom({ discord, guildId: guild.id, storyChannelId: channel.id, adminId: ava.id });
    const ben = room.newMember('ben');

    step('ava sets up the story room: /story setup title:"The Glowing Mark"');
    await room.setupStory('The Glowing Mark');
    step('ava adds Kai to the bible and gives him a reference image: /bible add, then /bible image character:Kai file:kai.png');
    await discord
      .slashCommand({
        guildId: guild.id,
        channelId: channel.id,
        userId: ava.id,
        name: 'bible',
        subcommand: 'add',
        options: { title: 'Kai', type: 'character', text: 'Kai, the smith’s apprentice: red scarf, soot on his cheeks.', keywords: 'MC' },
      })
      .response();
    const kai = await discord
      .slashCommand({
        guildId: guild.id,
        channelId: channel.id,
        userId: ava.id,
        name: 'bible',
        subcommand: 'image',
        options: { character: 'Kai' },
        attachments: { file: { filename: 'kai.png', contentType: 'image/png', content: kaiReference() } },
      })
      .response();
    console.log(indent(kai.content));
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
    step('Narration v2 takes the feedback. ava presses Edit and changes one line by hand (no model call): v3');
    const v2Text = embedText(v2);
    await room.edit(
      threadId,
      v2,
      ava.id,
      'Rain drums on the forge roof. Kai wipes soot from his wrist and freezes: the Mark is glowing, a low coal-red that brightens each time the shutters rattle. Past the treeline, something is moving toward the light.',
    );
    const v3 = await room.openDraft(threadId, 1, 'Narration', 3);
    console.log(
      indent(
        `${v2Text.includes('ember-red') ? 'v2 said "ember-red"; ' : ''}v3: ${
          embedText(v3)
            .split('\n')
            .find((line) => line.includes('Edited by')) ?? ''
        }`,
      ),
    );
    step('Both approve the edited v3');
    await room.click(threadId, v3, ava.id, 'Approve').response();
    await room.click(threadId, v3, ben, 'Approve').response();
    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);
    step('The dialogue draft is up. Both approve it');
    await room.click(threadId, dialogue, ava.id, 'Approve').response();
    await room.click(threadId, dialogue, ben, 'Approve').response();
    await discord.waitFor(() => discord.messages(threadId).find((m) => embedText(m).includes('Page 1 approved')), {
      description: 'the approved page',
      timeoutMs: 30_000,
    });
    // The page card and the progress message are redrawn a moment after the announcement.
    const approved = `Status: ${describePageState({ state: 'page_approved', stage: 'dialogue' })}`;
    const card = () => discord.messages(threadId).find((m) => (m.embeds[0] as { title?: string } | undefined)?.title === 'Page 1');
    await discord.waitFor(
      () => {
        const shown = card();
        return (
          (shown !== undefined &&
            embedText(shown).includes(approved) &&
            discord.messages(threadId).some((m) => embedText(m).includes('1 approved, 0 in review'))) ||
          undefined
        );
      },
      {
        description: 'the page card and progress saying approved',
        timeoutMs: 30_000,
      },
    );

    step('The chapter thread, as a co-writer reads it:');
    console.log(renderChannel(discord.messages(threadId)));

    step('ben asks what ava changed: /page diff page:1 from:2 to:3 (only ben sees it)');
    const diff = await discord
      .slashCommand({
        guildId: guild.id,
        channelId: threadId,
        userId: ben,
        name: 'page',
        subcommand: 'diff',
        options: { page: 1, from: 2, to: 3 },
      })
      .response();
    console.log(indent(embedsText(diff.embeds).slice(0, 600)));

    step('ava starts page 2 with two takes: /page start input:"Tracks at the treeline" takes:2');
    await discord
      .slashCommand({
        guildId: guild.id,
        channelId: threadId,
        userId: ava.id,
        name: 'page',
        subcommand: 'start',
        options: { input: 'Tracks at the treeline', takes: 2 },
      })
      .response();
    const takeA = await room.openTake(threadId, 2, 'Narration', 1, 'A');
    const takeB = await room.openTake(threadId, 2, 'Narration', 1, 'B');
    console.log(indent(`${embedText(takeA).split('\n')[1] ?? ''}\n${embedText(takeB).split('\n')[1] ?? ''}`));
    step('Two takes of the narration, one request to the model. ava and ben both press Pick B');
    await room.click(threadId, takeB, ava.id, 'Pick B').response();
    await room.click(threadId, takeB, ben, 'Pick B').response();
    await room.openTake(threadId, 2, 'Dialogue', 1, 'A');
    step('The dialogue comes as two takes too. ben presses Another take; the third take joins the round');
    // The round's Another take is on its last take.
    await room.click(threadId, await room.openTake(threadId, 2, 'Dialogue', 1, 'B'), ben, 'Another take').response();
    const dialogueC = await room.openTake(threadId, 2, 'Dialogue', 1, 'C');
    step('Both pick take C');
    await room.click(threadId, dialogueC, ava.id, 'Pick C').response();
    await room.click(threadId, dialogueC, ben, 'Pick C').response();
    await discord.waitFor(() => discord.messages(threadId).find((m) => embedText(m).includes('Page 2 approved')), {
      description: 'page 2 approved',
      timeoutMs: 30_000,
    });
    console.log(indent(embedText(room.message(threadId, dialogueC.id)).split('\n').slice(0, 4).join('\n')));

    // The panels agent writes the image prompts a moment after the approval.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    step('ava exports the chapter: /chapter export format:markdown, then format:comfyui');
    for (const format of ['markdown', 'comfyui']) {
      const exported = await discord
        .slashCommand({
          guildId: guild.id,
          channelId: threadId,
          userId: ava.id,
          name: 'chapter',
          subcommand: 'export',
          options: { format },
        })
        .response();
      console.log(indent(exported.content));
      for (const file of exported.attachments ?? []) {
        const text = file.content.toString('utf8');
        console.log(indent(`📎 ${file.filename} (${file.content.length} bytes)\n${text.split('\n').slice(0, 12).join('\n')}\n…`));
      }
    }

    step('ComfyUI draws the three panels; the "Page 1 · Panels" message shows them as they finish');
    const panels = await discord.waitFor(
      () =>
        discord
          .messages(threadId)
          .find(
            (m) => m.content.startsWith('**Page 1 · Panels**') && m.attachments.length === 3 && /3 of 3 panels rendered/.test(m.content),
          ),
      { description: 'the three rendered panels', timeoutMs: comfy ? 60_000 : 600_000 },
    );
    console.log(indent(panels.content));
    for (const embed of panels.embeds)
      console.log(indent(`${String(embed.title)}: ${(embed.footer as { text?: string } | undefined)?.text ?? ''}`));
    const folder = mkdtempSync(join(tmpdir(), 'storyroom-demo-panels-'));
    for (const image of panels.attachments) writeFileSync(join(folder, image.filename), image.content);
    console.log(
      indent(`saved ${panels.attachments.map((image) => `${image.filename} (${image.size} bytes)`).join(', ')}
  to ${folder}`),
    );

    step('ava and ben approve the panels; the page is lettered and posted as "Page 1 · Lettered"');
    await room.click(threadId, panels, ava.id, 'Approve panels').response();
    await room.click(threadId, room.message(threadId, panels.id), ben, 'Approve panels').response();
    const lettered = await discord.waitFor(
      () => discord.messages(threadId).find((m) => textOf(m).startsWith('**Page 1 · Lettered**') && m.attachments.length === 1),
      {
        description: 'the lettered page',
        timeoutMs: 60_000,
      },
    );
    await room.click(threadId, room.message(threadId, lettered.id), ava.id, 'Approve').response();
    await room.click(threadId, room.message(threadId, lettered.id), ben, 'Approve').response();
    const approvedLettering = room.message(threadId, lettered.id);
    console.log(indent(textOf(approvedLettering)));
    for (const image of approvedLettering.attachments) writeFileSync(join(folder, image.filename), image.content);
    console.log(
      indent(`saved the lettered page ${approvedLettering.attachments.map((image) => `${image.filename} (${image.size} bytes)`).join(', ')}
  to ${folder}`),
    );

    if (discord.violations.length > 0) {
      failed = true;
      console.error(`Discord limits were broken:\n${discord.violations.join('\n')}`);
    }
  } catch (error) {
    failed = true;
    console.error(`The demo failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await stopAll();
  }
  if (failed) process.exitCode = 1;
  else console.log('\nDemo finished: pages 1 and 2 of "Embers" are approved, and page 1 is lettered.');
}

await main().catch((error: unknown) => {
  console.error(`The demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
