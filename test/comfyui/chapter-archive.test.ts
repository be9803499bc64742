import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { WritersRoom } from '../../loopback/writers-room.js';
import { panelsMessage, roomWithRenderedPanels } from './panels-story.js';

const TOKEN = 'archive-test-token-0123456789';

describe('/chapter export with the approved panels: a CBZ and zipped Markdown', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const exportAs = (format: string) =>
    h.discord
      .slashCommand({ guildId: h.guildId, channelId: threadId, userId: writer, name: 'chapter', subcommand: 'export', options: { format } })
      .response();

  beforeAll(async () => {
    h = await startStoryroom('chapter-archive', {
      web: true,
      env: { PANEL_PROMPTS: 'on', HTTP_API_TOKEN: TOKEN },
      comfyui: { stepDelayMs: 2 },
    });
    room = new WritersRoom(h);
    ({ threadId, writer } = await roomWithRenderedPanels(h, room, 'Ash & <Ember>', 'Cinders'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('before any panels are approved: the CBZ is refused in words and Markdown is the plain file', async () => {
    const cbz = await exportAs('cbz');
    expect(cbz.ephemeral).toBe(true);
    expect(cbz.content).toMatch(/No panels of this chapter are approved yet/);
    expect(cbz.attachments ?? []).toEqual([]);
    const markdown = await exportAs('markdown');
    expect(markdown.attachments?.map((a) => a.filename)).toEqual(['chapter-1-cinders.md']);
  });

  it('once the set is approved: the CBZ holds ComicInfo.xml and the approved panels in reading order; the Markdown zip has the images beside it; the HTTP API serves the same', async () => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    // Both co-writers at once (majority of two): both approvals count, the set is approved and announced once.
    const replies = await Promise.all(
      [writer, h.adminId].map((userId) => room.click(threadId, message, userId, 'Approve panels').response()),
    );
    expect(replies.filter((reply) => reply.content.includes('Your approval decided it'))).toHaveLength(1);
    await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => m.content.startsWith('**Page 1 · panels approved**')), {
      description: 'approval announced',
      timeoutMs: 30_000,
    });
    expect(await h.database.db.selectFrom('panel_set_votes').select('user_id').execute()).toHaveLength(2);
    expect(await h.database.db.selectFrom('panel_set_approvals').select('page_id').execute()).toHaveLength(1);
    const approved = await h.database.db
      .selectFrom('panel_renders as r')
      .innerJoin('images as i', 'i.hash', 'r.image_hash')
      .select(['r.panel_number', 'i.bytes'])
      .where('r.approved', '=', true)
      .orderBy('r.panel_number')
      .execute();
    expect(approved).toHaveLength(2);

    const cbz = await exportAs('cbz');
    expect(cbz.content).toMatch(/2 approved panels in reading order/);
    const [file] = cbz.attachments ?? [];
    expect(file?.filename).toBe('chapter-1-cinders.cbz');
    const files = unzipSync(new Uint8Array(file?.content ?? Buffer.alloc(0)));
    expect(Object.keys(files)).toEqual(['ComicInfo.xml', 'page-001-panel-01.png', 'page-001-panel-02.png']);
    expect(Object.keys(files).filter((name) => name.endsWith('.png'))).toEqual(
      Object.keys(files)
        .filter((name) => name.endsWith('.png'))
        .sort(),
    );
    expect(Buffer.from(files['page-001-panel-01.png'] ?? []).equals(approved[0]?.bytes ?? Buffer.alloc(0))).toBe(true);
    expect(Buffer.from(files['page-001-panel-02.png'] ?? []).equals(approved[1]?.bytes ?? Buffer.alloc(0))).toBe(true);
    const info = new TextDecoder().decode(files['ComicInfo.xml']);
    expect(info).toContain('<Series>Ash &amp; &lt;Ember&gt;</Series>');
    expect(info).toContain('<Title>Cinders</Title>');
    expect(info).toContain('<Number>1</Number>');
    expect(info).toContain('<PageCount>2</PageCount>');
    expect(info.match(/<Page Image="\d+"/g)).toEqual(['<Page Image="0"', '<Page Image="1"']);

    const markdown = await exportAs('markdown');
    const [zipped] = markdown.attachments ?? [];
    expect(zipped?.filename).toBe('chapter-1-cinders-markdown.zip');
    const md = unzipSync(new Uint8Array(zipped?.content ?? Buffer.alloc(0)));
    expect(Object.keys(md)).toEqual(['chapter-1-cinders.md', 'images/page-001-panel-01.png', 'images/page-001-panel-02.png']);
    const text = new TextDecoder().decode(md['chapter-1-cinders.md']);
    const first = text.indexOf('![Page 1, panel 1](images/page-001-panel-01.png)');
    const second = text.indexOf('![Page 1, panel 2](images/page-001-panel-02.png)');
    expect(first).toBeGreaterThan(text.indexOf('**Panel 1**'));
    expect(second).toBeGreaterThan(first);
    expect(Buffer.from(md['images/page-001-panel-02.png'] ?? []).equals(approved[1]?.bytes ?? Buffer.alloc(0))).toBe(true);

    expect(h.discord.messages(threadId).filter((m) => m.content.startsWith('**Page 1 · panels approved**'))).toHaveLength(1);
    const chapter = await h.database.db.selectFrom('chapters').select('id').executeTakeFirstOrThrow();
    const served = await fetch(`${h.web?.url ?? ''}/api/chapters/${chapter.id}/export.cbz`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/vnd.comicbook+zip');
    expect(Object.keys(unzipSync(new Uint8Array(await served.arrayBuffer())))).toEqual(Object.keys(files));
    const unauthorised = await fetch(`${h.web?.url ?? ''}/api/chapters/${chapter.id}/export.zip`);
    expect(unauthorised.status).toBe(401);
    const zipRoute = await fetch(`${h.web?.url ?? ''}/api/chapters/${chapter.id}/export.zip`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(Object.keys(unzipSync(new Uint8Array(await zipRoute.arrayBuffer())))).toEqual(Object.keys(md));
  });
});
