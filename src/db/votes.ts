import { sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { PageRevision, StoryPage } from './database.js';
import type { VoteChoice } from '../domain/voting.js';
import type { Executor } from './executor.js';

export function listVotes(db: Executor, revisionId: number): Promise<{ userId: string; choice: VoteChoice }[]> {
  return db.selectFrom('votes').select(['user_id as userId', 'choice']).where('revision_id', '=', revisionId).execute();
}

/** One vote per co-writer per draft: a second click changes it. */
export async function upsertVote(db: Executor, vote: { revisionId: number; userId: string; choice: VoteChoice }): Promise<void> {
  await db
    .insertInto('votes')
    .values({ revision_id: vote.revisionId, user_id: vote.userId, choice: vote.choice })
    .onConflict((oc) => oc.columns(['revision_id', 'user_id']).doUpdateSet({ choice: vote.choice, updated_at: sql`now()` }))
    .execute();
}

export async function insertFeedback(db: Executor, feedback: { revisionId: number; userId: string; body: string }): Promise<void> {
  await db.insertInto('user_feedback').values({ revision_id: feedback.revisionId, user_id: feedback.userId, body: feedback.body }).execute();
}

/**
 * Everything a vote click needs, read in one statement after the caller locked the page: the page,
 * the draft the button names (only if it is this page's), the clicker's role, the room's size, the
 * story's rules and the votes cast so far.
 */
export async function getVoteContext(db: Executor, target: { pageId: number; revisionId: number; userId: string }) {
  const row = await db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .selectAll('p')
    .select((eb) => [
      'c.thread_id',
      's.guild_id',
      's.quorum',
      's.max_revisions',
      's.reminder_minutes',
      's.deadline_minutes',
      jsonObjectFrom(eb.selectFrom('page_revisions as r').selectAll('r').where('r.id', '=', target.revisionId).whereRef('r.page_id', '=', 'p.id')).as('revision'),
      eb.selectFrom('chapter_members as m').select('m.role').whereRef('m.chapter_id', '=', 'p.chapter_id').where('m.user_id', '=', target.userId).as('role'),
      eb
        .selectFrom('chapter_members as m')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('m.chapter_id', '=', 'p.chapter_id')
        .where('m.role', 'in', ['owner', 'writer'])
        .as('co_writers'),
      jsonArrayFrom(eb.selectFrom('votes as v').select(['v.user_id as userId', 'v.choice']).where('v.revision_id', '=', target.revisionId)).as('votes'),
    ])
    .where('p.id', '=', target.pageId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { revision, role, votes, co_writers, thread_id, guild_id, quorum, max_revisions, reminder_minutes, deadline_minutes, ...page } = row;
  return {
    page: page satisfies StoryPage,
    // JSON carries timestamps as text.
    revision: revision && {
      ...revision,
      created_at: new Date(revision.created_at),
      decided_at: revision.decided_at ? new Date(revision.decided_at) : null,
      reminded_at: revision.reminded_at ? new Date(revision.reminded_at) : null,
    } satisfies PageRevision,
    role,
    votes,
    coWriters: Number(co_writers ?? 0),
    threadId: thread_id,
    guildId: guild_id,
    story: { quorum, maxRevisions: max_revisions, schedulesReviews: reminder_minutes !== null || deadline_minutes !== null },
  };
}
