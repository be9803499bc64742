import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngSize } from '../../loopback/comfyui/png.js';
import type { RecordedRequest } from '../../loopback/model/types.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { WritersRoom } from '../../loopback/writers-room.js';

const replyText = (reply: { content: string; embeds: unknown[] }) => `${reply.content}\n${JSON.stringify(reply.embeds)}`;

function answer(request: RecordedRequest) {
  switch (request.responseFormatName) {
    case 'dialogue_script':
      return { json: { panels: [{ panel: 1, caption: 'The quay at dusk.', lines: [{ speaker: 'Ada', line: 'The boat is late.' }] }] } };
    case 'panel_prompts':
      return {
        json: {
          panels: [
            {
              panel: 1,
              scene: 'A quay at dusk',
              characters: ['Ada'],
              camera: 'wide shot',
              mood: 'waiting',
              image_prompt: 'harbour quay at dusk, lone figure',
              negative_prompt: 'text',
            },
          ],
        },
      };
    default:
      return { content: 'Ada waits on the quay.' };
  }
}

describe('/settings panel_shape and panel_size: the story’s own picture size', () => {
  let h: StoryroomHarness;

  beforeAll(async () => {
    h = await startStoryroom('panel-size', { env: { PANEL_PROMPTS: 'on' }, comfyui: { stepDelayMs: 1 } });
    h.model.setResponder(answer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a wide, small story renders its panels at 896×512, and /settings shows the choice', async () => {
    const room = new WritersRoom(h);
    await room.setupStory('Harbour Lights');
    const settings = (options: Record<string, string>) =>
      h.discord.slashCommand({ guildId: h.guildId, channelId: h.storyChannelId, userId: h.adminId, name: 'settings', options }).response();
    expect(replyText(await settings({}))).toContain('portrait (2:3), standard: 832×1216');
    const changed = await settings({ panel_shape: 'wide', panel_size: 'small' });
    expect(changed.ephemeral).toBe(true);
    expect(replyText(changed)).toContain('wide (16:9), small: 896×512');

    const threadId = await room.openChapter('Quay');
    await room.startPage(threadId, h.adminId, 'Ada waits for the boat').response();
    for (const kind of ['Narration', 'Dialogue'] as const) {
      const draft = await room.openDraft(threadId, 1, kind, 1);
      await room.click(threadId, draft, h.adminId, 'Approve').response();
    }
    const panels = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => m.content.startsWith('**Page 1 · Panels**') && m.attachments.length === 1),
      { description: 'the panel rendered', timeoutMs: 30_000 },
    );
    expect(readPngSize(panels.attachments[0]?.content ?? Buffer.alloc(0))).toEqual({ width: 896, height: 512 });
    expect(h.comfy?.submissions).toHaveLength(1);
    const render = await h.database.db.selectFrom('panel_renders').select(['width', 'height']).executeTakeFirstOrThrow();
    expect(render).toEqual({ width: 896, height: 512 });
  });

  it('refuses a shape or size it does not know, in words, and changes nothing', async () => {
    const refused = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: h.adminId,
        name: 'settings',
        options: { panel_shape: 'round' },
      })
      .response();
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toMatch(/panel shape is one of portrait, square, landscape, tall, wide/);
    const story = await h.database.db.selectFrom('stories').select(['panel_shape', 'panel_size']).executeTakeFirstOrThrow();
    expect(story).toEqual({ panel_shape: 'wide', panel_size: 'small' });
  });
});
