import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

// Finding 2: a server admin chooses among the models the operator allows, each with a price, and
// every draft's output is capped from the story's length setting.
describe('models on the operator’s key', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('modelallow', { env: { ALLOWED_MODELS: 'gpt-4o-mini,gpt-4o,local-unpriced' } });
    h.model.setResponder(() => ({ content: 'Frost on the glass.' }));
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  const settings = (options: Record<string, string | number>) =>
    h.discord.slashCommand({ guildId: h.guildId, channelId: h.storyChannelId, userId: h.adminId, name: 'settings', options }).response();
  const storedModels = () => h.database.db.selectFrom('stories').select(['narrator_model', 'dialogue_model']).executeTakeFirstOrThrow();

  it('a model outside ALLOWED_MODELS is refused in words and not stored', async () => {
    const reply = await settings({ narrator_model: 'o1-pro' });
    expect(reply.content).toMatch(/o1-pro.*not one of the models.*gpt-4o-mini, gpt-4o, local-unpriced/);
    expect(await storedModels()).toEqual({ narrator_model: null, dialogue_model: null });
  });

  it('an allowed model without a price is refused unless MODEL_PRICES prices it', async () => {
    const reply = await settings({ dialogue_model: 'local-unpriced' });
    expect(reply.content).toMatch(/local-unpriced.*no price.*MODEL_PRICES/);
    expect(await storedModels()).toEqual({ narrator_model: null, dialogue_model: null });
    expect(JSON.stringify((await settings({ narrator_model: 'gpt-4o' })).embeds)).toContain('gpt-4o');
    expect((await storedModels()).narrator_model).toBe('gpt-4o');
  });

  it('the narration request caps its output from the story’s narration length', async () => {
    await settings({ narration_words: 100, narrator_model: 'default' });
    const threadId = await room.openChapter('Capped');
    await room.startPage(threadId, h.adminId, 'A short page').response();
    await room.openDraft(threadId, 1, 'Narration', 1);
    const request = h.model.requests.find((r) => r.promptText.includes('A short page'));
    const cap = (request?.body as { max_completion_tokens?: number } | undefined)?.max_completion_tokens;
    expect(cap).toBeGreaterThanOrEqual(150);
    expect(cap).toBeLessThanOrEqual(600);
  });
});
