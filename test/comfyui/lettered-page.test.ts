import { unzipSync } from 'fflate';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../loopback/model/types.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { launchChromium } from '../../loopback/browser.js';
import { readPngSize } from '../../loopback/comfyui/png.js';
import type { StoredMessage } from '../../loopback/discord/types.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { allComponents } from '../../loopback/discord/components-v2.js';
import { renderChannelPng } from '../../loopback/discord/render-channel-png.js';
import { button, buttonsOf, selectsOf, textOf, WritersRoom } from '../../loopback/writers-room.js';
import { answer, approvePage, panelsMessage, waitForPanels } from './panels-story.js';

// Kai's last line is one word wider than any balloon at the smallest readable size: it must be flagged.
const UNFITTABLE = `Whaaa${'a'.repeat(70)}t`;

function scriptedAnswer(request: RecordedRequest) {
  if (request.responseFormatName !== 'dialogue_script') return answer(request);
  return {
    json: {
      panels: [
        {
          panel: 1,
          caption: 'Dawn at the pass.',
          lines: [
            { speaker: 'Mira', line: 'Keep the lantern low.' },
            { speaker: 'Kai', line: 'Why? Nobody climbs this high.' },
          ],
        },
        {
          panel: 2,
          caption: null,
          lines: [
            { speaker: 'Kai', line: 'It glows on its own.' },
            { speaker: 'Kai', line: UNFITTABLE },
          ],
        },
      ],
    },
  };
}

const letteredMessage = (h: StoryroomHarness, threadId: string, version: number): StoredMessage | undefined =>
  h.discord.messages(threadId).find((m) => textOf(m).startsWith(`**Page 1 · Lettered** · version ${version},`));

