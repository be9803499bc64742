import { CompiledQuery, sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { PageRevision, StoryPage } from './database.js';
import type { VoteChoice } from '../domain/voting.js';
import { prepareOnEveryConnection } from './connection.js';
import type { Executor } from './executor.js';
import { uncommittedInteraction } from './interaction-scope.js';

/**
 * The votes on a draft that count: those of the chapter's current owners and writers. A member made a
 * viewer or removed keeps their vote in the history, but it stops counting (and counts again if they
 * become a co-writer while the draft is open).
 */
export function listCountedVotes(db: Executor, revisionId: number): Promise<{ userId: string; choice: VoteChoice }[]> {
  return countedVotes(db, revisionId).execute();
}

/** A draft's counted votes and its chapter's co-writers (owners and writers), what its tally needs, in one statement. */
export async function countedVotesAndCoWriters(
  db: Executor,
  revisionId: number,
  chapterId: number,
): Promise<{ votes: { userId: string; choice: VoteChoice }[]; coWriters: number }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('chapter_members')
        .select((members) => members.fn.countAll<number>().as('n'))
        .where('chapter_id', '=', chapterId)
        .where('role', 'in', ['owner', 'writer'])
        .as('co_writers'),
      jsonArrayFrom(countedVotes(db, revisionId)).as('votes'),
    ])
    .executeTakeFirstOrThrow();
  return { votes: row.votes, coWriters: Number(row.co_writers) };
}

function countedVotes(db: Executor, revisionId: number) {
  return db
    .selectFrom('votes as v')
    .innerJoin('page_revisions as r', 'r.id', 'v.revision_id')
    .innerJoin('story_pages as p', 'p.id', 'r.page_id')
    .innerJoin('chapter_members as m', (join) => join.onRef('m.chapter_id', '=', 'p.chapter_id').onRef('m.user_id', '=', 'v.user_id'))
    .select(['v.user_id as userId', 'v.choice'])
    .where('v.revision_id', '=', revisionId)
    .where('m.role', 'in', ['owner', 'writer']);
}

/**
 * The counted votes of a round of takes, cast on its take A: a pick names its take (an approval cast
 * before the round had more takes than A picked A), Revise sends the round back.
 */
export async function listCountedRoundVotes(db: Executor, leadRevisionId: number): Promise<{ userId: string; pick: number | 'revise' }[]> {
  const rows = await db
    .selectFrom('votes as v')
    .innerJoin('page_revisions as r', 'r.id', 'v.revision_id')
    .innerJoin('story_pages as p', 'p.id', 'r.page_id')
    .innerJoin('chapter_members as m', (join) => join.onRef('m.chapter_id', '=', 'p.chapter_id').onRef('m.user_id', '=', 'v.user_id'))
    .select(['v.user_id as userId', 'v.choice', 'v.pick'])
    .where('v.revision_id', '=', leadRevisionId)
    .where('m.role', 'in', ['owner', 'writer'])
    .execute();
  return rows.map(asRoundVote);
}

/** A stored vote as a round counts it: an approval cast before the round had more takes than A picked A. */
export function asRoundVote(row: { userId: string; choice: VoteChoice; pick: number | null }): { userId: string; pick: number | 'revise' } {
  return { userId: row.userId, pick: row.choice === 'revise' ? 'revise' : (row.pick ?? 0) };
}

/** A pick or a Revise in a round of takes: one vote per co-writer per round, changeable until it is decided. */
export async function upsertRoundVote(
  db: Executor,
  vote: { leadRevisionId: number; userId: string; pick: number | 'revise' },
): Promise<void> {
  const choice = vote.pick === 'revise' ? 'revise' : 'approve';
  const pick = vote.pick === 'revise' ? null : vote.pick;
  await db
    .insertInto('votes')
    .values({ revision_id: vote.leadRevisionId, user_id: vote.userId, choice, pick })
    .onConflict((oc) => oc.columns(['revision_id', 'user_id']).doUpdateSet({ choice, pick, updated_at: sql`now()` }))
    .execute();
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
  await db
    .insertInto('user_feedback')
    .values({ revision_id: feedback.revisionId, user_id: feedback.userId, body: feedback.body })
    .execute();
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
      jsonObjectFrom(
        eb.selectFrom('page_revisions as r').selectAll('r').where('r.id', '=', target.revisionId).whereRef('r.page_id', '=', 'p.id'),
      ).as('revision'),
      eb
        .selectFrom('chapter_members as m')
        .select('m.role')
        .whereRef('m.chapter_id', '=', 'p.chapter_id')
        .where('m.user_id', '=', target.userId)
        .as('role'),
      eb
        .selectFrom('chapter_members as m')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('m.chapter_id', '=', 'p.chapter_id')
        .where('m.role', 'in', ['owner', 'writer'])
        .as('co_writers'),
      // Only the votes of current owners and writers count (see listCountedVotes).
      jsonArrayFrom(
        eb
          .selectFrom('votes as v')
          .innerJoin('chapter_members as vm', (join) => join.onRef('vm.user_id', '=', 'v.user_id').on('vm.role', 'in', ['owner', 'writer']))
          .select(['v.user_id as userId', 'v.choice', 'v.pick'])
          .where('v.revision_id', '=', target.revisionId)
          .whereRef('vm.chapter_id', '=', 'p.chapter_id'),
      ).as('votes'),
    ])
    .where('p.id', '=', target.pageId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { revision, role, votes, co_writers, thread_id, guild_id, quorum, max_revisions, reminder_minutes, deadline_minutes, ...page } =
    row;
  return {
    page: page satisfies StoryPage,
    // JSON carries timestamps as text.
    revision:
      revision &&
      ({
        ...revision,
        created_at: new Date(revision.created_at),
        decided_at: revision.decided_at ? new Date(revision.decided_at) : null,
        reminded_at: revision.reminded_at ? new Date(revision.reminded_at) : null,
      } satisfies PageRevision),
    role,
    votes,
    coWriters: Number(co_writers ?? 0),
    threadId: thread_id,
    guildId: guild_id,
    story: { quorum, maxRevisions: max_revisions, schedulesReviews: reminder_minutes !== null || deadline_minutes !== null },
  };
}

