import { afterEach, describe, expect, it } from 'vitest';
import { startStoryroomProcess, type StoryroomProcess } from '../../loopback/processes.js';
import { embedText, WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import type { InteractionHandle } from '../../loopback/discord/types.js';
import { waitUntil } from '../../loopback/wait-until.js';
import { DONE_BUT_UNSHOWN } from '../../src/discord/finish-interaction.js';

const SCRIPT = { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'Still here.' }] }] };
// A dead bot's interactions are taken over once their lease runs out: short here, 30 s by default.
const LEASE = { INTERACTION_LEASE_MS: '2000' };

/**
 * A bot killed between acknowledging an interaction and committing its effects (or between the commit
 * and its answer): the next bot process finishes it through the interaction's token. The bot stops
 * at the chosen point through TEST_PAUSE_AFTER_ACK / TEST_PAUSE_BEFORE_REPLY, so the kill lands there.
 */
describe('an acknowledged interaction is finished after its bot dies', () => {
  let h: StoryroomHarness | null = null;
  const children: StoryroomProcess[] = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop('SIGKILL')));
    await h?.close();
    h = null;
  });

  async function startBot(harness: StoryroomHarness, pause: Record<string, string> = {}): Promise<StoryroomProcess> {
    const bot = startStoryroomProcess('bot', { ...process.env, ...harness.env, ...LEASE, ...pause, LOG_LEVEL: 'info' });
    children.push(bot);
    await bot.waitForLine(/bot ready/);
    await harness.discord.waitForBotConnection();
    return bot;
  }

  /** A story, a chapter with two co-writers, and a bot that will stop at `pause`. */
  async function setUp(label: string, pause: Record<string, string>) {
    h = await startStoryroom(label, { bot: false, env: LEASE });
    const harness = h;
    harness.model.setResponder((request) => (request.responseFormatName ? { json: SCRIPT } : { content: 'The forge remembers.' }));
    const bot = await startBot(harness, pause);
    const room = new WritersRoom(harness);
    await room.setupStory();
    const threadId = await room.openChapter('Kills');
    const writerId = room.newMember('mara');
    await room.join(threadId, writerId);
    return { h: harness, room, threadId, writerId, bot };
  }

  /** Waits until the bot has acknowledged and stopped where the test asked, then kills it. */
  async function killWhenPaused(bot: StoryroomProcess, handles: InteractionHandle[]): Promise<void> {
    await Promise.all(handles.map((handle) => handle.acknowledged));
    for (const handle of handles) await bot.waitForLine(new RegExp(`"interactionId":"${handle.id}".*paused for a test`));
    expect(await bot.stop('SIGKILL')).toBe('SIGKILL');
  }

  it('/page start killed after "thinking…": the next bot starts the page and edits the reply into its card', async () => {
    const { h, room, threadId, bot } = await setUp('lostcommand', { TEST_PAUSE_AFTER_ACK: 'page' });
    const start = room.startPage(threadId, h.adminId, 'The forge, at night');
    await killWhenPaused(bot, [start]);
    expect(await h.database.db.selectFrom('story_pages').select('id').execute()).toEqual([]);

    await startBot(h);
    const answer = await start.response({ timeoutMs: 30_000 });
    expect(answer).toMatchObject({ kind: 'reply', ephemeral: false });
    expect(JSON.stringify(answer.embeds)).toContain('Page 1');
    const pages = await h.database.db.selectFrom('story_pages').select(['number', 'input']).execute();
    expect(pages).toEqual([{ number: 1, input: 'The forge, at night' }]);
    // The page goes on as any other: its narration is drafted.
    await room.openDraft(threadId, 1, 'Narration', 1);
  }, 90_000);

  it("two co-writers' Approve clicks killed after the acknowledgement: the next bot records both votes and the draft is decided", async () => {
    const { h, room, threadId, writerId, bot } = await setUp('lostvotes', { TEST_PAUSE_AFTER_ACK: 'approve' });
    await room.startPage(threadId, h.adminId, 'Two votes in flight').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const clicks = [room.click(threadId, draft, h.adminId, 'Approve'), room.click(threadId, draft, writerId, 'Approve')];
    await killWhenPaused(bot, clicks);
    expect(await h.database.db.selectFrom('votes').select('user_id').execute()).toEqual([]);

    await startBot(h);
    const answers = await Promise.all(clicks.map((click) => click.response({ timeoutMs: 30_000 })));
    expect(answers.map((a) => a.kind)).toEqual(['update', 'update']);
    const votes = await h.database.db.selectFrom('votes').select(['user_id', 'choice']).orderBy('user_id').execute();
    expect(votes).toEqual([h.adminId, writerId].sort().map((user_id) => ({ user_id, choice: 'approve' })));
    // Both counted: the narration is approved and the dialogue is drafted.
    await room.openDraft(threadId, 1, 'Dialogue', 1);
  }, 90_000);

  it('a Revise form killed after the acknowledgement: the next bot keeps the feedback and shows the vote on the draft', async () => {
    const { h, room, threadId, writerId, bot } = await setUp('lostform', { TEST_PAUSE_AFTER_ACK: 'feedback' });
    await room.startPage(threadId, h.adminId, 'Words sent back').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const form = await room.click(threadId, draft, writerId, 'Revise').response();
    const submitted = h.discord.submitModal({
      guildId: h.guildId,
      channelId: threadId,
      userId: writerId,
      customId: form.modal?.custom_id ?? '',
      fields: { feedback: 'Slow the reveal down.' },
      messageId: draft.id,
    });
    await killWhenPaused(bot, [submitted]);
    expect(await h.database.db.selectFrom('user_feedback').select('body').execute()).toEqual([]);

    await startBot(h);
    const answer = await submitted.response({ timeoutMs: 30_000 });
    expect(answer.kind).toBe('update');
    expect(await h.database.db.selectFrom('user_feedback').select(['user_id', 'body']).execute()).toEqual([
      { user_id: writerId, body: 'Slow the reveal down.' },
    ]);
    expect(await h.database.db.selectFrom('votes').select(['user_id', 'choice']).execute()).toEqual([
      { user_id: writerId, choice: 'revise' },
    ]);
    expect(embedText(room.message(threadId, draft.id))).toContain('Page 1 · Narration v1');
  }, 90_000);

  it('killed after the commit, before the answer: the next bot delivers the kept answer and does not run it twice', async () => {
    const { h, room, threadId, writerId, bot } = await setUp('lostanswer', { TEST_PAUSE_BEFORE_REPLY: 'feedback' });
    await room.startPage(threadId, h.adminId, 'Committed, unanswered').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const form = await room.click(threadId, draft, writerId, 'Revise').response();
    const submitted = h.discord.submitModal({
      guildId: h.guildId,
      channelId: threadId,
      userId: writerId,
      customId: form.modal?.custom_id ?? '',
      fields: { feedback: 'Once is enough.' },
      messageId: draft.id,
    });
    await killWhenPaused(bot, [submitted]);
    const receipt = () =>
      h.database.db
        .selectFrom('interaction_receipts')
        .select(['committed_at', 'completed_at', 'reply', 'attempts'])
        .where('interaction_id', '=', submitted.id)
        .executeTakeFirstOrThrow();
    const left = await receipt();
    expect(left.committed_at).not.toBeNull();
    expect(JSON.parse(left.reply ?? 'null')).toMatchObject({ type: 'update' });
    expect(left.completed_at).toBeNull();

    await startBot(h);
    const answer = await submitted.response({ timeoutMs: 30_000 });
    expect(answer.kind).toBe('update');
    expect(await h.database.db.selectFrom('user_feedback').select('body').execute()).toEqual([{ body: 'Once is enough.' }]);
    await waitUntil(async () => (await receipt()).completed_at, 'the receipt finished');
    expect(await receipt()).toMatchObject({ attempts: 1, reply: null });
  }, 90_000);

  it('killed after the votes committed and before their answers were kept: the next bot says they went through, and counts them once', async () => {
    const { h, room, threadId, writerId, bot } = await setUp('lostkept', { TEST_PAUSE_BEFORE_REPLY: 'approve' });
    await room.startPage(threadId, h.adminId, 'Counted once').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    // The first Approve is one statement that leaves the draft open; the second decides it in a transaction.
    const first = room.click(threadId, draft, h.adminId, 'Approve');
    await untilFirstVoteCommitted(first);
    const second = room.click(threadId, draft, writerId, 'Approve');
    await killWhenPaused(bot, [first, second]);
    // As if the bot had died between each commit and keeping its answer.
    await h.database.db
      .updateTable('interaction_receipts')
      .set({ reply: null })
      .where('interaction_id', 'in', [first.id, second.id])
      .execute();

    await startBot(h);
    const answers = await Promise.all([first, second].map((click) => click.response({ timeoutMs: 30_000 })));
    expect(answers.map((a) => [a.ephemeral, a.content])).toEqual([
      [true, DONE_BUT_UNSHOWN],
      [true, DONE_BUT_UNSHOWN],
    ]);
    expect(await h.database.db.selectFrom('votes').select('user_id').execute()).toHaveLength(2);
    await room.openDraft(threadId, 1, 'Dialogue', 1);
    expect(await h.database.db.selectFrom('page_revisions').select('kind').where('kind', '=', 'narration').execute()).toHaveLength(1);
  }, 90_000);

  /** The first click must be paused (its vote committed) before the second is sent, so their order is known. */
  async function untilFirstVoteCommitted(handle: InteractionHandle): Promise<void> {
    await handle.acknowledged;
    await waitUntil(
      async () => (await h?.database.db.selectFrom('votes').select('user_id').execute())?.length === 1,
      'the first vote committed',
    );
  }
});
