import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type CompiledQuery, type Driver, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import type { Executor } from './executor.js';
import { InteractionMarkingDriver } from './interaction-scope.js';

// Our bigint identities and count(*) stay far below 2^53, so numbers are safe and simpler than strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  maxConnections?: number;
  /** How long a statement waits for a free connection before failing as "cannot be reached" (default 5 s). */
  connectionWaitMs?: number;
  onPoolError?: (error: Error) => void;
  /** Called for every statement sent (BEGIN and COMMIT included): the benchmark counts round trips with it. */
  onQuery?: () => void;
}

export function createDatabase(databaseUrl: string, options: DatabaseOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionWaitMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A client losing its server (Postgres restarted) must not crash the process: idle clients report
  // through the pool, and checked-out ones get a listener of their own (their query fails instead).
  // pg hands one lost connection's error to the client's listeners and then to the pool's: report it once.
  const reported = new WeakSet<Error>();
  const report = (error: Error) => {
    if (reported.has(error)) return;
    reported.add(error);
    options.onPoolError?.(error);
  };
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return new Kysely<Database>({ dialect: new InteractionAwareDialect({ pool: withPreparedStatements(pool, options.onQuery) }) });
}

/** Postgres, with an interaction's outcome recorded inside the transaction that carries its effects (see interaction-scope.ts). */
class InteractionAwareDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new InteractionMarkingDriver(super.createDriver());
  }
}

/** One round trip: whether the database answers at all. */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}

// SQL texts sent as named statements: Postgres parses and plans each once per connection.
const preparedNames = new Map<string, string>();

/**
 * Marks a hot statement to be prepared once per connection and then only bound and executed. Only
 * for a fixed SQL text (parameters vary, the text does not), so the server keeps one plan per name.
 */
export function prepareOnEveryConnection<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  if (!preparedNames.has(query.sql))
    preparedNames.set(query.sql, `storyroom_${createHash('sha1').update(query.sql).digest('hex').slice(0, 16)}`);
  return query;
}

/** The pool as Kysely sees it, sending marked statements by name (node-postgres prepares a named statement on first use). */
function withPreparedStatements(pool: pg.Pool, onQuery: (() => void) | undefined): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      return {
        // Kysely passes either a SQL text with parameters or a cursor; only a marked text is renamed.
        // One function stands for both overloads of the interface, hence the cast through unknown.
        query: ((text: string | object, values?: readonly unknown[]) => {
          onQuery?.();
          const name = typeof text === 'string' ? preparedNames.get(text) : undefined;
          if (name !== undefined) return client.query({ name, text: text as string, values: values ? [...values] : [] });
          return typeof text === 'string' ? client.query(text, values ? [...values] : []) : client.query(text as pg.Submittable);
        }) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}
