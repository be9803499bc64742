import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertChapterMember } from '../src/db/chapters.js';
import { insertPage } from '../src/db/pages.js';
import { editDraft, EditRefused } from '../src/services/edit-draft.js';
import { recordAddedTake, recordRound } from '../src/services/record-draft.js';
import { castRoundVote, requestAnotherTake } from '../src/services/take-round.js';
import { UserError } from '../src/services/user-error.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { WritersRoom } from '../loopback/writers-room.js';

// Races on a round of takes, 50 runs each, against the real services and Postgres. Each run opens a
// fresh round of three takes on a new page (recorded as the worker records one), then fires the
// clicks at once. The worker is not started: the jobs the decisions queue are not what is tested.
const RUNS = 50;
const CLOCK = { minuteMs: 60_000, continuityReview: false };
const DRAFTS = ['Take A text.', 'Take B text.', 'Take C text.'].map((body) => ({ body, structured: null, promptContext: null }));

describe('races on a round of takes', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let chapterId: number;
  let pageNumber = 0;
  const writers: string[] = [];

  beforeAll(async () => {
    h = await startStoryroom('takesraces', { worker: false });
    room = new WritersRoom(h);
    await room.setupStory();
    threadId = await room.openChapter('Races on takes');
    const chapter = await h.database.db.selectFrom('chapters').select('id').where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    chapterId = chapter.id;
    writers.push(h.adminId);
    for (let i = 1; i < 10; i += 1) {
      const userId = room.newMember(`racer${i}`);
      await insertChapterMember(h.database.db, { chapter_id: chapterId, user_id: userId, role: 'writer' });
      writers.push(userId);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  const place = (userId: string) => ({ guildId: h.guildId, channelId: threadId, userId });

  /** A new page whose narration round of three takes is open for picks. */
  async function openRound() {
    pageNumber += 1;
    const page = await insertPage(h.database.db, {
      chapter_id: chapterId,
      number: pageNumber,
      input: `Race ${pageNumber}`,
      state: 'generating_narration',
      created_by: h.adminId,
    });
    const recorded = await recordRound(
      h.database.db,
      { pageId: page.id, kind: 'narration', pageVersion: page.version, generationKey: `race-round-${page.id}` },
      DRAFTS,
      CLOCK,
    );
    if (recorded.status !== 'recorded') throw new Error(`round not recorded: ${recorded.status}`);
    const takes = await h.database.db
      .selectFrom('page_revisions')
      .select(['id', 'take'])
      .where('page_id', '=', page.id)
      .orderBy('take')
      .execute();
    return { pageId: page.id, takeIds: takes.map((t) => t.id) };
  }

  const transitions = (pageId: number, event: string) =>
    h.database.db
      .selectFrom('page_transitions')
      .select(['id', 'event'])
      .where('page_id', '=', pageId)
      .where('event', '=', event)
      .orderBy('id')
      .execute();
  const pageRow = (pageId: number) =>
    h.database.db.selectFrom('story_pages').selectAll().where('id', '=', pageId).executeTakeFirstOrThrow();

  it(`10 co-writers picking different takes at once: the take that reaches the quorum wins once (${RUNS} runs)`, async () => {
    // Majority of 10 is 6: six pick B, two pick A, two pick C, so only B can win.
    const picks = [1, 1, 1, 1, 1, 1, 0, 0, 2, 2];
    for (let run = 0; run < RUNS; run += 1) {
      const round = await openRound();
      const results = await Promise.allSettled(
        writers.map((userId, i) =>
          castRoundVote(
            h.database.db,
            place(userId),
            { pageId: round.pageId, revisionId: round.takeIds[picks[i] ?? 0] ?? 0 },
            { pick: 'take' },
          ),
        ),
      );
      for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(UserError);
      expect(await transitions(round.pageId, 'take_picked')).toHaveLength(1);
      const page = await pageRow(round.pageId);
      expect(page.approved_narration_id).toBe(round.takeIds[1]);
      expect(page.state).toBe('generating_dialogue');
      const votes = await h.database.db
        .selectFrom('votes')
        .select(['user_id', 'pick'])
        .where('revision_id', '=', round.takeIds[0] ?? 0)
        .execute();
      expect(votes.filter((v) => v.pick === 1)).toHaveLength(6);
      const statuses = await h.database.db
        .selectFrom('page_revisions')
        .select(['take', 'status'])
        .where('page_id', '=', round.pageId)
        .orderBy('take')
        .execute();
      expect(statuses.map((s) => s.status)).toEqual(['superseded', 'approved', 'superseded']);
    }
  });

  it(`Another take as the quorum is reached: the round is decided once, and a take written after it is dropped (${RUNS} runs)`, async () => {
    // Three co-writers make the chapter's room for this test: a majority is then 2.
    const [admin, bea, cal] = writers;
    if (!admin || !bea || !cal) throw new Error('writers missing');
    await h.database.db
      .updateTable('chapter_members')
      .set({ role: 'viewer' })
      .where('chapter_id', '=', chapterId)
      .where('user_id', 'not in', [admin, bea, cal])
      .execute();
    try {
      const outcomes = new Set<string>();
      for (let run = 0; run < RUNS; run += 1) {
        const round = await openRound();
        const takeA = { pageId: round.pageId, revisionId: round.takeIds[0] ?? 0 };
        await castRoundVote(h.database.db, place(bea), takeA, { pick: 'take' });
        const [picked, another] = await Promise.allSettled([
          castRoundVote(h.database.db, place(cal), takeA, { pick: 'take' }),
          requestAnotherTake(h.database.db, place(admin), takeA, h.config.limits),
        ]);
        expect(picked.status).toBe('fulfilled');
        if (another.status === 'rejected') expect(another.reason).toBeInstanceOf(UserError);
        outcomes.add(another.status);
        expect(await transitions(round.pageId, 'take_picked')).toHaveLength(1);
        const added = await transitions(round.pageId, 'take_added');
        expect(added).toHaveLength(another.status === 'fulfilled' ? 1 : 0);
        const page = await pageRow(round.pageId);
        expect(page.takes_pending).toBe(0);
        expect(page.approved_narration_id).toBe(round.takeIds[0]);
        // The take Another take asked for, finished after the decision, is not added to the round.
        const late = await recordAddedTake(
          h.database.db,
          { pageId: round.pageId, leadRevisionId: takeA.revisionId, generationKey: `race-late-${round.pageId}` },
          DRAFTS[0] ?? { body: 'x', structured: null, promptContext: null },
          CLOCK,
        );
        expect(late.status).toBe('stale');
        expect(await h.database.db.selectFrom('page_revisions').select('id').where('page_id', '=', round.pageId).execute()).toHaveLength(3);
      }
      expect(outcomes.size).toBeGreaterThan(0);
    } finally {
      await h.database.db
        .updateTable('chapter_members')
        .set({ role: 'writer' })
        .where('chapter_id', '=', chapterId)
        .where('role', '=', 'viewer')
        .execute();
    }
  });

  it(`an edit saved as the round is decided: never a take added to a decided round, and a refused edit gives its text back (${RUNS} runs)`, async () => {
    const [admin, bea, cal] = writers;
    if (!admin || !bea || !cal) throw new Error('writers missing');
    await h.database.db
      .updateTable('chapter_members')
      .set({ role: 'viewer' })
      .where('chapter_id', '=', chapterId)
      .where('user_id', 'not in', [admin, bea, cal])
      .execute();
    try {
      for (let run = 0; run < RUNS; run += 1) {
        const round = await openRound();
        const takeA = { pageId: round.pageId, revisionId: round.takeIds[0] ?? 0 };
        const takeB = { pageId: round.pageId, revisionId: round.takeIds[1] ?? 0 };
        await castRoundVote(h.database.db, place(bea), takeA, { pick: 'take' });
        const typed = `An edit of take B, run ${run}.`;
        const [picked, edited] = await Promise.allSettled([
          castRoundVote(h.database.db, place(cal), takeA, { pick: 'take' }),
          editDraft(h.database.db, place(admin), takeB, typed, CLOCK),
        ]);
        expect(picked.status).toBe('fulfilled');
        expect(await transitions(round.pageId, 'take_picked')).toHaveLength(1);
        const takes = await h.database.db
          .selectFrom('page_revisions')
          .select(['take', 'status', 'edited_by', 'created_at'])
          .where('page_id', '=', round.pageId)
          .orderBy('take')
          .execute();
        if (edited.status === 'fulfilled') {
          // The edit came first: it joined the open round as take D, and the pick then decided the round.
          expect(takes.map((t) => [t.take, t.status])).toEqual([
            [0, 'approved'],
            [1, 'superseded'],
            [2, 'superseded'],
            [3, 'superseded'],
          ]);
          expect(takes[3]?.edited_by).toBe(admin);
          const [recorded] = await transitions(round.pageId, 'take_recorded');
          const [decided] = await transitions(round.pageId, 'take_picked');
          expect(recorded && decided && recorded.id < decided.id).toBe(true);
        } else {
          // The pick came first: the edit is refused in words, with the text given back.
          expect(edited.reason).toBeInstanceOf(EditRefused);
          expect((edited.reason as EditRefused).typed).toBe(typed);
          expect((edited.reason as EditRefused).message).toMatch(/not saved/);
          expect(takes).toHaveLength(3);
        }
      }
    } finally {
      await h.database.db
        .updateTable('chapter_members')
        .set({ role: 'writer' })
        .where('chapter_id', '=', chapterId)
        .where('role', '=', 'viewer')
        .execute();
    }
  });
});
