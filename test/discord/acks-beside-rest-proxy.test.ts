import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { startBot, type RunningBot } from '../../src/discord/bot-app.js';
import { startRestProxy, type RunningRestProxy } from '../../src/discord/rest-proxy.js';
import { createLogger } from '../../src/logger.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { TcpProxy } from '../../loopback/tcp-proxy.js';
import { WritersRoom } from '../../loopback/writers-room.js';

// With a REST proxy, the bot's acknowledgements (and every other answer made with an interaction's
// token) go straight to Discord: they are not under the global limit the proxy keeps, so a busy or
// stalled proxy never holds a click past Discord's 3 s. Everything else still goes through the proxy.
describe('acknowledgements beside the REST proxy', () => {
  let h: StoryroomHarness;
  let proxy: RunningRestProxy;
  let line: TcpProxy;
  let bot: RunningBot;
  const logger = createLogger({ level: 'silent', name: 'acks-beside-proxy' });

  beforeAll(async () => {
    h = await startStoryroom('acksbesideproxy', { bot: false, worker: false });
    proxy = await startRestProxy({ upstream: h.discord.apiUrl, port: 0, host: '127.0.0.1' }, logger);
    line = await TcpProxy.start(Number(new URL(proxy.url).port));
    const config = parseConfig({ ...h.env, DISCORD_REST_PROXY_URL: line.rewrite(proxy.url).replace(/\/$/, '') });
    bot = await startBot(config, logger, { waitGuildTimeoutMs: 200, relayIntervalMs: 250, progressWindowMs: 300 });
    await new WritersRoom(h).setupStory();
  });
  afterAll(async () => {
    line?.flow();
    await bot?.close();
    await line?.close();
    await proxy?.close();
    await h?.close();
  });

  it('a command is acknowledged and answered while the proxy holds every request; what goes through the proxy waits for it', async () => {
    const threadsBefore = h.discord.threads(h.storyChannelId).length;
    line.stall();
    const command = h.discord.slashCommand({
      guildId: h.guildId,
      channelId: h.storyChannelId,
      userId: h.adminId,
      name: 'chapter',
      subcommand: 'start',
      options: { title: 'Held at the door' },
    });
    const acknowledged = await command.acknowledged;
    expect(acknowledged.type).toBe(5);
    // The chapter's thread is made through the proxy: not while it holds the request.
    expect(h.discord.threads(h.storyChannelId)).toHaveLength(threadsBefore);
    line.flow();
    const answer = await command.response();
    expect(answer.ephemeral).toBe(false);
    await h.discord.waitFor(() => h.discord.threads(h.storyChannelId).find((t) => t.name.includes('Held at the door')), {
      description: 'the chapter thread, once the proxy lets requests through',
    });
  });
});
