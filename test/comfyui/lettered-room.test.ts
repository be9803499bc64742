import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../loopback/model/types.js';
import type { StoredMessage } from '../../loopback/discord/types.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { button, buttonsOf, selectsOf, textOf, WritersRoom } from '../../loopback/writers-room.js';
import { listApprovedPanelImages } from '../../src/db/reader.js';
import type { LetteredPage } from '../../src/domain/lettering/letter-page.js';
import { answer, approvePage, panelsMessage, waitForPanels } from './panels-story.js';

// The room around a lettered page: a story in Japanese, nudged balloon by balloon through the selects
// and approved by quorum; then the story in Arabic, lettered right to left, whose first composition
// fails and is retried from the thread. All through discord.js, the loopback model and ComfyUI.

const JA = {
  caption: '峠の夜明け。',
  mira: 'ランタンを低く持って。',
  kai: 'どうして?誰もこんな高くまで登らないよ。',
  glow: 'ひとりでに光ってる。',
};
const AR = {
  caption: 'فجر عند الممر.',
  mira: 'أبقِ الفانوس منخفضًا.',
  kai: 'لماذا؟ لا أحد يصعد إلى هنا.',
  glow: 'إنه يتوهج من تلقاء نفسه.',
  hush: 'اصمت.',
};

/** The model answers in the language its instructions name, as a model told to would. */
function multilingualAnswer(request: RecordedRequest) {
  const arabic = request.promptText.includes('language tag ar');
  if (request.responseFormatName === 'dialogue_script') {
    const t = arabic ? AR : JA;
    return {
      json: {
        panels: [
          {
            panel: 1,
            caption: t.caption,
            lines: [
              { speaker: 'Mira', line: t.mira },
              { speaker: 'Kai', line: t.kai },
            ],
          },
          {
            panel: 2,
            caption: null,
            lines: arabic
              ? [
                  { speaker: 'Kai', line: AR.glow },
                  { speaker: 'Mira', line: AR.hush },
                ]
              : [{ speaker: 'Kai', line: JA.glow }],
          },
        ],
      },
    };
  }
  if (request.responseFormatName === null && request.promptText.includes('Write the narration'))
    return { content: arabic ? 'ترفع ميرا فانوسها عند الممر.' : 'ミラは峠でランタンを掲げる。' };
  return answer(request);
}

const lettered = (h: StoryroomHarness, threadId: string, page: number, version: number): StoredMessage | undefined =>
  h.discord.messages(threadId).find((m) => textOf(m).startsWith(`**Page ${page} · Lettered** · version ${version},`));

function keepPng(name: string, message: StoredMessage): void {
  const out = process.env.LETTERED_PNG_DIR;
  if (!out) return;
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, name), message.attachments[0]?.content ?? Buffer.alloc(0));
}

/** How many buttons and selects a message offers (none once the version is decided); -1 when it is not there. */
const controls = (message: StoredMessage | undefined): number => (message ? buttonsOf(message).length + selectsOf(message).length : -1);

