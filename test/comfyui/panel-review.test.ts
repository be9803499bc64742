import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { button, WritersRoom } from '../../loopback/writers-room.js';
import { listApprovedPanelImages } from '../../src/db/reader.js';
import { encodeCustomId } from '../../src/views/custom-id.js';
import { panelsMessage, roomWithRenderedPanels, waitForPanels } from './panels-story.js';

interface TextInputJson {
  type: number;
  custom_id?: string;
  value?: string;
  max_length?: number;
  component?: TextInputJson;
}

/** The text inputs of a modal, inside labels or action rows. */
function textInputsOf(components: unknown[]): TextInputJson[] {
  return (components as { component?: TextInputJson; components?: TextInputJson[] }[])
    .flatMap((c) => [...(c.component ? [c.component] : []), ...(c.components ?? [])])
    .filter((c) => c.type === 4);
}

describe('reviewing the rendered panels in the thread', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const renders = (panel: number) =>
    h.database.db
      .selectFrom('panel_renders')
      .select(['id', 'render_number', 'seed', 'prompt', 'status', 'image_hash', 'requested_by'])
      .where('panel_number', '=', panel)
      .orderBy('render_number')
      .execute();

  beforeAll(async () => {
    h = await startStoryroom('panel-review', { env: { PANEL_PROMPTS: 'on' }, comfyui: { stepDelayMs: 2 } });
    room = new WritersRoom(h);
    ({ threadId, writer } = await roomWithRenderedPanels(h, room, 'Ash and Ember', 'Cinders'));
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
      .submitModal({
        guildId: h.guildId,
        channelId: threadId,
        userId: writer,
        customId: form.custom_id,
        fields: { [input?.custom_id ?? '']: '  snowy pass at dusk,\n red lantern  ' },
        messageId: message.id,
      })
      .response();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/Panel 1 is being drawn again with your prompt/);
    await waitForPanels(h, threadId, 'panel 1 drawn with the new prompt', (m) =>
      m.attachments.some((a) => a.filename === 'page-1-panel-1-render-2.png'),
    );

    const after = await renders(1);
    expect(after).toHaveLength(before.length + 1);
    const [first, second] = [after.at(-2), after.at(-1)];
    expect(second).toMatchObject({ prompt: 'snowy pass at dusk, red lantern', status: 'done', requested_by: writer, seed: first?.seed });
    expect(second?.image_hash).not.toBe(first?.image_hash);
    const sent = h.comfy?.submissions.at(-1)?.prompt;
    expect(JSON.stringify(sent)).toContain('snowy pass at dusk, red lantern');
    const edits = await h.database.db.selectFrom('panel_prompt_edits').selectAll().execute();
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({
      user_id: writer,
      old_prompt: 'snowy pass, dawn light, woman with lantern',
      new_prompt: 'snowy pass at dusk, red lantern',
      render_id: second?.id,
    });
    expect(edits[0]?.created_at).toBeInstanceOf(Date);
    const shown = panelsMessage(h, threadId);
    expect(shown?.embeds[0]?.description).toContain('snowy pass at dusk, red lantern');

    // The same form sent again was opened on the render before: refused, nothing changed.
    const stale = await h.discord
      .submitModal({
        guildId: h.guildId,
        channelId: threadId,
        userId: writer,
        customId: form.custom_id,
        fields: { [input?.custom_id ?? '']: 'a third idea' },
        messageId: message.id,
      })
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
    expect(
      (await submit(reader, encodeCustomId({ action: 'promptsave', panelId, renderId: latest?.id ?? 0 }), 'a reader’s idea')).content,
    ).toMatch(/Only co-writers/);
    expect(
      (await submit(writer, encodeCustomId({ action: 'promptsave', panelId: panelId + 1000, renderId: latest?.id ?? 0 }), 'forged'))
        .content,
    ).toMatch(/does not belong to a page in this thread/);
    expect((await submit(writer, 'sr1:promptsave:1', 'truncated')).content).toMatch(/not one storyroom understands/);
    expect(
      (await submit(writer, encodeCustomId({ action: 'promptsave', panelId, renderId: latest?.id ?? 0 }), 'glowing rune on a wrist, dark'))
        .content,
    ).toMatch(/prompt already/);
    expect((await submit(writer, encodeCustomId({ action: 'promptsave', panelId, renderId: latest?.id ?? 0 }), '   ')).content).toMatch(
      /empty/,
    );
    expect(await count()).toBe(before);
    expect(await h.database.db.selectFrom('panel_prompt_edits').select('id').execute()).toHaveLength(1);
  });

  it('the set is approved by the story’s quorum; a reroll after a vote starts the vote over; approved panels are final and shown by the reader', async () => {
    const before = panelsMessage(h, threadId);
    if (!before) throw new Error('no panels message');
    const staleApprove = button(before, 'Approve panels').custom_id ?? '';
    const reroll1 = button(before, 'Reroll 1').custom_id ?? '';
    const prompt1 = button(before, 'Change prompt 1').custom_id ?? '';
    const clickId = (userId: string, customId: string) =>
      h.discord.clickButton({ guildId: h.guildId, channelId: threadId, userId, messageId: before.id, customId }).response();

    // Two co-writers (the admin who opened the chapter and the writer), majority: two approvals needed.
    const first = await room.click(threadId, before, writer, 'Approve panels').response();
    // The clicker is told privately; the message itself is redrawn by the worker, its one writer.
    expect(first.content).toBe('Your approval is counted (1 of 2 needed).');
    expect(first.ephemeral).toBe(true);
    await waitForPanels(h, threadId, 'one approval shown', (m) => m.content.includes('approvals 1 of 2 needed'));
    const again = await clickId(writer, staleApprove);
    expect(again.content).toMatch(/already approved these panels/);
    const reader = room.newMember('reader2');
    expect((await clickId(reader, staleApprove)).content).toMatch(/Only co-writers/);

    // A reroll makes a new set: the writer's approval no longer counts, and the old button is refused.
    await room.click(threadId, before, h.adminId, 'Reroll 2').response();
    const redrawn = await waitForPanels(
      h,
      threadId,
      'panel 2 rerolled',
      (m) => m.attachments.some((a) => a.filename === 'page-1-panel-2-render-2.png') && m.content.includes('approvals 0 of 2 needed'),
    );
    const stale = await clickId(h.adminId, staleApprove);
    expect(stale.content).toMatch(/panels changed since that button was drawn/);
    expect(await h.database.db.selectFrom('panel_set_approvals').select('page_id').execute()).toEqual([]);

    await room.click(threadId, redrawn, writer, 'Approve panels').response();
    const deciding = await room.click(threadId, panelsMessage(h, threadId) ?? redrawn, h.adminId, 'Approve panels').response();
    expect(deciding.content).toBe("Your approval decided it: page 1's panels are approved and final.");
    const announced = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => m.content.startsWith('**Page 1 · panels approved**')),
      { description: 'approval announced', timeoutMs: 30_000 },
    );
    expect(announced.attachments.map((a) => a.filename)).toEqual(['page-1-panel-1-render-2.png', 'page-1-panel-2-render-2.png']);
    const final = await waitForPanels(
      h,
      threadId,
      'panels message final',
      (m) => m.components.length === 0 && m.content.includes('final for the page'),
    );
    expect(final.attachments).toHaveLength(2);

    const approved = await h.database.db
      .selectFrom('panel_renders')
      .select(['panel_number', 'render_number', 'image_hash'])
      .where('approved', '=', true)
      .orderBy('panel_number')
      .execute();
    expect(approved.map((r) => [r.panel_number, r.render_number])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const votes = await h.database.db.selectFrom('panel_set_votes').select(['user_id', 'set_version']).orderBy('created_at').execute();
    expect(votes).toHaveLength(3);
    expect(votes[0]?.set_version).toBeLessThan(votes[2]?.set_version ?? 0);

    // Final: rerolls, prompt changes and further approvals are refused in words.
    expect((await clickId(writer, reroll1)).content).toMatch(/panels were approved by the co-writers; they are final/);
    expect((await clickId(writer, prompt1)).content).toMatch(/they are final/);
    expect(await h.database.db.selectFrom('panel_renders').select('id').where('status', '<>', 'done').execute()).toEqual([]);

    // The web reader shows the approved renders.
    const page = await h.database.db.selectFrom('story_pages').select('id').executeTakeFirstOrThrow();
    const shown = await listApprovedPanelImages(h.database.db, [page.id]);
    expect(shown.map((image) => image.hash)).toEqual(approved.map((r) => r.image_hash));
  });
});
