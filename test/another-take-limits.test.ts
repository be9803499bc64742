import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest, ScriptedReply } from '../loopback/model/server.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { embedText, WritersRoom } from '../loopback/writers-room.js';

const SCRIPT = { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'Again.' }] }] };

/** The model, holding every call after `hold()` until `release()`: the calls it holds are the drafts and takes being written. */
class ModelGate {
  private readonly held: (() => void)[] = [];
  private holding = false;
  /** Every call it was asked, held or not. */
  calls = 0;

  readonly responder = async (request: RecordedRequest): Promise<ScriptedReply> => {
    this.calls += 1;
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    return request.responseFormatName
      ? { json: SCRIPT }
      : { content: 'Take one.', choices: [{ content: 'Take one.' }, { content: 'Take two.' }] };
  };

  get waiting(): number {
    return this.held.length;
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const answer of this.held.splice(0)) answer();
  }
}

/** A story with two chapters: an open round of two takes in the first, the second free to start a page. */
async function twoRooms(h: StoryroomHarness, room: WritersRoom) {
  h.model.setMultipleChoices('supported');
  await room.setupStory();
  const open = await room.openChapter('Open round');
  const busy = await room.openChapter('Busy');
  await h.discord
    .slashCommand({
      guildId: h.guildId,
      channelId: open,
      userId: h.adminId,
      name: 'page',
      subcommand: 'start',
      options: { input: 'The Mark glows', takes: 2 },
    })
    .response();
  // The round's Another take is on its last take's message.
  const draft = await room.openTake(open, 1, 'Narration', 1, 'B');
  return { open, busy, draft };
}

// Finding 9: Another take is a model call like a draft: it counts against MAX_GENERATIONS_PER_GUILD,
// and the story's budget is checked again when its job starts, not only at the click.
describe('finding 9: Another take and the per-server generation cap', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  const gate = new ModelGate();

  beforeAll(async () => {
    h = await startStoryroom('takecap', { env: { MAX_GENERATIONS_PER_GUILD: '1', WORKER_CONCURRENCY: '2' } });
    room = new WritersRoom(h);
    h.model.setResponder(gate.responder);
  });
  afterAll(async () => {
    gate.release();
    await h?.close();
  });

  it('with a cap of 1 and a draft being written, Another take is refused privately and no second call is made', async () => {
    const { open, busy, draft } = await twoRooms(h, room);
    gate.hold();
    await room.startPage(busy, h.adminId, 'A second page').response();
    await h.discord.waitFor(() => gate.waiting === 1, { description: 'the second page’s draft being written' });
    const reply = await room.click(open, draft, h.adminId, 'Another take').response();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/already writing 1 draft or take at once \(at most 1\)/);
    const page = await h.database.db
      .selectFrom('story_pages as p')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .select('p.takes_pending')
      .where('c.thread_id', '=', open)
      .executeTakeFirstOrThrow();
    expect(page.takes_pending).toBe(0);
    expect(gate.waiting).toBe(1);
    gate.release();
  });
});

describe('finding 9: Another take and the budget when its job starts', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  const gate = new ModelGate();

  beforeAll(async () => {
    // One job at a time: the take's job waits behind the draft being written.
    h = await startStoryroom('takebudget', { env: { MAX_GENERATIONS_PER_GUILD: '2', WORKER_CONCURRENCY: '1' } });
    room = new WritersRoom(h);
    h.model.setResponder(gate.responder);
  });
  afterAll(async () => {
    gate.release();
    await h?.close();
  });

  it('a take whose job starts after the budget was spent is not written, and the room reads why', async () => {
    const { open, busy, draft } = await twoRooms(h, room);
    gate.hold();
    await room.startPage(busy, h.adminId, 'A second page').response();
    await h.discord.waitFor(() => gate.waiting === 1, { description: 'the second page’s draft being written' });
    const reply = await room.click(open, draft, h.adminId, 'Another take').response();
    expect(reply.content).toContain('Another take is being written');
    // Spent meanwhile, before the take's job starts: 200,000 prompt tokens at gpt-4o-mini's $0.15 per million are $0.03.
    const story = await h.database.db.selectFrom('stories').select('id').executeTakeFirstOrThrow();
    await h.database.db.updateTable('stories').set({ monthly_budget_usd: '0.01' }).where('id', '=', story.id).execute();
    await h.database.db
      .insertInto('agent_execution_log')
      .values({
        story_id: story.id,
        agent: 'narrator',
        model: 'gpt-4o-mini',
        prompt_tokens: 200_000,
        completion_tokens: 0,
        cached_tokens: 0,
        latency_ms: 1,
        outcome: 'ok',
      })
      .execute();
    const callsBefore = gate.calls;
    gate.release();
    const notice = await h.discord.waitFor(
      () =>
        h.discord
          .messages(open)
          .find((m) => embedText(m).includes('Another take could not be written') && embedText(m).includes('monthly budget')),
      {
        description: 'the take dropped for the budget',
      },
    );
    expect(embedText(notice)).toMatch(/monthly budget of \$0\.01 is spent/);
    expect(gate.calls).toBe(callsBefore);
    const page = await h.database.db
      .selectFrom('story_pages as p')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .select('p.takes_pending')
      .where('c.thread_id', '=', open)
      .executeTakeFirstOrThrow();
    expect(page.takes_pending).toBe(0);
  });
});
