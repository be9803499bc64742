import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { button, WritersRoom } from '../../loopback/writers-room.js';
import { encodeCustomId } from '../../src/discord/custom-id.js';
import { answer, approvePage, panelsMessage, waitForPanels } from './panels-story.js';

interface TextInputJson {
  type: number;
  custom_id?: string;
  value?: string;
  max_length?: number;
  component?: TextInputJson;
}

/** The text inputs of a modal, inside labels or action rows. */
function textInputsOf(components: unknown[]): TextInputJson[] {
  return (components as { component?: TextInputJson; components?: TextInputJson[] }[]).flatMap((c) => [...(c.component ? [c.component] : []), ...(c.components ?? [])]).filter((c) => c.type === 4);
}

describe('reviewing the rendered panels in the thread', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const renders = (panel: number) =>
    h.database.db.selectFrom('panel_renders').select(['id', 'render_number', 'seed', 'prompt', 'status', 'image_hash', 'requested_by']).where('panel_number', '=', panel).orderBy('render_number').execute();

  beforeAll(async () => {
    h = await startStoryroom('panel-review', { env: { PANEL_PROMPTS: 'on' }, comfyui: { stepDelayMs: 2 } });
    h.model.setResponder(answer);
    room = new WritersRoom(h);
    await room.setupStory('Ash and Ember');
    threadId = await room.openChapter('Cinders');
    writer = room.newMember('writer');
    await room.join(threadId, writer);
    await approvePage(h, room, threadId, writer);
    await waitForPanels(h, threadId, 'both panels rendered', (m) => m.content.includes('2 of 2 panels rendered'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('Change prompt opens a form with the panel’s prompt; the new prompt is drawn (same seed) and the change kept in history', async () => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    const opened = await room.click(threadId, message, writer, 'Change prompt 1').response();
    expect(opened.kind).toBe('modal');
    const form = opened.modal;
    if (!form) throw new Error('no form');
    expect(form.custom_id.length).toBeLessThanOrEqual(100);
    expect(form.title.length).toBeLessThanOrEqual(45);
    const [input] = textInputsOf(form.components);
    expect(input?.value).toBe('snowy pass, dawn light, woman with lantern');
    expect(input?.max_length).toBeLessThanOrEqual(4000);

    const before = await renders(1);
    const reply = await h.discord
      .submitModal({ guildId: h.guildId, channelId: threadId, userId: writer, customId: form.custom_id, fields: { [input?.custom_id ?? '']: '  snowy pass at dusk,\n red lantern  ' }, messageId: message.id })
      .response();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/Panel 1 is being drawn again with your prompt/);
    await waitForPanels(h, threadId, 'panel 1 drawn with the new prompt', (m) => m.attachments.some((a) => a.filename === 'page-1-panel-1-render-2.png'));

    const after = await renders(1);
    expect(after).toHaveLength(before.length + 1);
    const [first, second] = [after.at(-2), after.at(-1)];
    expect(second).toMatchObject({ prompt: 'snowy pass at dusk, red lantern', status: 'done', requested_by: writer, seed: first?.seed });
    expect(second?.image_hash).not.toBe(first?.image_hash);
    const sent = h.comfy?.submissions.at(-1)?.prompt;
    expect(JSON.stringify(sent)).toContain('snowy pass at dusk, red lantern');
    const edits = await h.database.db.selectFrom('panel_prompt_edits').selectAll().execute();
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({ user_id: writer, old_prompt: 'snowy pass, dawn light, woman with lantern', new_prompt: 'snowy pass at dusk, red lantern', render_id: second?.id });
    expect(edits[0]?.created_at).toBeInstanceOf(Date);
    const shown = panelsMessage(h, threadId);
    expect(shown?.embeds[0]?.description).toContain('snowy pass at dusk, red lantern');

    // The same form sent again was opened on the render before: refused, nothing changed.
    const stale = await h.discord
      .submitModal({ guildId: h.guildId, channelId: threadId, userId: writer, customId: form.custom_id, fields: { [input?.custom_id ?? '']: 'a third idea' }, messageId: message.id })
      .response();
    expect(stale.ephemeral).toBe(true);
    expect(stale.content).toMatch(/was drawn again while your form was open/);
    expect(await renders(1)).toHaveLength(after.length);
  });

  it('a reader, a forged form and an unchanged prompt are refused in words, and nothing changes', async () => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    const reader = room.newMember('reader');
    const count = async () => (await h.database.db.selectFrom('panel_renders').select('id').execute()).length;
    const before = await count();

    const byReader = await room.click(threadId, message, reader, 'Change prompt 2').response();
    expect(byReader.kind).not.toBe('modal');
    expect(byReader.content).toMatch(/Only co-writers/);

    const panelId = Number(button(message, 'Change prompt 2').custom_id?.split(':').at(-1));
    const latest = (await renders(2)).at(-1);
    const submit = (userId: string, customId: string, prompt: string, channelId = threadId) =>
      h.discord.submitModal({ guildId: h.guildId, channelId, userId, customId, fields: { prompt }, messageId: message.id }).response();
    expect((await submit(reader, encodeCustomId({ action: 'promptsave', panelId, renderId: latest?.id ?? 0 }), 'a reader’s idea')).content).toMatch(/Only co-writers/);
    expect((await submit(writer, encodeCustomId({ action: 'promptsave', panelId: panelId + 1000, renderId: latest?.id ?? 0 }), 'forged')).content).toMatch(/does not belong to a page in this thread/);
    expect((await submit(writer, 'sr1:promptsave:1', 'truncated')).content).toMatch(/not one storyroom understands/);
    expect((await submit(writer, encodeCustomId({ action: 'promptsave', panelId, renderId: latest?.id ?? 0 }), 'glowing rune on a wrist, dark')).content).toMatch(/prompt already/);
    expect((await submit(writer, encodeCustomId({ action: 'promptsave', panelId, renderId: latest?.id ?? 0 }), '   ')).content).toMatch(/empty/);
    expect(await count()).toBe(before);
    expect(await h.database.db.selectFrom('panel_prompt_edits').select('id').execute()).toHaveLength(1);
  });
});
