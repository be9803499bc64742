import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import type { AttachmentInput } from '../../loopback/discord/interactions.js';

// Finding 9: a bible upload is read only from Discord's attachment hosts, without following redirects,
// and never past the size limit whatever size the attachment declares.
describe('the bible upload', () => {
  let h: StoryroomHarness;
  let elsewhere: Server;
  let elsewhereUrl: string;
  const hits: string[] = [];

  beforeAll(async () => {
    elsewhere = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/markdown' });
      res.end('# Secret\nWhat a server inside the network would say.');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/internal/secret.md`;
    h = await startStoryroom('bibleupload');
    await new WritersRoom(h).setupStory();
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => elsewhere?.close(resolve));
  });

  const add = (title: string, file: AttachmentInput) =>
    h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: h.adminId,
        name: 'bible',
        subcommand: 'add',
        options: { title, type: 'rule' },
        attachments: { file },
      })
      .response();
  const entry = (title: string) => h.database.db.selectFrom('canonical_refs').select('id').where('title', '=', title).executeTakeFirst();

  it('a file on another host is not fetched', async () => {
    const reply = await add('Elsewhere', { filename: 'secret.md', contentType: 'text/markdown', content: 'x', url: elsewhereUrl });
    expect(reply.content).toMatch(/not on Discord's attachment servers/);
    expect(hits).toEqual([]);
    expect(await entry('Elsewhere')).toBeUndefined();
  });

  it('a redirect from the attachment host is not followed', async () => {
    const reply = await add('Redirected', { filename: 'moved.md', contentType: 'text/markdown', content: 'x', redirectTo: elsewhereUrl });
    expect(reply.content).toMatch(/redirect/);
    expect(hits).toEqual([]);
    expect(await entry('Redirected')).toBeUndefined();
  });

  it('a file larger than it declares is read only up to the limit', async () => {
    const reply = await add('Endless', {
      filename: 'endless.md',
      contentType: 'text/markdown',
      content: 'word '.repeat(13_000),
      declaredSize: 1_000,
      endless: true,
    });
    expect(reply.content).toMatch(/too large/);
    expect(await entry('Endless')).toBeUndefined();
  });
});
