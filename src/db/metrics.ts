import type { Executor } from './executor.js';

// Read model for the Prometheus metrics: totals over every story.

export function countTransitionsByEvent(db: Executor) {
  return db
    .selectFrom('page_transitions')
    .select(['event', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('event')
    .execute();
}

/** Model calls, tokens and latency per agent and outcome (sums come back from pg as text). */
export function sumAgentCallsByOutcome(db: Executor) {
  return db
    .selectFrom('agent_execution_log')
    .select((eb) => [
      'agent',
      'outcome',
      eb.fn.countAll<number>().as('calls'),
      eb.fn.sum<string>('prompt_tokens').as('prompt'),
      eb.fn.sum<string>('cached_tokens').as('cached'),
      eb.fn.sum<string>('completion_tokens').as('completion'),
      eb.fn.sum<string>('latency_ms').as('latency'),
    ])
    .groupBy(['agent', 'outcome'])
    .execute();
}
