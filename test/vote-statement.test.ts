import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../src/db/connection.js';
import { recordVoteInOneStatement } from '../src/db/votes.js';
import { castVote as castVoteInTally, decideDraft, parseQuorumRule, tallyVotes, type VoteChoice } from '../src/domain/voting.js';
import { createTestDatabase, type TestDatabase } from '../loopback/local-database.js';
import { seedChapterWithDraft, seedStory, snowflakes } from '../loopback/seed.js';

const GUILD = '410000000000000001';
const snowflake = snowflakes(410_000_000_000_100_000n);

describe('the one-statement vote', () => {
  let database: TestDatabase;
  let db: Db;
  let storyId: number;

  beforeAll(async () => {
    database = await createTestDatabase('votestatement');
    db = database.db;
    storyId = await seedStory(db, { guildId: GUILD, channelId: snowflake(), title: 'Votes', createdBy: 'w0' });
  });
  afterAll(async () => {
    await database.drop();
  });

  /** A chapter of `writers` co-writers with an open narration draft, made by the real services. */
  async function openDraft(writers: number, quorum: string) {
    await db.updateTable('stories').set({ quorum }).where('id', '=', storyId).execute();
    const threadId = snowflake();
    const users = Array.from({ length: writers }, (_, i) => `w${i}`);
    const { pageId, revisionId } = await seedChapterWithDraft(db, {
      guildId: GUILD,
      storyId,
      threadId,
      writers: users,
      title: 'Votes',
      body: 'Draft.',
    });
    return { threadId, pageId, revisionId, users };
  }

  const vote = (draft: Awaited<ReturnType<typeof openDraft>>, userId: string, choice: VoteChoice, feedback: string | null = null) =>
    recordVoteInOneStatement(db, {
      pageId: draft.pageId,
      revisionId: draft.revisionId,
      guildId: GUILD,
      threadId: draft.threadId,
      userId,
      choice,
      feedback,
    });

  it('records a vote exactly when the domain says it leaves the draft open, for every quorum and room size', async () => {
    const cases: { quorum: string; writers: number }[] = [];
    for (const quorum of ['majority', 'all', '1', '2', '3', '5', '999'])
      for (let writers = 1; writers <= 6; writers += 1) cases.push({ quorum, writers });
    for (const { quorum, writers } of cases) {
      const draft = await openDraft(writers, quorum);
      const rule = parseQuorumRule(quorum) ?? { kind: 'majority' as const };
      let votes: { userId: string; choice: VoteChoice }[] = [];
      // Approvals one by one until the statement declines: it must decline exactly at the domain's quorum.
      for (const userId of draft.users) {
        const attempt = await vote(draft, userId, 'approve');
        const after = castVoteInTally(votes, { userId, choice: 'approve' });
        const opensStill = decideDraft(tallyVotes(after, rule, writers)) === 'open';
        expect({ quorum, writers, userId, recorded: attempt?.recorded }).toEqual({ quorum, writers, userId, recorded: opensStill });
        expect(attempt?.fresh).toBe(true);
        if (!opensStill) break;
        votes = after;
      }
      const stored = await db.selectFrom('votes').select('user_id').where('revision_id', '=', draft.revisionId).execute();
      expect(stored).toHaveLength(votes.length);
    }
  });

  it('changes a vote in place and keeps its feedback, and refuses a stranger, another thread and a decided draft without writing', async () => {
    const draft = await openDraft(5, 'all');
    expect((await vote(draft, 'w1', 'approve'))?.recorded).toBe(true);
    const changed = await vote(draft, 'w1', 'revise', 'More rain.');
    expect(changed?.recorded).toBe(true);
    expect(changed?.previousChoice).toBe('approve');
    expect(changed?.otherVotes).toEqual({ approvals: 0, revisions: 0 });
    const stranger = await vote(draft, 'nobody', 'approve');
    expect(stranger?.recorded).toBe(false);
    expect(stranger?.role).toBeNull();
    expect(
      await recordVoteInOneStatement(db, {
        pageId: draft.pageId,
        revisionId: draft.revisionId,
        guildId: GUILD,
        threadId: snowflake(),
        userId: 'w2',
        choice: 'approve',
        feedback: null,
      }),
    ).toBeUndefined();
    await db.updateTable('page_revisions').set({ status: 'approved' }).where('id', '=', draft.revisionId).execute();
    expect((await vote(draft, 'w3', 'approve'))?.recorded).toBe(false);
    const votes = await db.selectFrom('votes').select(['user_id', 'choice']).where('revision_id', '=', draft.revisionId).execute();
    expect(votes).toEqual([{ user_id: 'w1', choice: 'revise' }]);
    const feedback = await db.selectFrom('user_feedback').select('body').where('revision_id', '=', draft.revisionId).execute();
    expect(feedback).toEqual([{ body: 'More rain.' }]);
  });

  it('does not record a vote whose snapshot was overtaken by a vote committed while it waited for the page', async () => {
    const draft = await openDraft(5, 'all');
    const blocker = await database.db.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      await sql`update story_pages set votes_cast = votes_cast + 1 where id = ${draft.pageId}`.execute(connection);
      await sql`insert into votes (revision_id, user_id, choice) values (${draft.revisionId}, 'w0', 'approve')`.execute(connection);
      const waiting = vote(draft, 'w1', 'approve');
      // Wait until the statement is blocked on the page row, then let the other vote commit.
      for (;;) {
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`.execute(db);
        if ((rows[0]?.n ?? 0) > 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await sql`commit`.execute(connection);
      return waiting;
    });
    expect(blocker?.fresh).toBe(false);
    expect(blocker?.recorded).toBe(false);
    const votes = await db.selectFrom('votes').select('user_id').where('revision_id', '=', draft.revisionId).execute();
    expect(votes.map((v) => v.user_id)).toEqual(['w0']);
  });
});
