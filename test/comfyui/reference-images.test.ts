import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunk, encodePng, SIGNATURE } from '../../loopback/comfyui/png.js';
import type { RecordedRequest } from '../../loopback/model/types.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { WritersRoom } from '../../loopback/writers-room.js';
import type { AttachmentInput } from '../../loopback/discord/interactions.js';
import type { StoredMessage } from '../../loopback/discord/types.js';
import { listApprovedPanelImages } from '../../src/db/reader.js';
import { describeReferences } from '../../src/domain/character-references.js';
import { approvePage, panelsMessage, waitForPanels } from './panels-story.js';

// Reference images through the real discord.js client and the loopback ComfyUI, with the built-in
// SDXL + IPAdapter workflow: two character slots (LoadImage 21 → IPAdapterAdvanced 22, 23 → 24) and
// a style slot (25 → 26).

/** Panel 1 shows Mira; panel 2 shows Kai and Mira. */
function answer(request: RecordedRequest) {
  switch (request.responseFormatName) {
    case 'dialogue_script':
      return {
        json: {
          panels: [
            { panel: 1, caption: 'Dawn at the pass.', lines: [{ speaker: 'Mira', line: 'Keep the lantern low.' }] },
            { panel: 2, caption: null, lines: [{ speaker: 'Kai', line: 'It glows on its own.' }] },
          ],
        },
      };
    case 'panel_prompts':
      return {
        json: {
          panels: [
            {
              panel: 1,
              scene: 'A pass',
              characters: ['Mira'],
              camera: 'wide',
              mood: 'hushed',
              image_prompt: 'woman with lantern',
              negative_prompt: '',
            },
            {
              panel: 2,
              scene: 'Two',
              characters: ['the boy', 'MIRA'],
              camera: 'close',
              mood: 'uneasy',
              image_prompt: 'boy and woman',
              negative_prompt: '',
            },
          ],
        },
      };
    default:
      return { content: 'Mira lifts her lantern at the pass.' };
  }
}

