import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChannel } from '../loopback/discord/render-channel.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { buttonsOf, embedText, WritersRoom } from '../loopback/writers-room.js';
import type { StoredMessage } from '../loopback/discord/types.js';
import type { RecordedRequest, ScriptedReply } from '../loopback/model/types.js';

// Takes and edits as co-writers read them in the thread: what each message says and offers while a
// round is open, once it is picked, and once it is sent back; what a click answers in private.

const SCRIPT = { panels: [{ panel: 1, caption: 'The ford at dusk.', lines: [{ speaker: 'Kai', line: 'The river is rising.' }] }] };
const TAKES = ['Take one: Kai walks to the forge.', 'Take two: Kai wades the river.', 'Take three: Kai climbs the hill.'] as const;
/** The reviewer's note on each take, found by the take's own text (take three reads clean). */
const NOTES = ['The forge burned down on page 0.', 'Kai cannot swim.', null] as const;

describe('takes and edits as co-writers read them', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let narration: (request: RecordedRequest) => ScriptedReply = () => ({
    content: TAKES[0],
    choices: TAKES.map((content) => ({ content })),
  });

  beforeAll(async () => {
    h = await startStoryroom('takestruth', { env: { CONTINUITY_REVIEW: 'on' } });
    room = new WritersRoom(h);
    h.model.setMultipleChoices('supported');
    h.model.setResponder((request) => {
      if (request.responseFormatName === 'continuity_review') {
        const take = TAKES.findIndex((text) => request.promptText.includes(text));
        const note = NOTES[take] ?? null;
        return { json: { notes: note ? [{ kind: 'contradiction', note }] : [] } };
      }
      return request.responseFormatName ? { json: SCRIPT } : narration(request);
    });
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  const reviewRequests = () => h.model.requests.filter((r) => r.responseFormatName === 'continuity_review');

  function waitForText(threadId: string, messageId: string, text: string): Promise<StoredMessage> {
    return h.discord.waitFor(
      () => {
        const message = h.discord.message(threadId, messageId);
        return message && embedText(message).includes(text) ? message : undefined;
      },
      { description: `"${text}" on message ${messageId}` },
    );
  }

  async function chapterOfThree(title: string) {
    const threadId = await room.openChapter(title);
    const bea = room.newMember(`bea${Math.random().toString(36).slice(2, 6)}`);
    const cal = room.newMember(`cal${Math.random().toString(36).slice(2, 6)}`);
    await room.join(threadId, bea);
    await room.join(threadId, cal);
    return { threadId, bea, cal };
  }

  const startWithTakes = (threadId: string, input: string, takes: number) =>
    h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: threadId,
        userId: h.adminId,
        name: 'page',
        subcommand: 'start',
        options: { input, takes },
      })
      .response();

  it('a round open, picked and sent back: notes per take, the round’s buttons once, picks private and named, a stale pick told who won, history grouped', async () => {
    const { threadId, bea, cal } = await chapterOfThree('Truth of takes');
    await startWithTakes(threadId, 'Kai must cross', 3);
    const [a, b, c] = [
      await room.openTake(threadId, 1, 'Narration', 1, 'A'),
      await room.openTake(threadId, 1, 'Narration', 1, 'B'),
      await room.openTake(threadId, 1, 'Narration', 1, 'C'),
    ];

    // (4) Each take is reviewed on its own text: A and B carry their own note, C says it reads clean.
    await waitForText(threadId, a.id, `Continuity notes (advisory): • Contradiction: ${NOTES[0]}`);
    await waitForText(threadId, b.id, `Continuity notes (advisory): • Contradiction: ${NOTES[1]}`);
    await waitForText(threadId, c.id, 'Continuity notes (advisory): None: the reviewer found nothing to note');
    expect(embedText(room.message(threadId, b.id))).not.toContain(NOTES[0]);
    expect(reviewRequests()).toHaveLength(3);

    // (6) Each take keeps its Pick; Revise, Another take and Edit are once, on the round's last take.
    expect(buttonsOf(room.message(threadId, a.id)).map((x) => x.label)).toEqual(['Pick A']);
    expect(buttonsOf(room.message(threadId, b.id)).map((x) => x.label)).toEqual(['Pick B']);
    expect(buttonsOf(room.message(threadId, c.id)).map((x) => x.label)).toEqual([
      'Pick C',
      'Revise',
      'Another take',
      'Edit A',
      'Edit B',
      'Edit C',
    ]);

    // (7) A pick is confirmed to the picker alone; the round names who picked what.
    const mine = await room.click(threadId, b, bea, 'Pick B').response();
    expect(mine).toMatchObject({ ephemeral: true });
    expect(mine.content).toBe('You picked take B. Picks so far: A 0 · B 1 · C 0 · ✏️ 0 revise; 2 decide the round.');
    await waitForText(threadId, b.id, `Picked by <@${bea}>.`);
    const changed = await room.click(threadId, a, cal, 'Pick A').response();
    expect(changed.content).toContain('You picked take A.');
    const moved = await room.click(threadId, b, cal, 'Pick B').response();
    expect(moved.content).toContain('You changed your vote from take A to take B. Take B is picked');
    await waitForText(threadId, b.id, `Picked. Picks: A 0 · B 2 · C 0`);
    expect(embedText(room.message(threadId, b.id))).toContain(`Picked by <@${bea}>, <@${cal}>.`);
    const notPicked = await waitForText(threadId, a.id, 'Not picked: take B was chosen.');
    expect(buttonsOf(notPicked).every((x) => x.disabled)).toBe(true);
    expect(buttonsOf(await waitForText(threadId, c.id, 'Not picked')).every((x) => x.disabled)).toBe(true);

    // (2) A pick on the decided round says which take won.
    const stale = await room.click(threadId, room.message(threadId, c.id), h.adminId, 'Pick C').response();
    expect(stale).toMatchObject({
      ephemeral: true,
      content: 'The narration v1 round is decided: take B was picked, not take C. Nothing was changed.',
    });

    // (8) The dialogue round is sent back: by the time the next round is in the thread, no take of
    // the old round still says "Up for a vote".
    const dialogueC = await room.openTake(threadId, 1, 'Dialogue', 1, 'C');
    const dialogueTakes = h.discord.messages(threadId).filter((m) => embedText(m).includes('Page 1 · Dialogue v1 · Take'));
    expect(dialogueTakes).toHaveLength(3);
    await room.revise(threadId, dialogueC, bea, 'More thunder.');
    const sentBack = await room.revise(threadId, dialogueC, cal, 'And Mira answers.');
    expect(sentBack.content).toBe(
      'You voted to send the round back (Revise). The round is sent back: new takes are being written from the feedback.',
    );
    const seen = await h.discord.waitFor(
      () => {
        const next = h.discord.messages(threadId).find((m) => embedText(m).includes('Dialogue v2'));
        return next ? dialogueTakes.map((m) => embedText(room.message(threadId, m.id))) : undefined;
      },
      { description: 'the next round in the thread' },
    );
    for (const text of seen) expect(text).not.toContain('Up for a vote');
    const oldC = await waitForText(threadId, dialogueC.id, 'The round was sent back');
    expect(embedText(oldC)).toContain(`Revise (the whole round): <@${bea}>, <@${cal}>.`);
    await room.openTake(threadId, 1, 'Dialogue', 2, 'C');

    // (5) /page history lists each round once, picks under the picked take, in the thread's words.
    const history = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: threadId,
        userId: h.adminId,
        name: 'page',
        subcommand: 'history',
        options: { page: 1 },
      })
      .response();
    const titles = (history.embeds as { title?: string }[]).map((e) => e.title);
    expect(titles).toEqual([
      'Page 1 · history',
      'Narration v1 · 3 takes · take B picked',
      'Dialogue v1 · 3 takes · sent back',
      'Dialogue v2 · 3 takes · up for a vote',
    ]);
    const text = JSON.stringify(history.embeds);
    expect(text).toContain(`**Take B** · Picked · picked by <@${bea}>, <@${cal}>`);
    expect(text).toContain('**Take A** · Not picked');
    expect(text).not.toContain('superseded');
    expect(text).toContain(`Revise (the whole round)","value":"<@${bea}>, <@${cal}>"`);

    if (process.env.TAKES_RENDER_TO) writeFileSync(process.env.TAKES_RENDER_TO, renderChannel(h.discord.messages(threadId)));
  });

  it('a hand edit makes no model call: no review is queued, and the draft says it was not reviewed by leaving notes out', async () => {
    narration = () => ({ content: 'Kai hesitates at the ford.' });
    const { threadId, bea } = await chapterOfThree('Edited by hand');
    await room.startPage(threadId, h.adminId, 'Kai hesitates').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    await waitForText(threadId, draft.id, 'Continuity notes');
    const asked = h.model.requests.length;
    await room.edit(threadId, draft, bea, 'Kai stops at the ford, counting stones.');
    const edited = await room.openDraft(threadId, 1, 'Narration', 2);
    expect(embedText(edited)).toContain(`Edited by <@${bea}>`);
    const v2 = await h.database.db.selectFrom('page_revisions').select('id').where('edited_by', '=', bea).executeTakeFirstOrThrow();
    // The outbox is where every follow-up of the edit was written, in its transaction: no review among them.
    const queued = await h.database.db.selectFrom('outbox').select(['job_name', 'payload']).execute();
    const reviews = queued.filter(
      (row) => row.job_name === 'review-draft' && JSON.stringify(row.payload).includes(`"revisionId":${v2.id}`),
    );
    expect(reviews).toEqual([]);
    expect(h.model.requests.length).toBe(asked);
    expect(embedText(room.message(threadId, edited.id))).not.toContain('Continuity notes');
  });

  it('two co-writers saving edits at once through Discord: the one refused is told whose edit won', async () => {
    narration = () => ({ content: 'Kai waits by the water.' });
    const { threadId, bea, cal } = await chapterOfThree('Two editors');
    await room.startPage(threadId, h.adminId, 'Kai waits').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const formOf = async (userId: string) => {
      const form = await room.click(threadId, draft, userId, 'Edit').response();
      if (form.kind !== 'modal' || !form.modal) throw new Error('Edit opened no form');
      return form.modal.custom_id;
    };
    const [beaForm, calForm] = [await formOf(bea), await formOf(cal)];
    const submit = (userId: string, customId: string, text: string) =>
      h.discord
        .submitModal({ guildId: h.guildId, channelId: threadId, userId, customId, fields: { draft: text }, messageId: draft.id })
        .response();
    const [fromBea, fromCal] = await Promise.all([submit(bea, beaForm, 'Bea’s version.'), submit(cal, calForm, 'Cal’s version.')]);
    const beaWon = !fromBea.content.includes('was not saved');
    const [winner, loser] = beaWon ? [bea, fromCal] : [cal, fromBea];
    expect(loser.ephemeral).toBe(true);
    expect(loser.content).toContain(
      `<@${winner}> saved an edit of narration v1 first: it is narration v2, up for a vote below. Your edit was not saved.`,
    );
    expect(loser.content).toContain(beaWon ? 'Cal’s version.' : 'Bea’s version.');
  });
});
