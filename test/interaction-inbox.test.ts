import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../loopback/local-database.js';
import { abandonExpiredInteractions, claimUnfinishedInteractions, insertInteractionReceipt } from '../src/db/interaction-receipts.js';
import { InteractionTakenOver, runInInteractionScope } from '../src/db/interaction-scope.js';

const MINUTE = 60_000;
const TOKEN = { tokenLifetimeMs: 15 * MINUTE, tokenMarginMs: MINUTE };

describe('the interaction inbox in Postgres', () => {
  let database: TestDatabase;
  let counter = 0;
  const nextId = () => `inbox-${(counter += 1)}`;

  beforeAll(async () => {
    database = await createTestDatabase('inbox');
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** A receipt as a bot writes it, then aged: received `receivedAgoMs` ago, its lease ending `leaseLeftMs` from now. */
  async function receipt(owner: string, receivedAgoMs: number, leaseLeftMs: number): Promise<string> {
    const id = nextId();
    await insertInteractionReceipt(database.db, id, {
      payload: JSON.stringify({ id, type: 3 }),
      token: `token-${id}`,
      owner,
      leaseMs: 1_000,
    });
    await database.db
      .updateTable('interaction_receipts')
      .set({
        received_at: sql`now() - ${receivedAgoMs} * interval '1 millisecond'`,
        lease_until: sql`now() + ${leaseLeftMs} * interval '1 millisecond'`,
      })
      .where('interaction_id', '=', id)
      .execute();
    return id;
  }

  const receiptOf = (id: string) =>
    database.db.selectFrom('interaction_receipts').selectAll().where('interaction_id', '=', id).executeTakeFirstOrThrow();

  it('a redelivery is told apart in the same one statement that keeps the payload (whatever was typed in it) and the token', async () => {
    const id = nextId();
    const payload = { id, data: { custom_id: 'sr1:feedback:1:2', components: [{ value: 'nul \u0000 and bidi \u202e' }] } };
    const record = { payload: JSON.stringify(payload), token: 'secret-token', owner: 'bot-a', leaseMs: 30_000 };
    expect(await insertInteractionReceipt(database.db, id, record)).toBe(true);
    expect(await insertInteractionReceipt(database.db, id, { ...record, owner: 'bot-b' })).toBe(false);
    const kept = await receiptOf(id);
    expect(kept).toMatchObject({ token: 'secret-token', owner: 'bot-a', committed_at: null, completed_at: null });
    expect(JSON.parse(kept.payload ?? 'null')).toEqual(payload);
  });

  it('only interactions whose lease ran out are taken over, each by one of two processes claiming at once, never one the claimer is handling', async () => {
    const live = await receipt('bot-a', 5_000, 20_000);
    const left = await Promise.all([receipt('bot-a', 5_000, -1_000), receipt('bot-a', 6_000, -1_000), receipt('bot-a', 7_000, -1_000)]);
    const expired = await receipt('bot-a', 16 * MINUTE, -1_000);
    const ownHeld = await receipt('bot-c', 5_000, -1_000);
    const claim = (owner: string) =>
      claimUnfinishedInteractions(database.db, { owner, leaseMs: 30_000, ...TOKEN, limit: 10, excluding: [ownHeld] });
    const [byB, byC] = await Promise.all([claim('bot-b'), claim('bot-c')]);
    const claimed = [...byB, ...byC].map((row) => row.interactionId);
    expect(claimed.sort()).toEqual([...left].sort());
    expect(claimed).not.toContain(live);
    expect(claimed).not.toContain(expired);
    expect(claimed).not.toContain(ownHeld);
    // Claimed once: leased to its new owner, so a second pass finds nothing.
    expect(await claim('bot-d')).toEqual([]);
    expect([...byB, ...byC].every((row) => row.attempts === 1 && row.token === `token-${row.interactionId}`)).toBe(true);
    // A token past its 15 minutes cannot answer: the receipt is closed and forgets it.
    expect(await abandonExpiredInteractions(database.db, TOKEN.tokenLifetimeMs)).toBeGreaterThanOrEqual(1);
    expect(await receiptOf(expired)).toMatchObject({ token: null, payload: null, completed_at: expect.any(Date) });
  });

  it("a handler's transaction records that its effects committed; a read-only one does not; a taken-over one rolls back", async () => {
    const db = database.db;
    await sql`create table if not exists inbox_effects (note text not null)`.execute(db);
    const write = (note: string) =>
      db.transaction().execute((trx) =>
        trx
          .insertInto('inbox_effects' as never)
          .values({ note } as never)
          .execute(),
      );

    const readOnly = await receipt('bot-a', 1_000, 20_000);
    const scope = { interactionId: readOnly, owner: 'bot-a', committed: false };
    await runInInteractionScope(scope, () =>
      db.transaction().execute((trx) => trx.selectFrom('interaction_receipts').select('interaction_id').execute()),
    );
    expect((await receiptOf(readOnly)).committed_at).toBeNull();
    await runInInteractionScope(scope, () => write('first'));
    expect((await receiptOf(readOnly)).committed_at).toEqual(expect.any(Date));
    expect(scope.committed).toBe(true);

    // bot-b took it over while bot-a was still at it: bot-a's commit is refused and its write undone.
    const takenOver = await receipt('bot-a', 1_000, -1_000);
    await claimUnfinishedInteractions(db, { owner: 'bot-b', leaseMs: 30_000, ...TOKEN, limit: 10, excluding: [] });
    await expect(
      runInInteractionScope({ interactionId: takenOver, owner: 'bot-a', committed: false }, () => write('too late')),
    ).rejects.toThrow(InteractionTakenOver);
    // And the new owner commits it once; a second run of it (its outcome already recorded) is refused too.
    await runInInteractionScope({ interactionId: takenOver, owner: 'bot-b', committed: false }, () => write('taken over'));
    await expect(
      runInInteractionScope({ interactionId: takenOver, owner: 'bot-b', committed: false }, () => write('twice')),
    ).rejects.toThrow(InteractionTakenOver);
    const notes = await db
      .selectFrom('inbox_effects' as never)
      .select(sql<string>`note`.as('note'))
      .execute();
    expect(notes.map((n) => n.note).sort()).toEqual(['first', 'taken over']);
  });
});
