import type { Transaction } from 'kysely';
import type { OutboxJob } from '../domain/jobs.js';
import type { Db } from './connection.js';
import type { Database } from './database.js';
import type { Executor } from './executor.js';

// A unit of work: one transaction and what it asks of its process once it has committed. A use case
// opens it with `runInTransaction`; whatever it writes to the outbox inside (at any depth) and the
// views it asks to be redrawn are collected, and after COMMIT handed to the process's follow-ups (the
// relay adds the jobs to BullMQ at once), never after a rollback. Use cases therefore return what
// happened in domain terms, and no handler or processor hands jobs on itself.

/** What a process does with a committed unit of work's follow-ups: the bot's and the worker's are built in src/queue. */
export interface CommitFollowUps {
  /** Outbox rows the transaction wrote: to BullMQ now (a relay pass would find them within a second anyway). */
  relay(jobs: readonly OutboxJob[]): void;
  /** A chapter's pinned progress message changed (coalesced; never throws). */
  refreshProgress(chapterId: number): void;
  /** Every take's message of a round changed (coalesced; never throws). */
  refreshRound(pageId: number, leadRevisionId: number): void;
  /** A page's panels message changed (a render was asked for; coalesced; never throws). */
  refreshPanels(pageId: number): void;
  /** A decided draft's reminder and deadline jobs can be dropped (best effort: they also check when due). */
  cancelReviewJobs(revisionId: number): void;
}

/** What a use case may ask for after commit: the follow-ups other than the relay, which the outbox feeds. */
export type AfterCommit = Omit<CommitFollowUps, 'relay'>;

/**
 * Work that runs inside the transaction after the use case, just before COMMIT: it sees the use
 * case's writes and commits or rolls back with them (e.g. recording an interaction's outcome).
 */
export type InTransactionFinisher = (trx: Transaction<Database>) => Promise<void>;

export interface UnitOfWorkOptions {
  finishers?: readonly InTransactionFinisher[];
}

type FollowUp = (followUps: CommitFollowUps) => void;

class Pending implements AfterCommit {
  readonly jobs: OutboxJob[] = [];
  readonly later: FollowUp[] = [];
  refreshProgress(chapterId: number): void {
    this.later.push((f) => f.refreshProgress(chapterId));
  }
  refreshRound(pageId: number, leadRevisionId: number): void {
    this.later.push((f) => f.refreshRound(pageId, leadRevisionId));
  }
  refreshPanels(pageId: number): void {
    this.later.push((f) => f.refreshPanels(pageId));
  }
  cancelReviewJobs(revisionId: number): void {
    this.later.push((f) => f.cancelReviewJobs(revisionId));
  }
}

const followUpsOf = new WeakMap<Db, CommitFollowUps>();
const pendingOf = new WeakMap<Executor, Pending>();
const NONE: AfterCommit = {
  refreshProgress: () => undefined,
  refreshRound: () => undefined,
  refreshPanels: () => undefined,
  cancelReviewJobs: () => undefined,
};

/** At start-up: where this database handle's committed follow-ups go (a handle without them leaves jobs to the relay's passes). */
export function setCommitFollowUps(db: Db, followUps: CommitFollowUps): void {
  followUpsOf.set(db, followUps);
}

/**
 * One transaction as a unit of work: runs `work`, then the finishers, commits, and only then hands
 * the outbox rows written and the follow-ups asked for to the process.
 */
export async function runInTransaction<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  const pending = new Pending();
  const result = await db.transaction().execute(async (trx) => {
    pendingOf.set(trx, pending);
    const value = await work(trx);
    for (const finish of options.finishers ?? []) await finish(trx);
    return value;
  });
  const followUps = followUpsOf.get(db);
  if (followUps) {
    if (pending.jobs.length > 0) followUps.relay(pending.jobs);
    for (const followUp of pending.later) followUp(followUps);
  }
  return result;
}

/**
 * Follow-ups asked for on an executor: inside a unit of work they wait for its commit; on the
 * database itself (a single statement, already committed) they go at once.
 */
export function afterCommit(db: Executor): AfterCommit {
  const pending = pendingOf.get(db);
  if (pending) return pending;
  const followUps = followUpsOf.get(db);
  return followUps ?? NONE;
}

/** The outbox's writers report here what a unit of work wrote (rows written elsewhere wait for a relay pass). */
export function collectOutboxJobs(db: Executor, jobs: readonly OutboxJob[]): void {
  pendingOf.get(db)?.jobs.push(...jobs);
}
