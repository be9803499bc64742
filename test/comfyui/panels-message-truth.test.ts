import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChannelPng } from '../../loopback/discord/render-channel-png.js';
import type { StoredMessage } from '../../loopback/discord/types.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { buttonsOf, WritersRoom } from '../../loopback/writers-room.js';
import { panelsMessage, roomWithRenderedPanels, waitForPanels } from './panels-story.js';

// The panels message read as a co-writer reads it, at each moment: while a panel is drawn again, while
// ComfyUI cannot be reached, after an operator's fault, with images past Discord's upload limit, and
// after the set is approved. Each redraw uploads only the image that changed.

const footerOf = (message: StoredMessage, panel: number) =>
  (message.embeds[panel - 1]?.footer as { text?: string } | undefined)?.text ?? '';
const imageOf = (message: StoredMessage, panel: number) => (message.embeds[panel - 1]?.image as { url?: string } | undefined)?.url;
const enabled = (message: StoredMessage, label: string) => buttonsOf(message).find((b) => b.label === label)?.disabled !== true;
const statusLine = (message: StoredMessage) => message.content.split('\n')[1] ?? '';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

describe('the panels message says what is happening, as co-writers read it', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const logLines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  const current = () => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    return message;
  };
  /** The edits of the panels message since call `from`, with what each uploaded. */
  const editsSince = (from: number) =>
    h.discord.calls
      .slice(from)
      .filter((call) => call.method === 'PATCH' && call.path.endsWith(`/messages/${current().id}`) && call.status === 200);

  beforeAll(async () => {
    h = await startStoryroom('panels-truth', {
      env: { PANEL_PROMPTS: 'on', LOG_LEVEL: 'warn' },
      comfyui: { stepDelayMs: 2 },
      logDestination: capture,
    });
    room = new WritersRoom(h);
    ({ threadId, writer } = await roomWithRenderedPanels(h, room, 'Lanterns', 'The Pass'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a panel drawn again says so on its own panel, keeps its old image meanwhile, and Approve and its Reroll wait; only its new image is uploaded', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    const before = current();
    expect(enabled(before, 'Approve panels')).toBe(true);
    const from = h.discord.calls.length;
    h.comfy.stepDelayMs = 150;
    expect((await room.click(threadId, before, writer, 'Reroll 1').response()).content).toMatch(/Panel 1 is being drawn again/);

    const drawing = await waitForPanels(h, threadId, 'panel 1 shown being drawn again', (m) => /step \d+\/\d+/.test(footerOf(m, 1)));
    // The emulator edits the message in place: what a co-writer saw at this moment, kept for the picture below.
    const seen: StoredMessage = { ...drawing, embeds: structuredClone(drawing.embeds), components: structuredClone(drawing.components) };
    expect(footerOf(drawing, 1)).toMatch(
      /^render 2 · seed \d+ · rendering, being drawn again \(step \d+\/\d+\) · the image above is render 1$/,
    );
    expect(imageOf(drawing, 1)).toBe('attachment://page-1-panel-1-render-1.png');
    expect(footerOf(drawing, 2)).toMatch(/^render 1 · seed \d+ · done$/);
    expect(statusLine(drawing)).toMatch(/^1 of 2 panels rendered · panel 1 being drawn again \(step \d+\/\d+\)$/);
    expect(enabled(drawing, 'Approve panels')).toBe(false);
    expect(enabled(drawing, 'Reroll 1')).toBe(false);
    expect(enabled(drawing, 'Change prompt 1')).toBe(false);
    expect(enabled(drawing, 'Reroll 2')).toBe(true);
    expect(drawing.attachments.map((a) => a.filename)).toEqual(['page-1-panel-1-render-1.png', 'page-1-panel-2-render-1.png']);

    h.comfy.stepDelayMs = 2;
    const done = await waitForPanels(
      h,
      threadId,
      'panel 1 drawn again',
      (m) => footerOf(m, 1).startsWith('render 2 ') && enabled(m, 'Approve panels'),
    );
    expect(footerOf(done, 1)).toMatch(/^render 2 · seed \d+ · done$/);
    expect(statusLine(done)).toBe('2 of 2 panels rendered · approvals 0 of 2 needed');
    expect(done.attachments.map((a) => a.filename)).toEqual(['page-1-panel-1-render-2.png', 'page-1-panel-2-render-1.png']);
    // Panel 2's file is the same attachment as before the reroll: kept by id, not sent again.
    expect(done.attachments[1]?.id).toBe(before.attachments[1]?.id);
    const uploaded = editsSince(from).reduce((sum, call) => sum + call.uploadedBytes, 0);
    expect(uploaded).toBe(done.attachments[0]?.size);
    expect(editsSince(from).filter((call) => call.uploadedBytes > 0)).toHaveLength(1);

    // What a co-writer sees at this moment, drawn as a picture.
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(join(ARTIFACTS, 'panels-while-redrawing.png'), await renderChannelPng([seen]));
  });

  it('while the image server cannot be reached the panel and the line under the title say so, steadily, until it answers', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    await h.comfy.down();
    const from = h.discord.calls.length;
    await room.click(threadId, current(), writer, 'Reroll 2').response();
    const waiting = await waitForPanels(h, threadId, 'the second attempt shown', (m) => statusLine(m).includes('(attempt 2 of 5)'));
    expect(statusLine(waiting)).toBe(
      '1 of 2 panels rendered · The image server cannot be reached; trying again (attempt 2 of 5) · panel 2 waiting',
    );
    expect(footerOf(waiting, 2)).toMatch(
      /^render 2 · seed \d+ · waiting to be drawn again: the image server cannot be reached · the image above is render 1$/,
    );
    expect(enabled(waiting, 'Approve panels')).toBe(false);
    await h.comfy.up();
    await waitForPanels(
      h,
      threadId,
      'panel 2 drawn once ComfyUI is back',
      (m) => footerOf(m, 2).startsWith('render 2 ') && footerOf(m, 2).endsWith('done'),
    );

    // Once it first said ComfyUI cannot be reached, the line said so on every edit until ComfyUI answered.
    const lines = editsSince(from).map((call) => ((call.body as { content?: string }).content ?? '').split('\n')[1] ?? '');
    const first = lines.findIndex((line) => line.includes('cannot be reached'));
    const last = lines.findLastIndex((line) => line.includes('cannot be reached'));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(lines.slice(first, last + 1).every((line) => line.includes('cannot be reached'))).toBe(true);
    expect(lines.slice(last + 1).some((line) => line.includes('cannot be reached'))).toBe(false);
  });

  it('a missing model is said in plain words with who can fix it, the detail is logged, and Reroll works once it is fixed', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    h.comfy.checkpoints = ['other_model.safetensors'];
    await room.click(threadId, current(), writer, 'Reroll 1').response();
    const refused = await waitForPanels(
      h,
      threadId,
      'the refusal shown',
      (m) => footerOf(m, 1).startsWith('render 3 ') && footerOf(m, 1).includes('failed:'),
    );
    expect(footerOf(refused, 1)).toBe(
      `render 3 · seed ${/seed (\d+)/.exec(footerOf(refused, 1))?.[1] ?? ''} · failed: the image server is missing a model it needs to draw panels; ask whoever runs the bot. Reroll works once it is fixed`,
    );
    expect(JSON.stringify(refused)).not.toMatch(/sd_xl_base|other_model|CheckpointLoaderSimple|safetensors/);
    expect(statusLine(refused)).toBe('1 of 2 panels rendered · panel 1 failed');
    expect(enabled(refused, 'Approve panels')).toBe(false);
    expect(logLines.some((line) => line.includes('the checkpoint sd_xl_base_1.0.safetensors is not installed'))).toBe(true);

    h.comfy.checkpoints = ['sd_xl_base_1.0.safetensors'];
    expect(enabled(refused, 'Reroll 1')).toBe(true);
    await room.click(threadId, refused, writer, 'Reroll 1').response();
    await waitForPanels(
      h,
      threadId,
      'panel 1 drawn once the model is there',
      (m) => footerOf(m, 1).startsWith('render 4 ') && footerOf(m, 1).endsWith('done'),
    );
  });

  it('images past Discord’s 10 MiB upload limit are linked, not attached; each request stays under it', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    h.comfy.imagePaddingBytes = 6 * 1024 * 1024;
    const from = h.discord.calls.length;
    for (const [panel, render] of [
      [1, 5],
      [2, 3],
    ] as const) {
      await waitForPanels(h, threadId, `Reroll ${panel} enabled`, (m) => enabled(m, `Reroll ${panel}`));
      await room.click(threadId, current(), writer, `Reroll ${panel}`).response();
      await waitForPanels(
        h,
        threadId,
        `panel ${panel} drawn large`,
        (m) => footerOf(m, panel).startsWith(`render ${render} `) && footerOf(m, panel).endsWith('done'),
      );
    }
    h.comfy.imagePaddingBytes = 0;
    const shown = current();
    expect(shown.attachments.map((a) => a.filename)).toEqual(['page-1-panel-1-render-5.png']);
    expect(shown.attachments[0]?.size).toBeGreaterThan(6 * 1024 * 1024);
    expect(imageOf(shown, 2)).toBeUndefined();
    expect(shown.embeds[1]?.description).toMatch(/Too large to attach: \/api\/images\/[0-9a-f]{64}$/);
    expect(h.discord.calls.slice(from).every((call) => call.status !== 413 && call.uploadedBytes <= 10 * 1024 * 1024)).toBe(true);
  });

  it('after approval the message is final: no buttons, says so, and keeps its images without uploading them again', async () => {
    // Small images again, so both are attached for the vote.
    for (const [panel, render] of [
      [1, 6],
      [2, 4],
    ] as const) {
      await waitForPanels(h, threadId, `Reroll ${panel} enabled`, (m) => enabled(m, `Reroll ${panel}`));
      await room.click(threadId, current(), writer, `Reroll ${panel}`).response();
      await waitForPanels(
        h,
        threadId,
        `panel ${panel} drawn`,
        (m) => footerOf(m, panel).startsWith(`render ${render} `) && footerOf(m, panel).endsWith('done'),
      );
    }
    const open = await waitForPanels(h, threadId, 'Approve enabled', (m) => enabled(m, 'Approve panels') && m.attachments.length === 2);
    const attachmentIds = open.attachments.map((a) => a.id);
    await room.click(threadId, open, writer, 'Approve panels').response();
    const from = h.discord.calls.length;
    await room.click(threadId, current(), h.adminId, 'Approve panels').response();
    const final = await waitForPanels(
      h,
      threadId,
      'the set final',
      (m) => m.components.length === 0 && statusLine(m).includes('final for the page'),
    );
    await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => m.content.startsWith('**Page 1 · panels approved**')), {
      description: 'the approval announced',
      timeoutMs: 15_000,
    });
    expect(statusLine(final)).toBe('2 of 2 panels rendered · approved by the co-writers: final for the page');
    expect(final.attachments.map((a) => a.id)).toEqual(attachmentIds);
    expect(editsSince(from).every((call) => call.uploadedBytes === 0)).toBe(true);
  });
});
