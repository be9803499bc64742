import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import type { Executor } from './executor.js';

// Our bigint identities and count(*) stay far below 2^53, so numbers are safe and simpler than strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  maxConnections?: number;
  onPoolError?: (error: Error) => void;
}

export function createDatabase(databaseUrl: string, options: DatabaseOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A client losing its server (Postgres restarted) must not crash the process: idle clients report
  // through the pool, and checked-out ones get a listener of their own (their query fails instead).
  pool.on('error', (error) => options.onPoolError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** One round trip: whether the database answers at all. */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}