/** A draft as a vote click reads it: everything but the prompt report, which can be large. */
export type VotedRevision = Omit<PageRevision, 'prompt_context'>;

/** What the one-statement vote found, and whether it recorded the vote. */
export interface VoteAttempt {
  /** The page as locked by the statement (its newest version). */
  page: StoryPage;
  revision: VotedRevision | null;
  role: string | null;
  coWriters: number;
  /** Votes of the other co-writers on the draft, and the clicker's own earlier vote (the statement's snapshot). */
  otherVotes: { approvals: number; revisions: number };
  previousChoice: VoteChoice | null;
  story: { quorum: string; maxRevisions: number; schedulesReviews: boolean };
  /** No other vote committed between the statement's snapshot and its lock: its counts are current. */
  fresh: boolean;
  recorded: boolean;
  /** The draft is one of a round of takes: its votes are picks, cast under the page lock instead. */
  hasTakes: boolean;
}

type RecordVoteRow = StoryPage & {
  quorum: string;
  max_revisions: number;
  schedules_reviews: boolean;
  role: string | null;
  co_writers: number;
  other_approvals: number;
  other_revisions: number;
  previous_choice: VoteChoice | null;
  has_takes: boolean;
  revision:
    | (Omit<VotedRevision, 'created_at' | 'decided_at' | 'reminded_at'> & {
        created_at: string;
        decided_at: string | null;
        reminded_at: string | null;
      })
    | null;
  fresh: boolean;
  recorded: boolean;
  interaction_committed: boolean;
};

