import { randomBytes } from 'node:crypto';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../loopback/comfyui/png.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { holdTable, untilWaitingForLocks } from '../../loopback/table-lock.js';
import { WritersRoom } from '../../loopback/writers-room.js';
import { postgresImageStore } from '../../src/db/image-store.js';
import { collectArchive, planChapterArchiveById } from '../../src/services/export-service.js';
import { panelsMessage, roomWithRenderedPanels } from './panels-story.js';

const TOKEN = 'export-size-token-0123456789';
const MiB = 1024 * 1024;

/** A PNG of noise (it does not compress): 1600×1200 is about 5.5 MiB. */
function largePng(): Buffer {
  const noise = randomBytes(1600 * 1200 * 3);
  return encodePng(1600, 1200, (x, y) => {
    const at = (y * 1600 + x) * 3;
    return [noise[at] ?? 0, noise[at + 1] ?? 0, noise[at + 2] ?? 0];
  });
}

describe('/chapter export of a large chapter: sized first from stored sizes, one at a time, streamed by the API', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  let chapterId: number;
  const exportAs = (format: string) =>
    h.discord.slashCommand({
      guildId: h.guildId,
      channelId: threadId,
      userId: writer,
      name: 'chapter',
      subcommand: 'export',
      options: { format },
    });
  const approvedHashes = async () =>
    (
      await h.database.db
        .selectFrom('panel_renders')
        .select(['panel_number', 'image_hash'])
        .where('approved', '=', true)
        .orderBy('panel_number')
        .execute()
    ).map((r) => r.image_hash ?? '');

  beforeAll(async () => {
    h = await startStoryroom('export-size', {
      web: true,
      env: { PANEL_PROMPTS: 'on', HTTP_API_TOKEN: TOKEN },
      comfyui: { stepDelayMs: 2 },
    });
    room = new WritersRoom(h);
    ({ threadId, writer } = await roomWithRenderedPanels(h, room, 'Heavy Ink', 'Full Bleed'));
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    for (const userId of [writer, h.adminId]) await room.click(threadId, message, userId, 'Approve panels').response();
    await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => m.content.startsWith('**Page 1 · panels approved**')), {
      description: 'panels approved',
      timeoutMs: 30_000,
    });
    chapterId = (await h.database.db.selectFrom('chapters').select('id').executeTakeFirstOrThrow()).id;
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('a second export of the chapter while the first is being built is refused privately; the first still arrives', async () => {
    // Holds the images table, so the first export waits inside its build until the test lets it go.
    const images = await holdTable(h.database.db, 'images');
    try {
      const first = exportAs('cbz');
      await untilWaitingForLocks(h.database.db, 1, 'the first export waiting inside its build');
      const second = await Promise.race([
        exportAs('markdown').response(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the second export got no answer while the first was being built')), 15_000),
        ),
      ]);
      expect(second.ephemeral).toBe(true);
      expect(second.content).toMatch(/An export of this chapter is being built right now/);
      expect(second.attachments ?? []).toEqual([]);
      await images.release();
      const answer = await first.response();
      expect(answer.attachments?.map((a) => a.filename)).toEqual(['chapter-1-full-bleed.cbz']);
    } finally {
      await images.release();
    }
  });

  it('the size comes from the images’ stored byte sizes, before any image is read: over 10 MiB it is refused unbuilt, saying how to get it', async () => {
    const hashes = await approvedHashes();
    const sizes = await h.database.db.selectFrom('images').select(['hash', 'byte_size']).where('hash', 'in', hashes).execute();
    // The stored sizes say 6 MiB each (the bytes are small): an export that read the images first would fit.
    await h.database.db
      .updateTable('images')
      .set({ byte_size: 6 * MiB })
      .where('hash', 'in', hashes)
      .execute();
    try {
      const refused = await exportAs('cbz').response();
      expect(refused.ephemeral).toBe(true);
      expect(refused.attachments ?? []).toEqual([]);
      expect(refused.content).toMatch(/would be 12\.0 MiB, more than Discord takes from a bot here \(10 MiB\), so it was not built/);
      expect(refused.content).toContain(
        `curl -H "Authorization: Bearer $HTTP_API_TOKEN" -o chapter.cbz ${h.web?.url ?? 'none'}/api/chapters/${chapterId}/export.cbz`,
      );
    } finally {
      for (const { hash, byte_size } of sizes)
        await h.database.db.updateTable('images').set({ byte_size }).where('hash', '=', hash).execute();
    }
  });

  it('with two 5.5 MiB panels: Discord gets a refusal with the way to the file, and the API streams the whole archive', async () => {
    const store = postgresImageStore(h.database.db);
    const large = [largePng(), largePng()];
    for (const [index, bytes] of large.entries()) {
      const hash = await store.put({ bytes, contentType: 'image/png', width: 1600, height: 1200 });
      await h.database.db
        .updateTable('panel_renders')
        .set({ image_hash: hash })
        .where('approved', '=', true)
        .where('panel_number', '=', index + 1)
        .execute();
    }
    expect(large[0]?.length).toBeGreaterThan(5 * MiB);

    for (const format of ['cbz', 'markdown']) {
      const refused = await exportAs(format).response();
      expect(refused).toMatchObject({ ephemeral: true, content: expect.stringMatching(/would be 11\.\d MiB, .*so it was not built/) });
      expect(refused.attachments ?? []).toEqual([]);
    }

    const served = await fetch(`${h.web?.url ?? ''}/api/chapters/${chapterId}/export.cbz`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(served.status).toBe(200);
    // Streamed as it is written: no length known up front.
    expect(served.headers.get('content-length')).toBeNull();
    const files = unzipSync(new Uint8Array(await served.arrayBuffer()));
    expect(Object.keys(files)).toEqual(['ComicInfo.xml', 'page-001-panel-01.png', 'page-001-panel-02.png']);
    expect(Buffer.from(files['page-001-panel-01.png'] ?? []).equals(large[0] ?? Buffer.alloc(0))).toBe(true);
    expect(Buffer.from(files['page-001-panel-02.png'] ?? []).equals(large[1] ?? Buffer.alloc(0))).toBe(true);
  });

  it('the size known before building is never below what is built, and close to it', async () => {
    for (const format of ['cbz', 'markdown'] as const) {
      const plan = await planChapterArchiveById(h.database.db, chapterId, format);
      if (!plan) throw new Error('no archive');
      const built = await collectArchive(plan, postgresImageStore(h.database.db));
      expect(built.length).toBeLessThanOrEqual(plan.sizeBound);
      expect(plan.sizeBound - built.length).toBeLessThan(4096);
    }
  });
});
