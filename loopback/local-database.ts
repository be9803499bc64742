import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Db } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';

/** Read when used, not when imported: the soak sets it after starting an embedded PostgreSQL. */
const adminDatabaseUrl = () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
  /** Closes the pool and drops the database this file created. */
  drop(): Promise<void>;
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** An empty database of its own for one test file, so files can run in parallel. */
export async function createEmptyDatabase(label: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `storyroom_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`create database "${name}"`));
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin((client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

/** A migrated database of its own for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(label);
  const db = createDatabase(empty.url, { maxConnections: 20 });
  await migrateToLatest(db);
  return {
    ...empty,
    db,
    async drop() {
      await db.destroy();
      await empty.drop();
    },
  };
}
