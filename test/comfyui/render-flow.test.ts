import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngSize } from '../../loopback/comfyui/png.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { WritersRoom } from '../../loopback/writers-room.js';
import { answer, approvePage, panelsMessage } from './panels-story.js';

describe('an approved page’s panels are rendered by ComfyUI and posted in the thread', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;

  beforeAll(async () => {
    h = await startStoryroom('render-flow', { env: { PANEL_PROMPTS: 'on' }, comfyui: { stepDelayMs: 5 } });
    h.model.setResponder(answer);
    room = new WritersRoom(h);
    await room.setupStory('Ash and Ember');
    threadId = await room.openChapter('Cinders');
    writer = room.newMember('writer');
    await room.join(threadId, writer);
    await approvePage(h, room, threadId, writer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('one render per panel, shown with progress and then as image attachments on one "Page 1 · Panels" message', async () => {
    const done = await h.discord.waitFor(
      () => {
        const message = panelsMessage(h, threadId);
        return message?.content.includes('2 of 2 panels rendered') && message.attachments.length === 2 ? message : undefined;
      },
      { description: 'both panels rendered and attached', timeoutMs: 30_000 },
    );
    expect(h.discord.messages(threadId).filter((m) => m.content.startsWith('**Page 1 · Panels**'))).toHaveLength(1);
    expect(done.attachments.map((a) => a.filename)).toEqual(['page-1-panel-1-render-1.png', 'page-1-panel-2-render-1.png']);
    for (const attachment of done.attachments) expect(readPngSize(attachment.content)).toEqual({ width: 832, height: 1216 });
    expect(done.embeds.map((e) => (e.image as { url?: string } | undefined)?.url)).toEqual([
      'attachment://page-1-panel-1-render-1.png',
      'attachment://page-1-panel-2-render-1.png',
    ]);
    expect((done.embeds[0]?.footer as { text?: string } | undefined)?.text).toMatch(/^render 1 · seed \d+ · done$/);

    // Progress was edited into the message while the sampler ran.
    const edits = h.discord.calls
      .filter((call) => call.method === 'PATCH' && call.path.includes(done.id))
      .map((call) => (call.body as { content?: string } | null)?.content ?? '');
    expect(edits.some((text) => /panel \d rendering \(step \d+\/\d+\)/.test(text))).toBe(true);

    // One ComfyUI prompt per panel, each with its own prompt text and the prompt id stored beforehand.
    expect(h.comfy?.submissions).toHaveLength(2);
    const renders = await h.database.db
      .selectFrom('panel_renders')
      .select(['panel_number', 'status', 'comfy_prompt_id', 'prompt', 'image_hash'])
      .orderBy('panel_number')
      .execute();
    expect(renders.map((r) => [r.panel_number, r.status])).toEqual([
      [1, 'done'],
      [2, 'done'],
    ]);
    expect(h.comfy?.submissions.map((s) => s.promptId).sort()).toEqual(renders.map((r) => r.comfy_prompt_id).sort());
    expect(renders[0]?.prompt).toBe('snowy pass, dawn light, woman with lantern');
    const stored = await h.database.db
      .selectFrom('images')
      .select('hash')
      .where(
        'hash',
        'in',
        renders.map((r) => r.image_hash ?? ''),
      )
      .execute();
    expect(stored).toHaveLength(2);
  });

  it('Reroll draws the panel again with a new seed and a different image; the earlier render is kept; a reader’s click changes nothing', async () => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    const reader = room.newMember('reader');
    const refused = await room.click(threadId, message, reader, 'Reroll 1').response();
    expect(refused.ephemeral).toBe(true);
    expect(await h.database.db.selectFrom('panel_renders').select('id').execute()).toHaveLength(2);

    const reply = await room.click(threadId, message, writer, 'Reroll 1').response();
    expect(reply.content).toMatch(/Panel 1 is being drawn again with a new seed/);
    const redrawn = await h.discord.waitFor(
      () => {
        const current = panelsMessage(h, threadId);
        return current?.attachments.some((a) => a.filename === 'page-1-panel-1-render-2.png') ? current : undefined;
      },
      { description: 'panel 1 rerolled and attached', timeoutMs: 30_000 },
    );
    expect(redrawn.attachments.map((a) => a.filename)).toEqual(['page-1-panel-1-render-2.png', 'page-1-panel-2-render-1.png']);
    const panel1 = await h.database.db
      .selectFrom('panel_renders')
      .select(['render_number', 'seed', 'status', 'image_hash', 'requested_by'])
      .where('panel_number', '=', 1)
      .orderBy('render_number')
      .execute();
    expect(panel1.map((r) => [r.render_number, r.status])).toEqual([
      [1, 'done'],
      [2, 'done'],
    ]);
    expect(panel1[1]?.seed).not.toBe(panel1[0]?.seed);
    expect(panel1[1]?.image_hash).not.toBe(panel1[0]?.image_hash);
    expect(panel1[1]?.requested_by).toBe(writer);
    expect(h.comfy?.submissions).toHaveLength(3);
  });

  it('a render that fails in ComfyUI is named on the panels message with its node, and the panel can be rerolled', async () => {
    h.comfy?.failNextRun('CUDA out of memory. Tried to allocate 2.00 GiB');
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    await room.click(threadId, message, writer, 'Reroll 2').response();
    const failed = await h.discord.waitFor(
      () => {
        const current = panelsMessage(h, threadId);
        return current?.content.includes('panel 2 failed') ? current : undefined;
      },
      { description: 'the failure shown', timeoutMs: 30_000 },
    );
    const footer = (failed.embeds[1]?.footer as { text?: string } | undefined)?.text ?? '';
    expect(footer).toMatch(/render 2 · seed \d+ · failed: the image server ran out of memory drawing this panel/);
    expect(failed.content).toContain('1 of 2 panels rendered');
    const rows = await h.database.db
      .selectFrom('panel_renders')
      .select(['status', 'failure'])
      .where('panel_number', '=', 2)
      .orderBy('render_number')
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['done', 'failed']);
    expect(failed.components.length).toBeGreaterThan(0);
  });
});

describe('with rendering off', () => {
  let h: StoryroomHarness;

  beforeAll(async () => {
    h = await startStoryroom('render-off', { env: { PANEL_PROMPTS: 'on' } });
    h.model.setResponder(answer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('nothing is queued and the panels message says rendering is off', async () => {
    const room = new WritersRoom(h);
    await room.setupStory('No Pictures');
    const threadId = await room.openChapter('Plain');
    const writer = room.newMember('writer');
    await room.join(threadId, writer);
    await approvePage(h, room, threadId, writer);
    const message = await h.discord.waitFor(() => panelsMessage(h, threadId), { description: 'panels message', timeoutMs: 15_000 });
    expect(message.content).toContain('Rendering is off');
    expect(message.embeds.map((e) => e.title)).toEqual(['Panel 1', 'Panel 2']);
    expect(await h.database.db.selectFrom('panel_renders').select('id').execute()).toEqual([]);
    expect(await h.database.db.selectFrom('outbox').select('id').where('job_name', '=', 'render-panel').execute()).toEqual([]);
  });
});