describe('the lettered page in the room: nudges, quorum, a failed composition retried, Japanese and Arabic', { timeout: 240_000 }, () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const rows = (pageNumber: number) =>
    h.database.db
      .selectFrom('lettered_pages as l')
      .innerJoin('story_pages as p', 'p.id', 'l.page_id')
      .select(['l.id', 'l.version', 'l.status', 'l.created_by', 'l.nudges', 'l.variant', 'l.svg', 'l.layout', 'l.image_hash'])
      .where('p.number', '=', pageNumber)
      .orderBy('l.version')
      .execute();
  const settings = (options: Record<string, string>) =>
    h.discord.slashCommand({ guildId: h.guildId, channelId: h.storyChannelId, userId: h.adminId, name: 'settings', options }).response();
  const waitLettered = (page: number, version: number, description: string) =>
    h.discord.waitFor(() => lettered(h, threadId, page, version), { description, timeoutMs: 90_000 });
  async function approvePanels(page: number): Promise<void> {
    const panels = await waitForPanels(
      h,
      threadId,
      `page ${page}'s panels rendered`,
      (m) => m.content.includes('2 of 2 panels rendered'),
      page,
    );
    await room.click(threadId, panels, writer, 'Approve panels').response();
    await room.click(threadId, panelsMessage(h, threadId, page) ?? panels, h.adminId, 'Approve panels').response();
  }

  beforeAll(async () => {
    h = await startStoryroom('lettered-room', {
      web: true,
      env: { PANEL_PROMPTS: 'on' },
      comfyui: { stepDelayMs: 2, pictureSeed: 'lettered-room' },
    });
    h.model.setResponder(multilingualAnswer);
    room = new WritersRoom(h);
    await room.setupStory('Ash and Ember');
    threadId = await room.openChapter('Cinders');
    writer = room.newMember('writer');
    await room.join(threadId, writer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a story in Japanese: the agents are told to write in it; the page is lettered left to right in Japanese, a Nudge select per balloon', async () => {
    expect(JSON.stringify((await settings({ language: 'ja' })).embeds)).toContain('language ja');
    await approvePage(h, room, threadId, writer);
    const told = h.model.requests.filter((r) => r.messages.some((m) => m.content.includes('Write in Japanese (language tag ja)')));
    expect(told.length).toBeGreaterThanOrEqual(2);
    await approvePanels(1);

    const first = await waitLettered(1, 1, 'page 1 lettered');
    keepPng('ja-page-1-v1.png', first);
    if (process.env.LETTERED_PNG_DIR) writeFileSync(path.join(process.env.LETTERED_PNG_DIR, 'ja-message.json'), JSON.stringify(first));
    const [row] = await rows(1);
    const layout = row?.layout as LetteredPage;
    expect(layout).toMatchObject({ language: 'ja', direction: 'ltr' });
    expect(layout.balloons).toHaveLength(4);
    // Japanese breaks between characters: the whole line is there across its text lines, in the JP font.
    const inPanel1 = layout.balloons.find((b) => b.speaker === 'Kai' && b.panel === 0);
    expect(inPanel1?.text.map((t) => t.text).join('')).toBe(JA.kai);
    expect(row?.svg).toContain('Noto Sans JP');
    expect(row?.svg).toContain('lang="ja"');
    // Four balloons: four selects, each alone in its row, then Re-letter and Approve.
    const selects = selectsOf(first);
    expect(selects.map((s) => s.placeholder?.split(':')[0])).toEqual([
      'Nudge Balloon 1 · panel 1 · caption',
      'Nudge Balloon 2 · panel 1 · Mira',
      'Nudge Balloon 3 · panel 1 · Kai',
      'Nudge Balloon 4 · panel 2 · Kai',
    ]);
    expect(selects[1]?.options.map((o) => o.label)).toEqual([
      'Another place',
      'Tail to the other side',
      'Smaller text',
      'Larger text',
      'Make it a thought (cloud)',
      'Make it a whisper (dashed)',
      'Make it a shout (jagged)',
    ]);
    // Components V2: one container holding the text, the page and the four selects' rows and the buttons' row.
    expect(first.flags & (1 << 15)).not.toBe(0);
    expect(first.components).toHaveLength(1);
    expect(selectsOf(first)).toHaveLength(4);
    expect(button(first, 'Approve').label).toBe('Approve');
  });

  it('a stranger’s nudge is refused privately; a co-writer’s makes version 2 with that balloon moved, kept with who asked; the old selects are refused', async () => {
    const first = lettered(h, threadId, 1, 1);
    if (!first) throw new Error('no lettered page');
    // What a co-writer's client still shows after version 1 is superseded: its selects.
    const seen = structuredClone(first.components);
    const stranger = room.newMember('reader');
    const refused = await room.choose(threadId, first, stranger, 'Nudge Balloon 3', 'Another place').response();
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toMatch(/Only co-writers/);
    expect(await rows(1)).toHaveLength(1);

    const asked = await room.choose(threadId, first, writer, 'Nudge Balloon 3', 'Another place').response();
    expect(asked.ephemeral).toBe(true);
    expect(asked.content).toMatch(/Balloon 3: another place\. Page 1 is being lettered again with it \(version 2\)/);
    // A second nudge before version 2 is posted is refused: one nudge, one version.
    const second = await room.choose(threadId, first, h.adminId, 'Nudge Balloon 2', 'Make it a shout (jagged)').response();
    expect(second.content).toMatch(/already being lettered again \(version 2\)/);

    const nudged = await waitLettered(1, 2, 'page 1 nudged');
    keepPng('ja-page-1-v2-nudged.png', nudged);
    expect(textOf(nudged)).toContain(`nudged at <@${writer}>'s request (panel 1, “`);
    expect(textOf(nudged)).toContain('another place)');
    const [v1, v2] = await rows(1);
    expect(v2).toMatchObject({
      status: 'open',
      created_by: writer,
      variant: v1?.variant,
      nudges: [{ panel: 0, lines: [2], change: 'place' }],
    });
    const before = (v1?.layout as LetteredPage).balloons;
    const after = (v2?.layout as LetteredPage).balloons;
    expect(after[2]?.box).not.toEqual(before[2]?.box);
    // The other balloons of the page stay where they were.
    expect(after[3]).toEqual(before[3]);
    await h.discord.waitFor(
      () => (textOf(lettered(h, threadId, 1, 1) ?? { content: '', components: [] }).includes('Superseded') ? true : undefined),
      {
        description: 'version 1 superseded',
        timeoutMs: 30_000,
      },
    );
    const stale = await h.discord
      .chooseOption({
        guildId: h.guildId,
        channelId: threadId,
        userId: writer,
        messageId: first.id,
        customId: selectsOf({ components: seen })[0]?.custom_id ?? '',
        values: ['larger'],
        seen,
      })
      .response();
    expect(stale.ephemeral).toBe(true);
    expect(stale.content).toMatch(/not page 1's newest lettering/);
    expect(await rows(1)).toHaveLength(2);
  });

  it('nudges add up: a shout on version 2 keeps the move; Re-letter starts afresh; the quorum approves the newest', async () => {
    const v2 = await waitLettered(1, 2, 'version 2');
    await room.choose(threadId, v2, h.adminId, 'Nudge Balloon 2', 'Make it a shout (jagged)').response();
    const v3 = await waitLettered(1, 3, 'version 3');
    const third = (await rows(1))[2];
    expect(third?.nudges).toEqual([
      { panel: 0, lines: [2], change: 'place' },
      { panel: 0, lines: [1], change: 'shout' },
    ]);
    expect((third?.layout as LetteredPage).balloons[1]?.kind).toBe('shout');
    keepPng('ja-page-1-v3-shout.png', v3);

    await room.click(threadId, v3, writer, 'Re-letter').response();
    const v4 = await waitLettered(1, 4, 'version 4');
    const fourth = (await rows(1))[3];
    expect(fourth).toMatchObject({ nudges: [], variant: (third?.variant ?? 0) + 1 });
    expect(textOf(v4)).toContain(`re-lettered at <@${writer}>'s request`);

    const counted = await room.click(threadId, v4, writer, 'Approve').response();
    expect(textOf(counted)).toContain('Approvals 1 of 2 needed.');
    const decided = await room.click(threadId, lettered(h, threadId, 1, 4) ?? v4, h.adminId, 'Approve').response();
    expect(textOf(decided)).toContain('final for the page');
    expect((await rows(1)).map((r) => r.status)).toEqual(['superseded', 'superseded', 'superseded', 'approved']);
    // An approved page offers no more nudges.
    const approved = await h.discord.waitFor(() => (controls(lettered(h, threadId, 1, 4)) === 0 ? true : undefined), {
      description: 'version 4 without its selects',
      timeoutMs: 30_000,
    });
    expect(approved).toBe(true);
  });

  it('a story in Arabic: a composition that fails is told in the thread with Retry; retried, the page is lettered right to left', async () => {
    await settings({ language: 'ar' });
    await approvePage(h, room, threadId, writer, 2);
    expect(h.model.requests.some((r) => r.messages.some((m) => m.content.includes('Write in Arabic (language tag ar)')))).toBe(true);
    await waitForPanels(h, threadId, 'page 2 drawn', (m) => m.content.includes('2 of 2 panels rendered'), 2);
    // A panel's stored picture is damaged before the page is lettered: the letterer cannot read it.
    const page2 = await h.database.db.selectFrom('story_pages').select('id').where('number', '=', 2).executeTakeFirstOrThrow();
    const [picture] = await listApprovedPanelImages(h.database.db, [page2.id]);
    const hash = picture?.hash ?? '';
    const good = await h.database.db.selectFrom('images').select('bytes').where('hash', '=', hash).executeTakeFirstOrThrow();
    await h.database.db
      .updateTable('images')
      .set({ bytes: Buffer.from('not a picture') })
      .where('hash', '=', hash)
      .execute();
    await approvePanels(2);

    const failed = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => m.content.startsWith('**Page 2 · Lettering failed**')),
      { description: 'the failure told', timeoutMs: 90_000 },
    );
    expect(failed.content).toContain('The page could not be lettered: the letterer stopped with an error');
    expect(await rows(2)).toEqual([]);
    const stranger = room.newMember('passer-by');
    const refused = await room.click(threadId, failed, stranger, 'Retry').response();
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toMatch(/Only co-writers/);

    await h.database.db.updateTable('images').set({ bytes: good.bytes }).where('hash', '=', hash).execute();
    const retried = await room.click(threadId, failed, writer, 'Retry').response();
    expect(retried.content).toContain(`Retry asked by <@${writer}>`);
    expect(retried.components).toEqual([]);

    const page = await waitLettered(2, 1, 'page 2 lettered after Retry');
    keepPng('ar-page-2-v1.png', page);
    if (process.env.LETTERED_PNG_DIR) writeFileSync(path.join(process.env.LETTERED_PNG_DIR, 'ar-message.json'), JSON.stringify(page));
    const [row] = await rows(2);
    const layout = row?.layout as LetteredPage;
    expect(layout).toMatchObject({ language: 'ar', direction: 'rtl' });
    for (const balloon of layout.balloons.filter((b) => b.kind !== 'caption'))
      for (const line of balloon.text) expect(line.direction).toBe('rtl');
    expect(row?.svg).toContain('direction="rtl"');
    expect(row?.svg).toContain('Noto Sans Arabic');
    expect(row?.svg).toContain(AR.hush);

    // Five balloons: more than four selects fit beside the buttons, so one select picks the balloon…
    const pickers = selectsOf(page);
    expect(pickers.map((s) => s.placeholder)).toEqual(['Nudge a balloon… (1–5 of 5)']);
    const picked = room.choose(threadId, page, writer, 'Nudge a balloon', 'Balloon 5 · panel 2 · Mira');
    const [asked] = await Promise.all([
      picked.response(),
      h.discord.waitFor(() => picked.followUps[0], { description: 'the balloon’s nudges' }),
    ]);
    expect(asked.ephemeral).toBe(true);
    expect(asked.content).toBe('How should balloon 5 change?');
    // …and answers privately with that balloon's nudges.
    const own = picked.followUps[0]!;
    const chosen = await room.choose(threadId, own, writer, 'Nudge Balloon 5', 'Larger text').response();
    expect(chosen.content).toMatch(/Balloon 5: larger text/);
    const nudged = await waitLettered(2, 2, 'page 2 nudged');
    const [before, after] = await rows(2);
    // The balloon grows, unless the picture leaves it no room at the panel's size: then the page says so.
    const kept = ((after?.layout as LetteredPage).sizesKept ?? []).length > 0;
    const grownBy = (after?.layout as LetteredPage).balloons[4]!.fontSize - (before?.layout as LetteredPage).balloons[4]!.fontSize;
    expect(kept ? grownBy === 0 : grownBy > 0).toBe(true);
    expect(nudged.content.includes('it cannot be made larger there, so it keeps its size')).toBe(kept);
  });

  it('the reader shows the Arabic story’s pages with lang and dir', async () => {
    const v2 = lettered(h, threadId, 2, 2);
    if (!v2) throw new Error('no version 2');
    await room.click(threadId, v2, writer, 'Approve').response();
    await room.click(threadId, lettered(h, threadId, 2, 2) ?? v2, h.adminId, 'Approve').response();
    const published = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: h.adminId,
        name: 'story',
        subcommand: 'publish',
        options: {},
      })
      .response();
    const storyUrl = /(http:\/\/127\.0\.0\.1:\d+\/[a-z0-9-]+-[0-9a-f]{32})/.exec(published.content ?? '')?.[1] ?? '';
    const html = await (await fetch(`${storyUrl}/chapters/1`)).text();
    expect(html).toMatch(/<article class="page" id="[^"]+" aria-labelledby="[^"]+" lang="ar" dir="rtl">/);
    expect(html).toContain(AR.hush);
  });
});
