import type { StoryroomHarness } from './stack.js';
import { WritersRoom } from './writers-room.js';

// A small published story with hostile text in every field a reader sees, for the web reader's tests
// and screenshots: two chapters, four approved pages, and one page still in review.

export const HOSTILE = {
  storyTitle: 'Ash <script>alert("title")</script> & Ember',
  chapterOne: `The Pass "><img src=x onerror=alert('chapter')>`,
  chapterTwo: `javascript:alert('link')`,
  narrationScript: `<script>alert('narration')</script>`,
  markdownLink: `[a link](javascript:alert('markdown'))`,
  speaker: `"><img src=x onerror=alert('speaker')>`,
  line: `<script>alert("line")</script>`,
  scene: `<img src=x onerror=alert('scene')>`,
  /** Characters XML 1.0 forbids: the model may write them, and one would make the feed unreadable. */
  controls: '\u0001\u0008\uFFFE',
} as const;

export const NARRATIONS = [
  `Kai climbs toward the pass as the first snow falls, and the Mark on his wrist turns cold.\n\nHe reads the warning${HOSTILE.controls} scratched on the cairn: ${HOSTILE.narrationScript} ${HOSTILE.markdownLink}`,
  'Mira waits at the cairn with her lantern held high, counting the wolves by their eyes.',
  'The storm breaks over the ridge. Kai and Mira shelter under the broken arch until the wind tires.',
  'Dawn finds them on the far side of the mountains, where the valley smokes with a hundred chimneys.',
];

export const UNAPPROVED_NARRATION = 'This draft was never approved and must not be read on the web.';
export const PAGE_INPUTS = NARRATIONS.map((_, i) => `Only the co-writers see this input ${i + 1}`);

const script = (page: number) => ({
  panels: [
    {
      panel: 1,
      caption: page === 0 ? 'Night, the pass.' : null,
      lines:
        page === 0
          ? [
              { speaker: 'Kai', line: 'It is glowing again.' },
              { speaker: HOSTILE.speaker, line: HOSTILE.line },
            ]
          : [{ speaker: 'Kai', line: `Page ${page + 1}: keep moving.` }],
    },
    { panel: 2, caption: null, lines: [{ speaker: 'Mira', line: 'Then something is coming.' }] },
  ],
});

const panels = (page: number) => ({
  panels: [1, 2].map((panel) => ({
    panel,
    scene:
      page === 0 && panel === 1
        ? `Kai on a snowy ledge, the Mark glowing. ${HOSTILE.scene}`
        : `Panel ${panel} of page ${page + 1}: the mountains at dusk.`,
    characters: ['Kai'],
    camera: 'wide',
    mood: 'cold',
    image_prompt: 'a snowy mountain pass at dusk',
    negative_prompt: 'blurry',
  })),
});

/**
 * Plays the story through the product: setup, two chapters, four approved pages (each with its panel
 * descriptions, and their rendered images when the harness has the loopback ComfyUI) and a fifth page left
 * in review. Start the harness with PANEL_PROMPTS on.
 */
export async function writeHostileStory(h: StoryroomHarness): Promise<{ room: WritersRoom; threads: [string, string] }> {
  const counters = { narration: 0, dialogue: 0, panels: 0 };
  h.model.setResponder((request) => {
    if (request.responseFormatName === 'dialogue_script') return { json: script(counters.dialogue++) };
    if (request.responseFormatName === 'panel_prompts') return { json: panels(counters.panels++) };
    return { content: NARRATIONS[counters.narration++] ?? UNAPPROVED_NARRATION };
  });
  const room = new WritersRoom(h);
  await room.setupStory(HOSTILE.storyTitle);
  const first = await room.openChapter(HOSTILE.chapterOne);
  for (const [index, input] of PAGE_INPUTS.slice(0, 3).entries()) await room.approvePageAlone(first, h.adminId, input, index + 1);
  const second = await room.openChapter(HOSTILE.chapterTwo);
  await room.approvePageAlone(second, h.adminId, PAGE_INPUTS[3] ?? '', 1);
  await room.startPage(second, h.adminId, 'A page still in review').response();
  await room.openDraft(second, 2, 'Narration', 1);
  // The panels agent runs after each approval, in the background.
  const deadline = Date.now() + 15_000;
  while (
    Number(
      (
        await h.database.db
          .selectFrom('panel_prompts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ) < 8
  ) {
    if (Date.now() > deadline) throw new Error('the panel descriptions of the four approved pages did not arrive');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // With the loopback ComfyUI, every panel is rendered too.
  while (
    h.comfy &&
    Number(
      (
        await h.database.db
          .selectFrom('panel_renders')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'done')
          .executeTakeFirstOrThrow()
      ).n,
    ) < 8
  ) {
    if (Date.now() > deadline + 30_000) throw new Error('the eight panels of the four approved pages were not rendered');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { room, threads: [first, second] };
}