/** Queues a workflow on the loopback ComfyUI as a person would (POST /prompt), and downloads each saved image, by its node's title. */
async function runOnComfy(h: StoryroomHarness, workflow: Record<string, { class_type: string; _meta?: { title: string } }>) {
  const base = h.comfy?.baseUrl ?? '';
  const queued = (await (await fetch(`${base}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: workflow }) })).json()) as {
    prompt_id: string;
  };
  type Entry = {
    status?: { completed: boolean };
    outputs: Record<string, { images?: { filename: string; subfolder: string; type: string }[] }>;
  };
  const entry = await h.discord.waitFor(
    async () => {
      const history = (await (await fetch(`${base}/history/${queued.prompt_id}`)).json()) as Record<string, Entry>;
      return history[queued.prompt_id]?.status?.completed ? history[queued.prompt_id] : undefined;
    },
    { description: 'the exported workflow run' },
  );
  const saved = new Map<string, Buffer>();
  for (const [id, output] of Object.entries(entry?.outputs ?? {}))
    for (const image of output.images ?? []) {
      const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type });
      saved.set(workflow[id]?._meta?.title ?? id, Buffer.from(await (await fetch(`${base}/view?${query.toString()}`)).arrayBuffer()));
    }
  return saved;
}

const KAI_PNG = encodePng(96, 96, (x, y) => [200, (x * 2) % 256, (y * 2) % 256]);

function pngClaiming(width: number, height: number, data: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]);
}

const footer = (message: StoredMessage, index: number) => (message.embeds[index]?.footer as { text?: string } | undefined)?.text ?? '';

describe('reference images from the bible drive the panels they appear in', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;

  const bibleImage = (userId: string, options: Record<string, string | number | boolean>, file?: AttachmentInput) =>
    h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId,
        name: 'bible',
        subcommand: 'image',
        options,
        ...(file ? { attachments: { file } } : {}),
      })
      .response();
  const stored = async () => ({
    references: (await h.database.db.selectFrom('reference_images').select('id').execute()).length,
    images: (await h.database.db.selectFrom('images').select('hash').execute()).length,
  });
  const submissionFor = (text: string, nth = -1) =>
    h.comfy?.submissions.filter((s) => JSON.stringify(s.prompt).includes(text)).at(nth)?.prompt;
  const input = (prompt: Record<string, { inputs: Record<string, unknown> }> | undefined, node: string, name: string) =>
    prompt?.[node]?.inputs[name];

  beforeAll(async () => {
    h = await startStoryroom('reference-images', {
      env: { PANEL_PROMPTS: 'on', COMFYUI_BUILTIN_WORKFLOW: 'sdxl-ipadapter' },
      comfyui: { stepDelayMs: 2 },
    });
    h.model.setResponder(answer);
    room = new WritersRoom(h);
    await room.setupStory('Ash and Ember');
    for (const [title, keywords] of [
      ['Kai', 'the boy'],
      ['Mira', ''],
    ] as const) {
      const options: Record<string, string> = { title, type: 'character', text: `${title} of the pass.` };
      if (keywords) options.keywords = keywords;
      await h.discord
        .slashCommand({ guildId: h.guildId, channelId: h.storyChannelId, userId: h.adminId, name: 'bible', subcommand: 'add', options })
        .response();
    }
    threadId = await room.openChapter('Cinders');
    writer = room.newMember('writer');
    await room.join(threadId, writer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses bad input privately and stores nothing', async () => {
    const refusals: [string, Awaited<ReturnType<typeof bibleImage>>][] = [
      [
        'not an image',
        await bibleImage(h.adminId, { character: 'Kai' }, { filename: 'kai.png', contentType: 'image/png', content: 'hello' }),
      ],
      [
        '50,000 × 50,000',
        await bibleImage(
          h.adminId,
          { character: 'Kai' },
          { filename: 'big.png', contentType: 'image/png', content: pngClaiming(50_000, 50_000, deflateSync(Buffer.alloc(10))) },
        ),
      ],
      [
        'bomb',
        await bibleImage(
          h.adminId,
          { character: 'Kai' },
          { filename: 'bomb.png', contentType: 'image/png', content: pngClaiming(1000, 1000, deflateSync(Buffer.alloc(20 * 1024 * 1024))) },
        ),
      ],
      [
        '30 MB',
        await bibleImage(
          h.adminId,
          { character: 'Kai' },
          { filename: 'huge.png', contentType: 'image/png', content: Buffer.concat([KAI_PNG, Buffer.alloc(30 * 1024 * 1024)]) },
        ),
      ],
      [
        'animated GIF',
        await bibleImage(
          h.adminId,
          { character: 'Kai' },
          { filename: 'kai.gif', contentType: 'image/gif', content: Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(200)]) },
        ),
      ],
      [
        'not in the bible',
        await bibleImage(h.adminId, { character: 'Oren' }, { filename: 'o.png', contentType: 'image/png', content: KAI_PNG }),
      ],
      [
        'no Manage Server',
        await bibleImage(writer, { character: 'Kai' }, { filename: 'k.png', contentType: 'image/png', content: KAI_PNG }),
      ],
    ];
    const reasons = refusals.map(([label, reply]) => [label, reply.ephemeral, reply.content]);
    expect(reasons).toEqual([
      ['not an image', true, expect.stringMatching(/not a PNG, JPEG or WebP/)],
      ['50,000 × 50,000', true, expect.stringMatching(/50000×50000 pixels/)],
      ['bomb', true, expect.stringMatching(/decompression bomb/)],
      ['30 MB', true, expect.stringMatching(/too large/)],
      ['animated GIF', true, expect.stringMatching(/GIF/)],
      ['not in the bible', true, expect.stringMatching(/no character called "Oren"/)],
      ['no Manage Server', true, expect.stringMatching(/Manage Server/)],
    ]);
    expect(await stored()).toEqual({ references: 0, images: 0 });
  });

  it('an uploaded reference is listed in /bible show', async () => {
    const reply = await bibleImage(h.adminId, { character: 'kai' }, { filename: 'kai.png', contentType: 'image/png', content: KAI_PNG });
    expect(reply.content).toMatch(/Stored reference 1 of \*\*Kai\*\*/);
    const show = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: writer,
        name: 'bible',
        subcommand: 'show',
        options: { title: 'Kai' },
      })
      .response();
    expect(JSON.stringify(show.embeds)).toMatch(/Reference images \(1\).*1\. uploaded by <@\d+> on \d{4}-\d\d-\d\d/);
  });

  it('a panel naming the character is drawn with a LoadImage carrying the reference’s bytes; a panel without gets strength 0', async () => {
    await approvePage(h, room, threadId, writer);
    const message = await waitForPanels(h, threadId, 'both panels drawn', (m) => m.content.includes('2 of 2 panels rendered'));
    const kaiFile = String(input(submissionFor('boy and woman'), '21', 'image'));
    expect(kaiFile).toMatch(/^storyroom\/[0-9a-f]{64}\.png$/);
    expect(h.comfy?.files.readInput(kaiFile)?.equals(KAI_PNG)).toBe(true);
    expect(input(submissionFor('boy and woman'), '22', 'weight')).toBe(0.8);
    // Mira has no reference yet: her slot, and every slot of panel 1, loads the grey image at weight 0.
    expect(input(submissionFor('boy and woman'), '24', 'weight')).toBe(0);
    expect(['22', '24', '26'].map((node) => input(submissionFor('woman with lantern'), node, 'weight'))).toEqual([0, 0, 0]);
    expect(input(submissionFor('woman with lantern'), '21', 'image')).toBe('storyroom/neutral-grey.png');
    expect(footer(message, 1)).toMatch(/references: Kai$/);
    expect(footer(message, 0)).not.toMatch(/references/);
    const row = await h.database.db
      .selectFrom('panel_renders')
      .select(['references', 'page_id'])
      .where('panel_number', '=', 2)
      .executeTakeFirstOrThrow();
    expect(row.references).toEqual([{ slot: 0, character: 'Kai', referenceId: expect.any(Number), imageHash: kaiFile.slice(10, 74) }]);
    // The web reader's read of the page's panel images carries them, to say "Drawn with references: Kai".
    const shown = await listApprovedPanelImages(h.database.db, [Number(row.page_id)]);
    expect(shown.map((image) => describeReferences(image.references))).toEqual(['', 'Kai']);
  });

  it('Use as reference: a viewer and a stranger are refused; a co-writer makes panel 1 Mira’s reference', async () => {
    const message = await waitForPanels(h, threadId, 'panels drawn', (m) => m.content.includes('2 of 2 panels rendered'));
    const viewer = room.newMember('viewer');
    await h.discord
      .slashCommand({ guildId: h.guildId, channelId: threadId, userId: viewer, name: 'chapter', subcommand: 'join', options: {} })
      .response();
    await h.database.db.updateTable('chapter_members').set({ role: 'viewer' }).where('user_id', '=', viewer).execute();
    for (const who of [viewer, room.newMember('stranger')]) {
      const refused = await room.click(threadId, message, who, 'Use as reference').response();
      expect([refused.ephemeral, refused.kind, refused.content]).toEqual([true, 'reply', expect.stringMatching(/Only co-writers/)]);
    }
    const form = await room.click(threadId, message, writer, 'Use as reference').response();
    if (form.kind !== 'modal' || !form.modal) throw new Error(`no form: ${form.content}`);
    const submit = (fields: Record<string, string>) =>
      h.discord
        .submitModal({
          guildId: h.guildId,
          channelId: threadId,
          userId: writer,
          customId: form.modal?.custom_id ?? '',
          fields,
          messageId: message.id,
        })
        .response();
    const unknown = await submit({ panel: '1', character: 'Oren' });
    expect([unknown.ephemeral, unknown.content]).toEqual([true, expect.stringMatching(/no character called "Oren"/)]);
    expect(await stored()).toMatchObject({ references: 1 });
    const saved = await submit({ panel: '1', character: 'mira' });
    expect(saved.content).toMatch(/Panel 1's image is now reference 1 of \*\*Mira\*\*/);
    const mira = await h.database.db
      .selectFrom('reference_images')
      .selectAll()
      .where('character_key', '=', 'mira')
      .executeTakeFirstOrThrow();
    const panel1 = await h.database.db
      .selectFrom('panel_renders')
      .select(['id', 'image_hash'])
      .where('panel_number', '=', 1)
      .executeTakeFirstOrThrow();
    expect([mira.source, mira.render_id, mira.image_hash, mira.added_by]).toEqual(['panel', panel1.id, panel1.image_hash, writer]);
  });

  it('two characters fill two slots; a reroll repeats them; after a ComfyUI restart they are uploaded once more and the panel is drawn', async () => {
    let message = await waitForPanels(h, threadId, 'panels drawn', (m) => m.content.includes('2 of 2 panels rendered'));
    await room.click(threadId, message, writer, 'Reroll 2').response();
    message = await waitForPanels(
      h,
      threadId,
      'panel 2 redrawn',
      (m) => m.attachments.some((a) => a.filename === 'page-1-panel-2-render-2.png') && !m.content.includes('waiting'),
    );
    const two = submissionFor('boy and woman');
    const miraFile = String(input(two, '23', 'image'));
    const panel1 = await h.database.db
      .selectFrom('panel_renders')
      .select('image_hash')
      .where('panel_number', '=', 1)
      .executeTakeFirstOrThrow();
    expect(
      h.comfy?.files.readInput(miraFile)?.equals(
        (
          await h.database.db
            .selectFrom('images')
            .select('bytes')
            .where('hash', '=', panel1.image_hash ?? '')
            .executeTakeFirstOrThrow()
        ).bytes,
      ),
    ).toBe(true);
    expect([input(two, '22', 'weight'), input(two, '24', 'weight')]).toEqual([0.8, 0.8]);
    expect(footer(message, 1)).toMatch(/references: Kai and Mira$/);

    const uploadsBefore = h.comfy?.files.uploads.length ?? 0;
    await h.comfy?.restart();
    await room.click(threadId, message, writer, 'Reroll 2').response();
    message = await waitForPanels(
      h,
      threadId,
      'panel 2 drawn after the restart',
      (m) => m.attachments.some((a) => a.filename === 'page-1-panel-2-render-3.png') && !m.content.includes('waiting'),
    );
    const after = h.comfy?.files.uploads.slice(uploadsBefore) ?? [];
    expect(after.sort()).toEqual([String(input(two, '21', 'image')), miraFile, 'storyroom/neutral-grey.png'].sort());
    const renders = await h.database.db
      .selectFrom('panel_renders')
      .select(['render_number', 'status', 'references'])
      .where('panel_number', '=', 2)
      .orderBy('render_number')
      .execute();
    expect(renders.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    expect(renders[2]?.references).toEqual(renders[1]?.references);
    expect(input(submissionFor('boy and woman'), '23', 'image')).toBe(miraFile);
  });

  it('/chapter export format:comfyui and json carry the references of the approved renders, slot by slot, by hash and file', async () => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    await room.click(threadId, message, writer, 'Approve panels').response();
    await room.click(threadId, panelsMessage(h, threadId) ?? message, h.adminId, 'Approve panels').response();
    await h.discord.waitFor(
      () =>
        h.database.db
          .selectFrom('panel_renders')
          .select('id')
          .where('approved', '=', true)
          .where('panel_number', '=', 2)
          .executeTakeFirst(),
      { description: 'panels approved', timeoutMs: 30_000 },
    );
    const approved = await h.database.db
      .selectFrom('panel_renders')
      .select('references')
      .where('approved', '=', true)
      .where('panel_number', '=', 2)
      .executeTakeFirstOrThrow();
    const exportAs = (format: string) =>
      h.discord
        .slashCommand({
          guildId: h.guildId,
          channelId: threadId,
          userId: writer,
          name: 'chapter',
          subcommand: 'export',
          options: { format },
        })
        .response();
    const reply = await exportAs('comfyui');
    expect(reply.content).toContain('1 panel was drawn with reference images');
    const workflow = JSON.parse(reply.attachments?.[0]?.content.toString('utf8') ?? '{}') as Record<
      string,
      { class_type: string; inputs: Record<string, unknown>; _meta?: { title: string } }
    >;
    const loads = Object.values(workflow).filter((node) => node.class_type === 'LoadImage');
    expect(loads.map((node) => [node._meta?.title, node.inputs.image])).toEqual(
      approved.references.map((r) => [
        `Page 1 panel 2 reference character slot ${String(r.slot)}: ${r.character} (sha256 ${r.imageHash})`,
        `storyroom/${r.imageHash}.png`,
      ]),
    );
    expect(approved.references.map((r) => r.character)).toEqual(['Kai', 'Mira']);
    // Each feeds an IPAdapter in panel 2's model chain; panel 1's sampler takes the checkpoint's model.
    const sampler = (title: string) => Object.values(workflow).find((node) => node._meta?.title === title);
    const chain: string[] = [];
    for (let model = sampler('Page 1 panel 2 sampler')?.inputs.model; Array.isArray(model) && workflow[String(model[0])];) {
      const node = workflow[String(model[0])]!;
      chain.unshift(
        node.class_type === 'IPAdapterAdvanced'
          ? String(workflow[String((node.inputs.image as string[])[0])]?.inputs.image)
          : node.class_type,
      );
      model = node.inputs.model;
    }
    expect(chain).toEqual([
      'CheckpointLoaderSimple',
      'IPAdapterUnifiedLoader',
      ...approved.references.map((r) => `storyroom/${r.imageHash}.png`),
    ]);
    expect(sampler('Page 1 panel 1 sampler')?.inputs.model).toEqual(['1', 0]);
    // Run on the image server as it is, and without its reference nodes: only panel 2's picture changes.
    const plain = structuredClone(workflow);
    for (const [id, node] of Object.entries(plain)) if (/^(LoadImage|IPAdapter)/.test(node.class_type)) delete plain[id];
    for (const node of Object.values(plain)) if (node.class_type === 'KSampler') node.inputs.model = ['1', 0];
    const [drawn, drawnPlain] = [await runOnComfy(h, workflow), await runOnComfy(h, plain)];
    expect(drawn.get('Page 1 panel 1 save')?.equals(drawnPlain.get('Page 1 panel 1 save') ?? Buffer.alloc(0))).toBe(true);
    expect(drawn.get('Page 1 panel 2 save')?.equals(drawnPlain.get('Page 1 panel 2 save') ?? Buffer.alloc(0))).toBe(false);
    // The files they name are the ones the bot uploaded to ComfyUI: the same bytes as the stored references.
    for (const r of approved.references) {
      const stored = await h.database.db.selectFrom('images').select('bytes').where('hash', '=', r.imageHash).executeTakeFirstOrThrow();
      expect(h.comfy?.files.readInput(`storyroom/${r.imageHash}.png`)?.equals(stored.bytes)).toBe(true);
    }
    const json = JSON.parse((await exportAs('json')).attachments?.[0]?.content.toString('utf8') ?? '{}') as {
      pages: { panels: { panel: number; references?: unknown }[] }[];
    };
    expect(json.pages[0]?.panels.map((p) => p.references)).toEqual([
      undefined,
      approved.references.map((r) => ({
        slot: r.slot,
        character: r.character,
        imageHash: r.imageHash,
        file: `storyroom/${r.imageHash}.png`,
      })),
    ]);
  });
});
