import { createDatabase } from '../src/db/connection.js';
import { castVoteOrPick } from '../src/services/cast-vote.js';
import { createTestDatabase } from '../loopback/local-database.js';
import { openDrafts } from './fixtures.js';
import { now, row, summarize, type BenchRow } from './stats.js';

const SAMPLES = 30;
const GUILD = '700000000000000011';

/**
 * The vote step of a click, alone and counted: statements sent (round trips) and milliseconds for a
 * vote that leaves its draft open and for the Approve that decides it, through the real castVoteOrPick.
 */
export async function benchVoteRoundTrips(): Promise<BenchRow[]> {
  const database = await createTestDatabase('benchvotert');
  let statements = 0;
  const db = createDatabase(database.url, { onQuery: () => (statements += 1) });
  try {
    const story = await db
      .insertInto('stories')
      .values({ guild_id: GUILD, channel_id: '700000000000000012', title: 'Round trips', created_by: 'a' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const threadIds = Array.from({ length: SAMPLES }, (_, i) => `70000000001${String(100000 + i)}`);
    // Two writers, quorum "all": the first Approve leaves the draft open, the second decides it.
    const drafts = await openDrafts(db, { guildId: GUILD, storyId: story.id, threadIds, writers: ['a', 'b'], quorum: 'all' });
    const measure = async (userId: string) => {
      const trips: number[] = [];
      const ms: number[] = [];
      for (const draft of drafts) {
        statements = 0;
        const started = now();
        const cast = await castVoteOrPick(db, { guildId: GUILD, channelId: draft.threadId, userId }, draft, 'approve', null);
        ms.push(now() - started);
        trips.push(statements);
        if (cast.kind !== 'draft' || (cast.outcome.decision === 'open') !== (userId === 'a'))
          throw new Error(`unexpected outcome ${JSON.stringify(cast.outcome.decision)}`);
      }
      return { trips: summarize(trips), ms: summarize(ms) };
    };
    const open = await measure('a');
    const deciding = await measure('b');
    return [
      row('vote leaving the draft open: statements', 'round trips', open.trips, null, '1', `${open.ms.median.toFixed(2)} ms median`),
      row(
        'deciding Approve: statements',
        'round trips',
        deciding.trips,
        null,
        '–',
        `${deciding.ms.median.toFixed(2)} ms median; BEGIN and COMMIT counted`,
      ),
    ];
  } finally {
    await db.destroy();
    await database.drop();
  }
}
