import type { RecordedRequest } from '../../loopback/model/types.js';
import type { StoryroomHarness } from '../../loopback/stack.js';
import type { StoredMessage } from '../../loopback/discord/types.js';
import type { WritersRoom } from '../../loopback/writers-room.js';

// A page with two panels, as the render tests script the model, and how they reach its panels message.

/** The model as these tests script it: a narration, a two-panel dialogue and two panel prompts. */
export function answer(request: RecordedRequest) {
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
              scene: 'A snowy pass at dawn',
              characters: ['Mira'],
              camera: 'wide shot',
              mood: 'hushed',
              image_prompt: 'snowy pass, dawn light, woman with lantern',
              negative_prompt: 'text, watermark',
            },
            {
              panel: 2,
              scene: 'Close on the glowing mark',
              characters: ['Kai'],
              camera: 'close-up',
              mood: 'uneasy',
              image_prompt: 'glowing rune on a wrist, dark',
              negative_prompt: 'blurry',
            },
          ],
        },
      };
    default:
      return { content: 'Mira lifts her lantern at the pass.' };
  }
}

/** Starts a page and votes its narration and dialogue through with the admin: the page is approved. */
export async function approvePage(h: StoryroomHarness, room: WritersRoom, threadId: string, writer: string, pageNumber = 1): Promise<void> {
  await room.startPage(threadId, writer, 'Mira lights the lantern at the pass').response();
  for (const kind of ['Narration', 'Dialogue'] as const) {
    const draft = await room.openDraft(threadId, pageNumber, kind, 1);
    await room.click(threadId, draft, writer, 'Approve').response();
    await room.click(threadId, draft, h.adminId, 'Approve').response();
  }
}

export const panelsMessage = (h: StoryroomHarness, threadId: string, pageNumber = 1): StoredMessage | undefined =>
  h.discord.messages(threadId).find((m) => m.content.startsWith(`**Page ${pageNumber} · Panels**`));

/** The panels message once `condition` holds on it. */
export function waitForPanels(
  h: StoryroomHarness,
  threadId: string,
  description: string,
  condition: (message: StoredMessage) => boolean,
  pageNumber = 1,
): Promise<StoredMessage> {
  return h.discord.waitFor(
    () => {
      const message = panelsMessage(h, threadId, pageNumber);
      return message && condition(message) ? message : undefined;
    },
    { description, timeoutMs: 30_000 },
  );
}

/**
 * A story room with one chapter, a writer beside the admin, and page 1 approved with both its panels
 * rendered: where the panel tests start.
 */
export async function roomWithRenderedPanels(
  h: StoryroomHarness,
  room: WritersRoom,
  storyTitle: string,
  chapterTitle: string,
): Promise<{ threadId: string; writer: string }> {
  h.model.setResponder(answer);
  await room.setupStory(storyTitle);
  const threadId = await room.openChapter(chapterTitle);
  const writer = room.newMember('writer');
  await room.join(threadId, writer);
  await approvePage(h, room, threadId, writer);
  await waitForPanels(h, threadId, 'both panels rendered', (m) => m.content.includes('2 of 2 panels rendered'));
  return { threadId, writer };
}
