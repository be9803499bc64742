import { sql } from 'kysely';
import type { Db } from '../src/db/connection.js';
import { waitUntil } from './wait-until.js';

/** A table held in access exclusive mode by a transaction of the test's own, until `release`. */
export interface HeldTable {
  /** Lets the table go; settles once the holding transaction has committed. */
  release(): Promise<void>;
}

/** Takes the lock and settles once it is held: every statement on the table then waits, holding its connection. */
export async function holdTable(db: Db, table: string): Promise<HeldTable> {
  let letGo = () => {};
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let held = () => {};
  const isHeld = new Promise<void>((resolve) => (held = resolve));
  const holder = db.transaction().execute(async (trx) => {
    await sql`lock table ${sql.table(table)} in access exclusive mode`.execute(trx);
    held();
    await released;
  });
  await Promise.race([isHeld, holder]);
  return {
    async release() {
      letGo();
      await holder;
    },
  };
}

/** Waits until at least `count` statements of this database wait for a lock. */
export async function untilWaitingForLocks(db: Db, count: number, description: string): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    return (rows[0]?.n ?? 0) >= count;
  }, description);
}
