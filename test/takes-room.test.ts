import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { sweepUnshownDraftsNow } from '../loopback/sweep-now.js';
import { waitUntil } from '../loopback/wait-until.js';
import { buttonsOf, embedText, WritersRoom } from '../loopback/writers-room.js';
import type { StoredMessage } from '../loopback/discord/types.js';
import type { RecordedRequest, ScriptedReply } from '../loopback/model/types.js';

const SCRIPT = { panels: [{ panel: 1, caption: 'The ford at dusk.', lines: [{ speaker: 'Kai', line: 'The river is rising.' }] }] };
const TAKES = ['Take one: Kai walks to the forge.', 'Take two: Kai wades the river.', 'Take three: Kai climbs the hill.'] as const;

describe('takes in the writers’ room', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  /** What the model answers next; each test sets it. */
  let answer: (request: RecordedRequest) => ScriptedReply = () => ({ content: TAKES[0] });

  beforeAll(async () => {
    // A review "minute" of 250 ms: a 20-minute deadline passes after 5 s.
    h = await startStoryroom('takesroom', { env: { REVIEW_MINUTE_MS: '250' } });
    room = new WritersRoom(h);
    h.model.setResponder((request) => answer(request));
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  const narrationRequests = () => h.model.requests.filter((r) => r.responseFormatName === null);
  const dialogueRequests = () => h.model.requests.filter((r) => r.responseFormatName !== null);

  /** Three takes with `n`; one structured script for every dialogue take. */
  const threeTakes = (request: RecordedRequest): ScriptedReply =>
    request.responseFormatName ? { json: SCRIPT } : { content: TAKES[0], choices: TAKES.map((content) => ({ content })) };

  function startWithTakes(threadId: string, userId: string, input: string, takes: number) {
    return h.discord.slashCommand({
      guildId: h.guildId,
      channelId: threadId,
      userId,
      name: 'page',
      subcommand: 'start',
      options: { input, takes },
    });
  }

  const openTake = (threadId: string, pageNumber: number, kind: 'Narration' | 'Dialogue', version: number, letter: string) =>
    room.openTake(threadId, pageNumber, kind, version, letter);

  function waitForText(threadId: string, messageId: string, text: string): Promise<StoredMessage> {
    return h.discord.waitFor(
      () => {
        const message = h.discord.message(threadId, messageId);
        return message && embedText(message).includes(text) ? message : undefined;
      },
      { description: `"${text}" on message ${messageId}` },
    );
  }

  async function pageOf(threadId: string) {
    return h.database.db
      .selectFrom('story_pages as p')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .selectAll('p')
      .where('c.thread_id', '=', threadId)
      .orderBy('p.number', 'desc')
      .executeTakeFirstOrThrow();
  }

  function takesOf(pageId: number, kind: 'narration' | 'dialogue', version: number) {
    return h.database.db
      .selectFrom('page_revisions')
      .selectAll()
      .where('page_id', '=', pageId)
      .where('kind', '=', kind)
      .where('version', '=', version)
      .orderBy('take')
      .execute();
  }

  async function threeWriterChapter(title: string) {
    const threadId = await room.openChapter(title);
    const bea = room.newMember(`bea${Math.random().toString(36).slice(2, 6)}`);
    const cal = room.newMember(`cal${Math.random().toString(36).slice(2, 6)}`);
    await room.join(threadId, bea);
    await room.join(threadId, cal);
    return { threadId, bea, cal };
  }

  it('a 3-take round: one request with n, picks decide (a changed pick counts once), the others shown as not picked; a Revise round; Another take during the vote', async () => {
    h.model.setMultipleChoices('supported');
    answer = threeTakes;
    const { threadId, bea, cal } = await threeWriterChapter('Three takes');
    const before = narrationRequests().length;
    await startWithTakes(threadId, h.adminId, 'Kai must cross', 3).response();
    const [a, b, c] = [
      await openTake(threadId, 1, 'Narration', 1, 'A'),
      await openTake(threadId, 1, 'Narration', 1, 'B'),
      await openTake(threadId, 1, 'Narration', 1, 'C'),
    ];
    expect(embedText(a)).toContain(TAKES[0]);
    expect(embedText(b)).toContain(TAKES[1]);
    expect(embedText(c)).toContain(TAKES[2]);
    // Each take keeps its Pick; the round's own buttons are on its last take, once.
    expect(buttonsOf(a).map((button) => button.label)).toEqual(['Pick A']);
    expect(buttonsOf(b).map((button) => button.label)).toEqual(['Pick B']);
    expect(buttonsOf(c).map((button) => button.label)).toEqual(['Pick C', 'Revise', 'Another take', 'Edit A', 'Edit B', 'Edit C']);
    // All three takes came from one request with n = 3.
    const asked = narrationRequests().slice(before);
    expect(asked.map((r) => r.n)).toEqual([3]);

    // The pick is confirmed privately; the take's message is redrawn by the worker, with who picked it.
    const first = await room.click(threadId, b, bea, 'Pick B').response();
    expect(first.ephemeral).toBe(true);
    expect(first.content).toContain('You picked take B.');
    await waitForText(threadId, b.id, `Picks: A 0 · B 1 · C 0`);
    expect(embedText(room.message(threadId, b.id))).toContain(`Picked by <@${bea}>.`);
    await room.click(threadId, a, h.adminId, 'Pick A').response();
    await waitForText(threadId, c.id, 'Picks: A 1 · B 1 · C 0');
    // The admin changes their pick to B: B reaches the quorum of 2 (of 3) and wins.
    const decided = await room.click(threadId, b, h.adminId, 'Pick B').response();
    expect(decided.ephemeral).toBe(true);
    expect(decided.content).toContain('You changed your vote from take A to take B.');
    expect(decided.content).toContain('Take B is picked');
    await waitForText(threadId, b.id, 'Picked.');
    await waitForText(threadId, a.id, 'Not picked: take B was chosen');
    await waitForText(threadId, c.id, 'Not picked: take B was chosen');
    expect(buttonsOf(room.message(threadId, a.id)).every((button) => button.disabled)).toBe(true);
    const page = await pageOf(threadId);
    const narrations = await takesOf(page.id, 'narration', 1);
    expect(narrations.map((t) => [t.take, t.status])).toEqual([
      [0, 'superseded'],
      [1, 'approved'],
      [2, 'superseded'],
    ]);
    expect(page.approved_narration_id).toBe(narrations[1]?.id);

    // The dialogue is written from take B, as three takes too; the room sends it back with feedback.
    const dialogueA = await openTake(threadId, 1, 'Dialogue', 1, 'A');
    expect(dialogueRequests().at(-1)?.promptText).toContain(TAKES[1]);
    const dialogueC = await openTake(threadId, 1, 'Dialogue', 1, 'C');
    await room.revise(threadId, dialogueC, bea, 'More thunder over the ford.');
    const sentBack = await room.revise(threadId, dialogueC, cal, 'And Mira should answer.');
    expect(sentBack.ephemeral).toBe(true);
    expect(sentBack.content).toContain('The round is sent back');
    await waitForText(threadId, dialogueA.id, 'The round was sent back');
    const v2a = await openTake(threadId, 1, 'Dialogue', 2, 'A');
    expect(dialogueRequests().at(-1)?.promptText).toContain('More thunder over the ford.');
    expect(dialogueRequests().at(-1)?.promptText).toContain('And Mira should answer.');

    // Another take while the round is open: take D joins it, and the room picks it.
    await room.click(threadId, v2a, bea, 'Pick A').response();
    const v2c = await openTake(threadId, 1, 'Dialogue', 2, 'C');
    const another = await room.click(threadId, v2c, cal, 'Another take').response();
    expect(another.ephemeral).toBe(true);
    expect(another.content).toContain('Another take is being written');
    const d = await openTake(threadId, 1, 'Dialogue', 2, 'D');
    expect(embedText(d)).toContain('Picks: A 1 · B 0 · C 0 · D 0');
    await room.click(threadId, d, cal, 'Pick D').response();
    await room.click(threadId, d, h.adminId, 'Pick D').response();
    await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => embedText(m).includes('Page 1 approved')), {
      description: 'page approved',
    });
    const approved = await pageOf(threadId);
    const dialogues = await takesOf(approved.id, 'dialogue', 2);
    expect(dialogues).toHaveLength(4);
    expect(approved.approved_dialogue_id).toBe(dialogues[3]?.id);
    expect(approved.takes_pending).toBe(0);

    // /usage counts tokens per take: with n the prompt is counted once, on take A.
    const rows = await h.database.db
      .selectFrom('agent_execution_log')
      .select(['take', 'prompt_tokens', 'completion_tokens'])
      .where('page_id', '=', page.id)
      .where('agent', '=', 'narrator')
      .orderBy('take')
      .execute();
    expect(rows.map((r) => r.take)).toEqual([0, 1, 2]);
    expect(rows[0]?.prompt_tokens).toBeGreaterThan(0);
    expect(rows.slice(1).map((r) => r.prompt_tokens)).toEqual([0, 0]);
    expect(rows.every((r) => r.completion_tokens > 0)).toBe(true);
    const usage = await h.discord.slashCommand({ guildId: h.guildId, channelId: threadId, userId: h.adminId, name: 'usage' }).response();
    const byTake = JSON.stringify(usage.embeds);
    expect(byTake).toContain('By take (one request with n writes several takes; its prompt is counted on take A)');
    expect(byTake).toMatch(/\*\*Take A\*\*: [1-9][0-9,]* in/);
    // Requests as billed: the narration's n = 3, the dialogue's two n = 3 and take D: 4, not 10.
    expect(usage.embeds[0]?.description).toContain('· 4 requests');
    expect(byTake).toMatch(/\*\*Take B\*\*: 0 in [^*]* · 3 takes, 3 in a request shared with an earlier take/);
    expect(byTake).toMatch(/\*\*Take D\*\*: [1-9][0-9,]* in [^*]* · 1 take"/);
  });

  it('a server that ignores n gets parallel one-choice requests, remembered for the next round; one take cut off by length keeps the others', async () => {
    h.model.setMultipleChoices('ignored');
    let served = 0;
    answer = (request) => {
      served += 1;
      return request.responseFormatName ? { json: SCRIPT } : { content: `Parallel take number ${served}.` };
    };
    const { threadId, bea } = await threeWriterChapter('Parallel takes');
    const before = h.model.requests.length;
    await startWithTakes(threadId, h.adminId, 'Kai waits', 2).response();
    const a = await openTake(threadId, 1, 'Narration', 1, 'A');
    const b = await openTake(threadId, 1, 'Narration', 1, 'B');
    expect(embedText(a)).not.toBe(embedText(b));
    // First n = 2 answered with one choice, then one request for the missing take.
    expect(h.model.requests.slice(before).map((r) => r.n)).toEqual([2, 1]);
    const page = await pageOf(threadId);
    const rows = await h.database.db
      .selectFrom('agent_execution_log')
      .select(['take', 'prompt_tokens'])
      .where('page_id', '=', page.id)
      .orderBy('take')
      .execute();
    // Each parallel take read the prompt itself.
    expect(rows.filter((r) => r.take !== null).every((r) => r.prompt_tokens > 0)).toBe(true);

    await room.click(threadId, a, bea, 'Pick A').response();
    await room.click(threadId, a, h.adminId, 'Pick A').response();
    await openTake(threadId, 1, 'Dialogue', 1, 'B');
    // The dialogue round went straight to parallel requests: the server is remembered.
    expect(
      dialogueRequests()
        .slice(-2)
        .map((r) => r.n),
    ).toEqual([1, 1]);

    // A restarted worker forgets which servers ignore n. Back on a server that answers n: one of
    // three choices is cut off by length; A and B stay.
    await h.stopWorker();
    await h.startWorker();
    h.model.setMultipleChoices('supported');
    answer = (request) =>
      request.responseFormatName
        ? { json: SCRIPT }
        : { content: TAKES[0], choices: [{ content: TAKES[0] }, { fault: 'length' }, { content: TAKES[2] }] };
    const second = await threeWriterChapter('Cut off');
    await startWithTakes(second.threadId, h.adminId, 'Kai rests', 3).response();
    await openTake(second.threadId, 1, 'Narration', 1, 'A');
    const keptB = await openTake(second.threadId, 1, 'Narration', 1, 'B');
    expect(embedText(keptB)).toContain(TAKES[2]);
    const cutPage = await pageOf(second.threadId);
    expect(await takesOf(cutPage.id, 'narration', 1)).toHaveLength(2);
    const logged = await h.database.db
      .selectFrom('agent_execution_log')
      .select(['take', 'outcome'])
      .where('page_id', '=', cutPage.id)
      .orderBy('take')
      .execute();
    expect(logged.map((r) => [r.take, r.outcome])).toEqual([
      [0, 'ok'],
      [1, 'length'],
      [2, 'ok'],
    ]);
  });

  it('at the deadline the most-picked take wins', async () => {
    h.model.setMultipleChoices('supported');
    answer = threeTakes;
    const { threadId, bea, cal } = await threeWriterChapter('Deadline takes');
    await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: h.adminId,
        name: 'settings',
        options: { quorum: 'all', deadline_minutes: 20, deadline_rule: 'approve_on_tie' },
      })
      .response();
    try {
      await startWithTakes(threadId, h.adminId, 'Kai chooses', 3).response();
      const a = await openTake(threadId, 1, 'Narration', 1, 'A');
      const c = await openTake(threadId, 1, 'Narration', 1, 'C');
      await room.click(threadId, c, bea, 'Pick C').response();
      await room.click(threadId, c, cal, 'Pick C').response();
      await room.click(threadId, a, h.adminId, 'Pick A').response();
      const notice = await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => m.content.startsWith('⌛')), {
        description: 'deadline notice',
        timeoutMs: 15_000,
      });
      expect(notice.content).toContain('A 1 · B 0 · C 2');
      expect(notice.content).toContain('so take C is picked');
      await waitForText(threadId, c.id, 'Picked.');
      const page = await pageOf(threadId);
      const narrations = await takesOf(page.id, 'narration', 1);
      expect(page.approved_narration_id).toBe(narrations[2]?.id);
    } finally {
      await h.discord
        .slashCommand({
          guildId: h.guildId,
          channelId: h.storyChannelId,
          userId: h.adminId,
          name: 'settings',
          options: { quorum: 'majority', deadline_minutes: 0 },
        })
        .response();
    }
  });

  it('Edit on a take adds a take; history, diff and restore address "v1 B"; refusals are private and change nothing', async () => {
    h.model.setMultipleChoices('supported');
    answer = threeTakes;
    const { threadId, bea, cal } = await threeWriterChapter('Takes by hand');
    const stranger = room.newMember(`stranger${Math.random().toString(36).slice(2, 6)}`);
    await startWithTakes(threadId, h.adminId, 'Kai hesitates', 2).response();
    const a = await openTake(threadId, 1, 'Narration', 1, 'A');
    const b = await openTake(threadId, 1, 'Narration', 1, 'B');
    await room.click(threadId, a, bea, 'Pick A').response();

    // A stranger's pick is refused in private and stores nothing.
    const refused = await room.click(threadId, b, stranger, 'Pick B').response();
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toContain('Only co-writers');
    const page = await pageOf(threadId);
    const lead = (await takesOf(page.id, 'narration', 1))[0];
    expect(
      await h.database.db
        .selectFrom('votes')
        .select('user_id')
        .where('revision_id', '=', lead?.id ?? 0)
        .execute(),
    ).toEqual([{ user_id: bea }]);

    // Edit on take B: the text becomes take C, marked as edited; the pick cast so far stands.
    const saved = await room.edit(threadId, b, cal, 'Kai stops at the water, counting the stones.', 'Edit B');
    expect(saved.ephemeral).toBe(true);
    expect(saved.content).toContain('take C of narration v1');
    const c = await openTake(threadId, 1, 'Narration', 1, 'C');
    expect(embedText(c)).toContain(`Edited by <@${cal}> from take B`);
    await waitForText(threadId, c.id, 'Picks: A 1 · B 0 · C 0');
    await room.click(threadId, c, cal, 'Pick C').response();
    await room.click(threadId, c, h.adminId, 'Pick C').response();
    await waitForText(threadId, c.id, 'Picked.');

    // A pick on the decided round is stale: answered in private, nothing changes.
    const stale = await room.click(threadId, room.message(threadId, a.id), bea, 'Pick A').response();
    expect(stale.ephemeral).toBe(true);
    expect(stale.content).toBe('The narration v1 round is decided: take C was picked, not take A. Nothing was changed.');
    const narrations = await takesOf(page.id, 'narration', 1);
    expect(narrations.map((t) => [t.take, t.status, t.edited_by])).toEqual([
      [0, 'superseded', null],
      [1, 'superseded', null],
      [2, 'approved', cal],
    ]);

    const command = (name: string, subcommand: string, options: Record<string, string | number>) =>
      h.discord.slashCommand({ guildId: h.guildId, channelId: threadId, userId: h.adminId, name, subcommand, options }).response();
    const history = JSON.stringify((await command('page', 'history', { page: 1 })).embeds);
    expect(history).toContain('Narration v1 · 3 takes · take C picked');
    expect(history).toContain('**Take A** · Not picked');
    expect(history).toContain(`**Take C** · Picked · picked by <@${cal}>, <@${h.adminId}> · ✍️ edited by <@${cal}> from take B`);
    const diff = JSON.stringify((await command('page', 'diff', { page: 1, from: 1, to: 1, from_take: 'A', to_take: 'C' })).embeds);
    expect(diff).toContain('Narration v1 A → v1 C (edited)');
    const missing = await command('page', 'diff', { page: 1, from: 1, to: 1, to_take: 'F' });
    expect(missing.content).toContain('has no take F');
    // A restore is taken while a draft is up for a vote: the dialogue's round, written from take C.
    await openTake(threadId, 1, 'Dialogue', 1, 'B');
    const restored = await command('page', 'restore', { page: 1, version: 1, take: 'B' });
    expect(restored.content).toContain('narration v1 B as v2');
    const v2 = await room.openDraft(threadId, 1, 'Narration', 2);
    expect(embedText(v2)).toContain(TAKES[1]);
  });

  it('10 co-writers pressing Pick at once through Discord: every click answered, one take wins once (5 runs)', async () => {
    h.model.setMultipleChoices('supported');
    answer = threeTakes;
    for (let run = 0; run < 5; run += 1) {
      const threadId = await room.openChapter(`Ten pickers ${run}`);
      const pickers = [h.adminId];
      for (let i = 0; i < 9; i += 1) {
        const userId = room.newMember(`picker${run}x${i}`);
        await room.join(threadId, userId);
        pickers.push(userId);
      }
      await startWithTakes(threadId, h.adminId, `Ten pickers ${run}`, 3).response();
      const takes = [
        await openTake(threadId, 1, 'Narration', 1, 'A'),
        await openTake(threadId, 1, 'Narration', 1, 'B'),
        await openTake(threadId, 1, 'Narration', 1, 'C'),
      ];
      // Six pick B, two A, two C: a majority of ten is six, so B is the only take that can win.
      const choices = [1, 1, 1, 1, 1, 1, 0, 0, 2, 2];
      const answers = await Promise.all(
        pickers.map((userId, i) => {
          const take = choices[i] ?? 0;
          const message = takes[take];
          if (!message) throw new Error('take message missing');
          return room.click(threadId, message, userId, `Pick ${String.fromCharCode(65 + take)}`).response();
        }),
      );
      for (const answered of answers) expect(answered.kind === 'update' || answered.ephemeral).toBe(true);
      const page = await pageOf(threadId);
      const narrations = await takesOf(page.id, 'narration', 1);
      expect(page.approved_narration_id).toBe(narrations[1]?.id);
      const picked = await h.database.db
        .selectFrom('page_transitions')
        .select('id')
        .where('page_id', '=', page.id)
        .where('event', '=', 'take_picked')
        .execute();
      expect(picked).toHaveLength(1);
      await waitForText(threadId, takes[0]?.id ?? '', 'Not picked: take B was chosen');
    }
  });

  it('a take whose message never reached Discord is shown again by the sweeper', async () => {
    h.model.setMultipleChoices('supported');
    answer = threeTakes;
    const { threadId } = await threeWriterChapter('Lost take');
    await startWithTakes(threadId, h.adminId, 'A take that got lost', 2).response();
    await openTake(threadId, 1, 'Narration', 1, 'A');
    const b = await openTake(threadId, 1, 'Narration', 1, 'B');
    // The worker records a message just after Discord answers its post: wait for that record first.
    await waitUntil(
      () => h.database.db.selectFrom('discord_messages').select('id').where('message_id', '=', b.id).executeTakeFirst(),
      "take B's message recorded",
    );
    // As if every attempt to post take B had failed: no message in the thread, none recorded.
    h.discord.deleteMessage(threadId, b.id);
    await h.database.db.deleteFrom('discord_messages').where('message_id', '=', b.id).execute();
    expect(await sweepUnshownDraftsNow(h)).toBe(1);
    const shown = await openTake(threadId, 1, 'Narration', 1, 'B');
    expect(shown.id).not.toBe(b.id);
    expect(embedText(shown)).toContain(TAKES[1]);
  });
});
