import { AsyncLocalStorage } from 'node:async_hooks';
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely';
import { markInteractionCommittedQuery } from './interaction-receipts.js';

/**
 * The interaction a handler is running for, carried through its awaits: the first transaction that
 * writes and commits records, in itself, that the interaction's effects committed (see
 * markInteractionCommitted), so a process finishing it after a crash knows not to run it again.
 */
export interface InteractionScope {
  readonly interactionId: string;
  readonly owner: string;
  /** Set once the effects committed: later transactions of the same handler write nothing more. */
  committed: boolean;
}

// `open` ends with the handler: work it set going that outlives it (a relay pass it kicked) inherits the context, not the scope.
const scopes = new AsyncLocalStorage<{ scope: InteractionScope; open: boolean }>();

/** Another process took the interaction over (this one was too slow) or committed it first: this attempt is rolled back. */
export class InteractionTakenOver extends Error {
  constructor(interactionId: string) {
    super(`interaction ${interactionId} is being finished by another process`);
    this.name = 'InteractionTakenOver';
  }
}

export async function runInInteractionScope<T>(scope: InteractionScope, work: () => Promise<T>): Promise<T> {
  const entry = { scope, open: true };
  try {
    return await scopes.run(entry, work);
  } finally {
    entry.open = false;
  }
}

/** The interaction whose effects have yet to commit, if a handler for one is running here. */
export function uncommittedInteraction(): InteractionScope | undefined {
  const entry = scopes.getStore();
  return entry?.open && !entry.scope.committed ? entry.scope : undefined;
}

type SavepointCompiler = Parameters<NonNullable<Driver['savepoint']>>[2];
type QueryRunner = { executeQuery(query: CompiledQuery): Promise<QueryResult<unknown>> };

/**
 * The one hook inside a transaction: run just before COMMIT, it records that the current
 * interaction's effects committed, or throws (rolling them back) when another process holds it.
 */
export async function markInteractionCommitted(runner: QueryRunner, scope: InteractionScope): Promise<void> {
  const result = await runner.executeQuery(markInteractionCommittedQuery(scope.interactionId, scope.owner));
  if (Number(result.numAffectedRows ?? 0) !== 1) throw new InteractionTakenOver(scope.interactionId);
}

const READ_ONLY_SQL = /^\s*(select|show|explain)\b/i;

/** Whether a statement may change data (a raw statement counts unless it is a plain select). */
function writes(query: CompiledQuery): boolean {
  const kind = query.query.kind;
  if (kind === 'SelectQueryNode') return false;
  return kind !== 'RawNode' || !READ_ONLY_SQL.test(query.sql);
}

/**
 * Kysely's driver with the hook above before every COMMIT of a transaction that wrote, while an
 * interaction's handler runs: every service transaction records its interaction's outcome without
 * knowing about interactions. Everything else passes straight through.
 */
export class InteractionMarkingDriver implements Driver {
  private readonly wrote = new WeakMap<DatabaseConnection, boolean>();
  private readonly inner = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(private readonly driver: Driver) {}

  init(): Promise<void> {
    return this.driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.driver.acquireConnection();
    const wrapped: DatabaseConnection = {
      executeQuery: (query) => {
        if (!this.wrote.get(wrapped) && uncommittedInteraction() && writes(query)) this.wrote.set(wrapped, true);
        return connection.executeQuery(query);
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
    this.inner.set(wrapped, connection);
    return wrapped;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    this.wrote.set(connection, false);
    return this.driver.beginTransaction(this.unwrap(connection), settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const scope = this.wrote.get(connection) ? uncommittedInteraction() : undefined;
    this.wrote.set(connection, false);
    const inner = this.unwrap(connection);
    if (scope) await markInteractionCommitted(inner, scope);
    await this.driver.commitTransaction(inner);
    if (scope) scope.committed = true;
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.wrote.set(connection, false);
    return this.driver.rollbackTransaction(this.unwrap(connection));
  }

  // Postgres's driver has all three; a driver without them would have failed before this wrapper existed.
  async savepoint(connection: DatabaseConnection, name: string, compile: SavepointCompiler): Promise<void> {
    await this.driver.savepoint?.(this.unwrap(connection), name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: SavepointCompiler): Promise<void> {
    await this.driver.rollbackToSavepoint?.(this.unwrap(connection), name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: SavepointCompiler): Promise<void> {
    await this.driver.releaseSavepoint?.(this.unwrap(connection), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(this.unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }

  private unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.inner.get(connection) ?? connection;
  }
}
