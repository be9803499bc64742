import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';

/** What every repository function runs on: the database, or a transaction a use case opened. */
export type Executor = Kysely<Database> | Transaction<Database>;
