import { sql } from 'kysely';
import type { NewAgentExecution } from './database.js';
import type { Executor } from './executor.js';

// The agent execution log: one row per model call, and the sums read from it.

export async function insertAgentExecution(db: Executor, entry: NewAgentExecution): Promise<void> {
  await db.insertInto('agent_execution_log').values(entry).execute();
}

/** A story's tokens since a moment, per model (sums come back from pg as text). */
export function sumAgentTokensByModel(db: Executor, storyId: number, since: Date) {
  return db
    .selectFrom('agent_execution_log')
    .select((eb) => [
      'model',
      eb.fn.sum<string>('prompt_tokens').as('prompt'),
      eb.fn.sum<string>('cached_tokens').as('cached'),
      eb.fn.sum<string>('completion_tokens').as('completion'),
    ])
    .where('story_id', '=', storyId)
    .where('created_at', '>=', since)
    .groupBy('model')
    .execute();
}

/** A story's requests, take rows and tokens since a moment, per model, agent, chapter and day (UTC). */
export function sumAgentUsage(db: Executor, storyId: number, since: Date) {
  return db
    .selectFrom('agent_execution_log as l')
    .leftJoin('chapters as c', 'c.id', 'l.chapter_id')
    .select([
      'l.model',
      'l.agent',
      'l.take',
      'c.number as chapter_number',
      'c.title as chapter_title',
      sql<string>`to_char(date_trunc('day', l.created_at), 'YYYY-MM-DD')`.as('day'),
      // Requests as the provider bills them: the takes of one `n` request are one request.
      (eb) => eb.fn.countAll<number>().filterWhere('l.shares_request', '=', false).as('calls'),
      (eb) => eb.fn.countAll<number>().as('rows'),
      (eb) => eb.fn.sum<number>('l.prompt_tokens').as('prompt_tokens'),
      (eb) => eb.fn.sum<number>('l.cached_tokens').as('cached_tokens'),
      (eb) => eb.fn.sum<number>('l.completion_tokens').as('completion_tokens'),
    ])
    .where('l.story_id', '=', storyId)
    .where('l.created_at', '>=', since)
    .groupBy(['l.model', 'l.agent', 'l.take', 'c.number', 'c.title', sql`date_trunc('day', l.created_at)`])
    .execute();
}