describe('a page’s approved panels are lettered and the lettering approved in the thread', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const rows = () =>
    h.database.db
      .selectFrom('lettered_pages')
      .select(['id', 'version', 'status', 'created_by', 'decided_by', 'image_hash', 'flagged', 'svg', 'layout'])
      .orderBy('version')
      .execute();

  beforeAll(async () => {
    h = await startStoryroom('lettered-page', { web: true, env: { PANEL_PROMPTS: 'on' }, comfyui: { stepDelayMs: 2 } });
    h.model.setResponder(scriptedAnswer);
    room = new WritersRoom(h);
    await room.setupStory('Ash and Ember');
    threadId = await room.openChapter('Cinders');
    writer = room.newMember('writer');
    await room.join(threadId, writer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('from /page start to "Page 1 · Lettered": one image of the page, the line too long to fit flagged in words, Re-letter and Approve', async () => {
    // The story is lettered as a manga page (read right to left), in English; a tag that is no language is refused.
    const settings = (options: Record<string, string>) =>
      h.discord.slashCommand({ guildId: h.guildId, channelId: h.storyChannelId, userId: h.adminId, name: 'settings', options }).response();
    const refused = await settings({ language: 'not a language!' });
    expect(refused.content).toMatch(/The language is a language tag such as en/);
    const shown = await settings({ page_format: 'manga', language: 'EN' });
    expect(JSON.stringify(shown.embeds)).toContain('manga page (right to left) · language en');
    await approvePage(h, room, threadId, writer);
    const panels = await waitForPanels(h, threadId, 'both panels rendered', (m) => m.content.includes('2 of 2 panels rendered'));
    await room.click(threadId, panels, writer, 'Approve panels').response();
    await room.click(threadId, panelsMessage(h, threadId) ?? panels, h.adminId, 'Approve panels').response();

    const lettered = await h.discord.waitFor(() => letteredMessage(h, threadId, 1), { description: 'page 1 lettered', timeoutMs: 60_000 });
    expect(textOf(lettered)).toContain('lettered when the panels were approved');
    expect(textOf(lettered)).toContain('Line 2 of panel 2 does not fit at the smallest readable size — shorten it');
    expect(textOf(lettered)).toContain('Approvals 0 of 2 needed.');
    expect(lettered.attachments.map((a) => a.filename)).toEqual(['page-1-lettered-v1.png']);
    const png = lettered.attachments[0]?.content ?? Buffer.alloc(0);
    expect(readPngSize(png)).toEqual({ width: 1200, height: 1800 });
    // Components V2: the page in a media gallery inside the container, no embed.
    const gallery = allComponents(lettered.components).find((c) => c.type === 12);
    expect((gallery?.items as { media: { url: string } }[] | undefined)?.[0]?.media.url).toBe('attachment://page-1-lettered-v1.png');
    expect(lettered.embeds).toEqual([]);
    const artifacts = path.join(import.meta.dirname, '..', '..', 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(path.join(artifacts, 'lettered-message.png'), await renderChannelPng([lettered]));
    expect([button(lettered, 'Re-letter').label, button(lettered, 'Approve').label]).toEqual(['Re-letter', 'Approve']);
    // The picture is there to be looked at, not only measured.
    const out = process.env.LETTERED_PNG_DIR;
    if (out) {
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, 'page-1-lettered-v1.png'), png);
    }

    const [row] = await rows();
    expect(row).toMatchObject({ version: 1, status: 'open', created_by: null, layout: { direction: 'rtl', language: 'en' } });
    expect(row?.flagged).toContainEqual(expect.objectContaining({ panel: 2, line: 2, problem: 'too-long' }));
    // Whatever else the pictures left no room for (they are drawn with random seeds) is said too.
    for (const flag of row?.flagged ?? []) expect(textOf(lettered)).toContain(flag.words);
    // The SVG carries every lettered line as text and links the panels to the image API.
    expect(row?.svg).toContain('its own.</text>');
    expect(row?.svg).not.toContain(UNFITTABLE);
    expect(row?.svg).toMatch(/href="\/api\/images\/[0-9a-f]{64}"/);
    const stored = await h.database.db
      .selectFrom('images')
      .select(['width', 'height'])
      .where('hash', '=', row?.image_hash ?? '')
      .executeTakeFirst();
    expect(stored).toEqual({ width: 1200, height: 1800 });
  });

  it('a stranger’s click is refused privately and changes nothing; Re-letter makes version 2 kept with who asked, the first shows superseded', async () => {
    const first = letteredMessage(h, threadId, 1);
    if (!first) throw new Error('no lettered message');
    const firstIds = { approve: button(first, 'Approve').custom_id ?? '', reletter: button(first, 'Re-letter').custom_id ?? '' };
    const reader = room.newMember('reader');
    for (const label of ['Approve', 'Re-letter']) {
      const refused = await room.click(threadId, first, reader, label).response();
      expect(refused.ephemeral).toBe(true);
      expect(refused.content).toMatch(/Only co-writers/);
    }
    expect(await h.database.db.selectFrom('lettered_page_votes').select('user_id').execute()).toEqual([]);

    const asked = await room.click(threadId, first, writer, 'Re-letter').response();
    expect(asked.ephemeral).toBe(true);
    expect(asked.content).toMatch(/Page 1 is being lettered again \(version 2/);
    const second = await h.discord.waitFor(() => letteredMessage(h, threadId, 2), {
      description: 'page 1 lettered again',
      timeoutMs: 60_000,
    });
    expect(textOf(second)).toContain(`re-lettered at <@${writer}>'s request`);
    expect(second.attachments.map((a) => a.filename)).toEqual(['page-1-lettered-v2.png']);
    if (process.env.LETTERED_PNG_DIR)
      writeFileSync(path.join(process.env.LETTERED_PNG_DIR, 'page-1-lettered-v2.png'), second.attachments[0]?.content ?? Buffer.alloc(0));
    const superseded = await h.discord.waitFor(
      () => {
        const current = letteredMessage(h, threadId, 1);
        return current && textOf(current).includes('Superseded') ? current : undefined;
      },
      { description: 'version 1 superseded', timeoutMs: 30_000 },
    );
    expect([...buttonsOf(superseded), ...selectsOf(superseded)]).toEqual([]);
    expect((await rows()).map((r) => [r.version, r.status, r.created_by])).toEqual([
      [1, 'superseded', null],
      [2, 'open', writer],
    ]);
    // Another placement, so another picture.
    const [v1, v2] = await rows();
    expect(v2?.image_hash).not.toBe(v1?.image_hash);

    // The first version's buttons, clicked again: refused in words, nothing changes.
    const stale = await h.discord
      .clickButton({ guildId: h.guildId, channelId: threadId, userId: writer, messageId: first.id, customId: firstIds.approve })
      .response();
    expect(stale.ephemeral).toBe(true);
    expect(stale.content).toMatch(/not page 1's newest lettering/);
    const staleAgain = await h.discord
      .clickButton({ guildId: h.guildId, channelId: threadId, userId: writer, messageId: first.id, customId: firstIds.reletter })
      .response();
    expect(staleAgain.content).toMatch(/not page 1's newest lettering/);
    expect(await h.database.db.selectFrom('lettered_page_votes').select('user_id').execute()).toEqual([]);
    expect(await rows()).toHaveLength(2);
  });

  it('the co-writers approve the newest version by the story’s quorum; the message shows who approved it', async () => {
    const second = letteredMessage(h, threadId, 2);
    if (!second) throw new Error('no second version');
    const approveId = button(second, 'Approve').custom_id ?? '';
    const counted = await room.click(threadId, second, writer, 'Approve').response();
    expect(textOf(counted)).toContain('Approvals 1 of 2 needed.');
    const twice = await h.discord
      .clickButton({ guildId: h.guildId, channelId: threadId, userId: writer, messageId: second.id, customId: approveId })
      .response();
    expect(twice.ephemeral).toBe(true);
    expect(twice.content).toMatch(/already approved this lettering/);

    const deciding = await room.click(threadId, letteredMessage(h, threadId, 2) ?? second, h.adminId, 'Approve').response();
    expect(textOf(deciding)).toContain(`Approved by <@${writer}>, <@${h.adminId}>: final for the page.`);
    const approved = await h.discord.waitFor(
      () => {
        const current = letteredMessage(h, threadId, 2);
        return current && textOf(current).includes('Approved by') ? current : undefined;
      },
      { description: 'version 2 approved', timeoutMs: 30_000 },
    );
    expect([...buttonsOf(approved), ...selectsOf(approved)]).toEqual([]);
    expect(approved.attachments.map((a) => a.filename)).toEqual(['page-1-lettered-v2.png']);
    expect((await rows()).map((r) => [r.version, r.status, r.decided_by])).toEqual([
      [1, 'superseded', null],
      [2, 'approved', h.adminId],
    ]);
    const late = await h.discord
      .clickButton({ guildId: h.guildId, channelId: threadId, userId: writer, messageId: second.id, customId: approveId })
      .response();
    expect(late.content).toMatch(/already approved; it is final/);
  });

  it('the web reader shows the approved lettered page as an SVG with real text, its panels served under the story, the script one click away', async () => {
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
    expect(storyUrl).not.toBe('');
    const response = await fetch(`${storyUrl}/chapters/1`);
    expect(response.status).toBe(200);
    const page = await response.text();
    const figure = /<figure class="lettered"[^>]*>([\s\S]*?)<\/figure>/.exec(page)?.[1] ?? '';
    expect(figure).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* lang="en">/);
    expect(figure).toContain('its own.</text>');
    expect(figure).not.toContain('/api/images/');
    expect(figure).toContain('clip-path="url(#page-1-panel-0)"');
    const hrefs = [...figure.matchAll(/<image [^>]*href="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(hrefs).toHaveLength(2);
    for (const href of hrefs) {
      const image = await fetch(new URL(href, storyUrl));
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
    }
    expect(page).toContain('<details class="script"><summary>The script of page 1</summary>');
  });

  it('in Chromium the lettered page shows its panels, its lines are selectable text, and axe finds nothing serious', async () => {
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
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1000, height: 1400 });
      expect((await page.goto(`${storyUrl}/chapters/1`, { waitUntil: 'load' }))?.status()).toBe(200);
      const line = page.locator('figure.lettered svg text', { hasText: 'its own.' });
      await expect(line.count()).resolves.toBe(1);
      // Selectable: a triple click selects the line's text.
      await line.click({ clickCount: 3 });
      expect(
        await page.evaluate(() => String((globalThis as unknown as { getSelection(): { toString(): string } }).getSelection())),
      ).toContain('its own.');
      const figure = page.locator('figure.lettered');
      if (process.env.LETTERED_PNG_DIR) await figure.screenshot({ path: path.join(process.env.LETTERED_PNG_DIR, 'reader-lettered.png') });
      await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
        return (await axe.run()).violations;
      });
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('the comic book export carries the approved lettered page as one image instead of its bare panels', async () => {
    const exported = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: threadId,
        userId: writer,
        name: 'chapter',
        subcommand: 'export',
        options: { format: 'cbz' },
      })
      .response();
    expect(exported.content).toMatch(/comic book archive: 1 lettered page in reading order/);
    const files = unzipSync(new Uint8Array(exported.attachments?.[0]?.content ?? Buffer.alloc(0)));
    expect(Object.keys(files)).toEqual(['ComicInfo.xml', 'page-001-lettered.png']);
    const approved = await h.database.db
      .selectFrom('lettered_pages as l')
      .innerJoin('images as i', 'i.hash', 'l.image_hash')
      .select('i.bytes')
      .where('l.status', '=', 'approved')
      .executeTakeFirstOrThrow();
    expect(Buffer.from(files['page-001-lettered.png'] ?? []).equals(approved.bytes)).toBe(true);
    expect(new TextDecoder().decode(files['ComicInfo.xml'])).toContain('<PageCount>1</PageCount>');
  });
});