// $1 user, $2 revision, $3 page, $4 thread, $5 guild, $6 choice, $7 feedback (or null), $8 record even a deciding vote,
// $9 and $10 the interaction and its owner process when the vote is its own transaction (else null; see interaction-scope.ts).
const RECORD_VOTE_SQL = `
    with inbox as (
      select 1 from interaction_receipts where interaction_id = $9::text and owner = $10::text and committed_at is null for update
    ),
    snapshot as (
      select p.id, p.votes_cast, s.quorum, s.max_revisions,
        (s.reminder_minutes is not null or s.deadline_minutes is not null) as schedules_reviews,
        to_jsonb(r) - 'prompt_context' as revision,
        members.role, members.co_writers, tallied.other_approvals, tallied.other_revisions, tallied.previous_choice,
        exists (select 1 from page_revisions t where t.page_id = r.page_id and t.kind = r.kind and t.version = r.version and t.take > 0) as has_takes,
        case s.quorum
          when 'majority' then greatest(1, members.co_writers) / 2 + 1
          when 'all' then greatest(1, members.co_writers)
          else least(s.quorum::int, greatest(1, members.co_writers))
        end as required
      from story_pages p
      join chapters c on c.id = p.chapter_id
      join stories s on s.id = c.story_id
      left join page_revisions r on r.id = $2 and r.page_id = p.id
      cross join lateral (
        select max(m.role) filter (where m.user_id = $1) as role,
          (count(*) filter (where m.role in ('owner', 'writer')))::int as co_writers
        from chapter_members m where m.chapter_id = p.chapter_id
      ) members
      cross join lateral (
        select (count(*) filter (where v.choice = 'approve' and v.user_id <> $1))::int as other_approvals,
          (count(*) filter (where v.choice = 'revise' and v.user_id <> $1))::int as other_revisions,
          max(v.choice) filter (where v.user_id = $1) as previous_choice
        from votes v
        join chapter_members vm on vm.chapter_id = p.chapter_id and vm.user_id = v.user_id and vm.role in ('owner', 'writer')
        where v.revision_id = $2
      ) tallied
      where p.id = $3 and c.thread_id = $4 and s.guild_id = $5
    ),
    locked as (
      update story_pages p set votes_cast = p.votes_cast + 1
      from snapshot sn where p.id = sn.id
      returning p.*
    ),
    recorded as (
      insert into votes (revision_id, user_id, choice)
      select $2, $1, $6
      from locked l cross join snapshot sn
      where sn.role in ('owner', 'writer')
        and not sn.has_takes
        and sn.revision->>'status' = 'open'
        and l.current_revision_id = $2
        and l.state in ('user_reviewing_narration', 'user_reviewing_dialogue')
        and l.stage = sn.revision->>'kind'
        and l.votes_cast = sn.votes_cast + 1
        and ($9::text is null or exists (select 1 from inbox))
        and ($8 or (sn.other_approvals + (case when $6 = 'approve' then 1 else 0 end) < sn.required
          and sn.other_revisions + (case when $6 = 'revise' then 1 else 0 end) < sn.required))
      on conflict (revision_id, user_id) do update set choice = excluded.choice, updated_at = now()
      returning revision_id
    ),
    feedback as (
      insert into user_feedback (revision_id, user_id, body)
      select revision_id, $1, $7::text from recorded where $7::text is not null
    ),
    committed as (
      update interaction_receipts set committed_at = now()
      where interaction_id = $9::text and exists (select 1 from recorded)
      returning 1
    )
    select exists (select 1 from committed) as interaction_committed, l.*, sn.quorum, sn.max_revisions, sn.schedules_reviews, sn.role, sn.co_writers, sn.other_approvals, sn.other_revisions,
      sn.previous_choice, sn.revision, sn.has_takes, (l.votes_cast = sn.votes_cast + 1) as fresh, exists (select 1 from recorded) as recorded
    from locked l cross join snapshot sn
`;

/**
 * A vote in one round trip, for the common click that does not decide the draft. One statement locks
 * the page row (bumping `votes_cast`), reads the clicker's role, the draft and the counted votes so far, and
 * upserts the vote (and its feedback) only when the clicker is a co-writer, the draft is the page's
 * open one, the snapshot is current, and neither side reaches the quorum with this vote. Otherwise it
 * writes no vote and the caller takes it again inside a transaction with `evenIfDeciding`: there the
 * page row stays locked until commit, so the decision is applied on exactly what the statement read.
 * Undefined: no such page in this thread. Prepared once per connection: planning would cost more than
 * running it.
 *
 * The quorum below mirrors `requiredVotes` in domain/voting.ts (the quorum column holds "majority",
 * "all" or 1–999); test/vote-statement.test.ts holds the two equal.
 */
export async function recordVoteInOneStatement(
  db: Executor,
  vote: {
    pageId: number;
    revisionId: number;
    guildId: string;
    threadId: string;
    userId: string;
    choice: VoteChoice;
    feedback: string | null;
  },
  options: { evenIfDeciding: boolean } = { evenIfDeciding: false },
): Promise<VoteAttempt | undefined> {
  // Alone (not in a transaction), the statement records its interaction's outcome itself; a transaction does at its commit.
  const interaction = db.isTransaction ? undefined : uncommittedInteraction();
  const parameters = [
    vote.userId,
    vote.revisionId,
    vote.pageId,
    vote.threadId,
    vote.guildId,
    vote.choice,
    vote.feedback,
    options.evenIfDeciding,
    interaction?.interactionId ?? null,
    interaction?.owner ?? null,
  ];
  const { rows } = await db.executeQuery(prepareOnEveryConnection<RecordVoteRow>(CompiledQuery.raw(RECORD_VOTE_SQL, parameters)));
  const row = rows[0];
  if (!row) return undefined;
  if (interaction && row.interaction_committed) interaction.committed = true;
  const {
    interaction_committed: _committed,
    quorum,
    max_revisions,
    schedules_reviews,
    role,
    co_writers,
    other_approvals,
    other_revisions,
    previous_choice,
    has_takes,
    revision,
    fresh,
    recorded,
    ...page
  } = row;
  return {
    page,
    // JSON carries timestamps as text.
    revision: revision && {
      ...revision,
      created_at: new Date(revision.created_at),
      decided_at: revision.decided_at ? new Date(revision.decided_at) : null,
      reminded_at: revision.reminded_at ? new Date(revision.reminded_at) : null,
    },
    role,
    coWriters: co_writers,
    otherVotes: { approvals: other_approvals, revisions: other_revisions },
    previousChoice: previous_choice,
    story: { quorum, maxRevisions: max_revisions, schedulesReviews: schedules_reviews },
    fresh,
    recorded,
    hasTakes: has_takes,
  };
}
