import { sql } from 'kysely';
import { createTestDatabase } from '../loopback/local-database.js';
import { castVoteOrPick } from '../src/services/cast-vote.js';
import { openDrafts } from './fixtures.js';
import { now, row, summarize, type BenchRow } from './stats.js';

const VOTERS = 50;
const PAGES = 200;
const RUNS = 3;
const GUILD = '700000000000000001';

/** 50 co-writers voting at once over 200 open drafts, through the real castVoteOrPick; against a bare UPDATE loop. */
export async function benchVotes(): Promise<BenchRow[]> {
  const database = await createTestDatabase('benchvotes');
  const db = database.db;
  try {
    const story = await db
      .insertInto('stories')
      .values({ guild_id: GUILD, channel_id: '700000000000000002', title: 'Votes', created_by: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const voters = Array.from({ length: VOTERS }, (_, i) => `voter${i}`);
    // One writer more than vote: quorum "all" is never reached, so every vote is recorded.
    const drafts = await openDrafts(db, {
      guildId: GUILD,
      storyId: story.id,
      threadIds: Array.from({ length: PAGES }, (_, i) => `70000000000${String(100000 + i)}`),
      writers: [...voters, 'absent'],
      quorum: 'all',
    });
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const choice = run % 2 === 0 ? 'approve' : 'revise';
      const started = now();
      await Promise.all(
        voters.map(async (voter, v) => {
          for (let i = 0; i < drafts.length; i += 1) {
            const draft = drafts[(i + v * 7) % drafts.length];
            if (!draft) continue;
            await castVoteOrPick(db, { guildId: GUILD, channelId: draft.threadId, userId: voter }, draft, choice, null);
          }
        }),
      );
      rates.push((VOTERS * PAGES) / ((now() - started) / 1000));
      const counts = await db
        .selectFrom('votes')
        .select(['choice', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('choice')
        .execute();
      if (counts.length !== 1 || counts[0]?.choice !== choice || Number(counts[0].n) !== VOTERS * PAGES) {
        throw new Error(`votes lost or doubled: ${JSON.stringify(counts)}`);
      }
    }

    await sql`create table bench_counters (id int primary key, n int not null default 0)`.execute(db);
    await sql`insert into bench_counters (id) select generate_series(1, ${PAGES})`.execute(db);
    const bare: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = now();
      await Promise.all(
        voters.map(async (_, v) => {
          for (let i = 0; i < PAGES; i += 1)
            await sql`update bench_counters set n = n + 1 where id = ${((i + v * 7) % PAGES) + 1}`.execute(db);
        }),
      );
      bare.push((VOTERS * PAGES) / ((now() - started) / 1000));
    }
    const total = await sql<{ total: number }>`select sum(n)::int as total from bench_counters`.execute(db);
    if (total.rows[0]?.total !== VOTERS * PAGES * RUNS) throw new Error('bare updates lost');
    return [
      row(
        `votes/s, ${VOTERS} voters × ${PAGES} pages`,
        'votes/s',
        summarize(rates),
        { name: 'bare single-row UPDATE loop', value: summarize(bare) },
        '≥ 0.33× bare, 0 lost or doubled',
        `${VOTERS * PAGES} votes a run, counted after each run: none lost or doubled`,
      ),
    ];
  } finally {
    await database.drop();
  }
}
