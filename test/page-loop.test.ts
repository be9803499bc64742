import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_A_CO_WRITER } from '../src/services/co-writers.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { button, buttonsOf, embedText, WritersRoom } from '../loopback/writers-room.js';

const SCRIPT = {
  panels: [
    { panel: 1, caption: 'Night, the old forge.', lines: [{ speaker: 'Kai', line: 'It is glowing again.' }] },
    { panel: 2, caption: null, lines: [{ speaker: 'Mira', line: 'Then something is coming.' }] },
  ],
};

describe('the writers’ room loop', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let narrations = 0;

  beforeAll(async () => {
    h = await startStoryroom('pageloop');
    room = new WritersRoom(h);
    h.model.setResponder((request) => {
      if (request.responseFormatName) return { json: SCRIPT };
      narrations += 1;
      return { content: `Narration draft ${narrations}: the Mark on Kai's wrist pulsed a slow, warning red as the forge went cold.` };
    });
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('two co-writers take a page from input to an approved page', async () => {
    const threadId = await room.openChapter('Chapter of Two');
    const bea = room.newMember('bea');
    await room.join(threadId, bea);

    const start = room.startPage(threadId, h.adminId, 'MC discovers the Mark glows when sensing danger');
    const card = await start.response();
    expect(card.ephemeral).toBe(false);
    expect(embedText(card as never)).toContain('Page 1');

    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    expect(embedText(narration)).toContain('the Mark on Kai');

    const first = await room.click(threadId, narration, h.adminId, 'Approve').response();
    expect(first.kind).toBe('update');
    expect(first.content + JSON.stringify(first.embeds)).toContain('✅ 1 approve');
    expect(buttonsOf(room.message(threadId, narration.id)).every((b) => !b.disabled)).toBe(true);

    await room.click(threadId, narration, bea, 'Approve').response();
    const closed = room.message(threadId, narration.id);
    expect(embedText(closed)).toContain('Approved');
    expect(buttonsOf(closed).every((b) => b.disabled)).toBe(true);

    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);
    expect(embedText(dialogue)).toContain('It is glowing again.');
    await room.click(threadId, dialogue, h.adminId, 'Approve').response();
    await room.click(threadId, dialogue, bea, 'Approve').response();

    const summary = await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => embedText(m).includes('Page 1 approved')), {
      description: 'approved page summary',
    });
    expect(embedText(summary)).toContain('Then something is coming.');

    const page = await h.database.db
      .selectFrom('story_pages')
      .selectAll()
      .where('number', '=', 1)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(page.state).toBe('page_approved');
    const transitions = await h.database.db
      .selectFrom('page_transitions')
      .select('event')
      .where('page_id', '=', page.id)
      .orderBy('id')
      .execute();
    expect(transitions.map((t) => t.event)).toEqual([
      'input_submitted',
      'draft_recorded',
      'draft_approved',
      'draft_recorded',
      'draft_approved',
    ]);
    const calls = await h.database.db
      .selectFrom('agent_execution_log')
      .select(['agent', 'outcome'])
      .where('page_id', '=', page.id)
      .execute();
    expect(calls).toEqual(
      expect.arrayContaining([
        { agent: 'narrator', outcome: 'ok' },
        { agent: 'dialogue', outcome: 'ok' },
      ]),
    );
    // Every acknowledgement landed within Discord's deadline: the emulator would have recorded a violation.
    expect(h.discord.violations).toEqual([]);
  });

  it('three co-writers send a draft back and their feedback reaches the narrator, then page 2 builds on page 1', async () => {
    const threadId = await room.openChapter('Chapter of Three');
    const bea = room.newMember('bea3');
    const cy = room.newMember('cy3');
    await room.join(threadId, bea);
    await room.join(threadId, cy);

    await room.startPage(threadId, bea, 'The forge goes cold').response();
    const v1 = await room.openDraft(threadId, 1, 'Narration', 1);
    const v1Text = embedText(v1);

    await room.revise(threadId, v1, h.adminId, 'Make it rain on the forge.');
    expect(buttonsOf(room.message(threadId, v1.id)).every((b) => !b.disabled)).toBe(true);
    const before = h.model.requests.length;
    await room.revise(threadId, v1, cy, 'More dread, less explaining.');

    const v2 = await room.openDraft(threadId, 1, 'Narration', 2);
    const revisePrompt = h.model.requests.slice(before).find((r) => !r.responseFormatName);
    expect(revisePrompt?.promptText).toContain('Make it rain on the forge.');
    expect(revisePrompt?.promptText).toContain('More dread, less explaining.');
    expect(revisePrompt?.promptText).toContain(v1Text.split('\n')[1]?.slice(0, 40) ?? 'missing');
    const sentBack = room.message(threadId, v1.id);
    expect(embedText(sentBack)).toContain('Sent back for revision');
    expect(buttonsOf(sentBack).every((b) => b.disabled)).toBe(true);

    // A stale click on v1 after v2 exists: told so, nothing changes.
    const votesBefore = await h.database.db.selectFrom('votes').selectAll().execute();
    const stale = await room.click(threadId, v1, bea, 'Approve').response();
    expect(stale.ephemeral).toBe(true);
    expect(stale.content).toMatch(/already sent back for revision/);
    expect(await h.database.db.selectFrom('votes').selectAll().execute()).toEqual(votesBefore);

    await room.click(threadId, v2, h.adminId, 'Approve').response();
    await room.click(threadId, v2, cy, 'Approve').response();
    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);
    await room.click(threadId, dialogue, bea, 'Approve').response();
    await room.click(threadId, dialogue, cy, 'Approve').response();
    await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => embedText(m).includes('Page 1 approved')), {
      description: 'page 1 approved',
    });
    const approvedText = embedText(v2).split('\n')[1] ?? '';

    const second = h.model.requests.length;
    await room.startPage(threadId, h.adminId, 'Mira arrives with a lantern').response();
    await room.openDraft(threadId, 2, 'Narration', 1);
    const page2Prompt = h.model.requests.slice(second).find((r) => !r.responseFormatName);
    expect(page2Prompt?.promptText).toContain(approvedText.slice(0, 60));
    expect(page2Prompt?.promptText).toContain('It is glowing again.');
    expect(page2Prompt?.promptText).toContain('Mira arrives with a lantern');
  });

  it('a co-writer’s second click changes their vote, not the tally', async () => {
    const threadId = await room.openChapter('Chapter of Changes');
    const bea = room.newMember('bea4');
    const cy = room.newMember('cy4');
    await room.join(threadId, bea);
    await room.join(threadId, cy);
    await room.startPage(threadId, h.adminId, 'A door that was not there yesterday').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);

    await room.revise(threadId, draft, bea, 'Too quick.');
    const handle = room.click(threadId, draft, bea, 'Approve');
    await handle.response();
    await h.discord.waitFor(() => handle.followUps.find((m) => m.content.includes('changed your vote to Approve')), {
      description: 'vote-changed note',
    });
    const votes = await h.database.db
      .selectFrom('votes')
      .innerJoin('page_revisions', 'page_revisions.id', 'votes.revision_id')
      .select(['votes.user_id', 'votes.choice'])
      .where('page_revisions.id', '=', Number(button(draft, 'Approve').custom_id?.split(':')[3]))
      .execute();
    expect(votes).toEqual([{ user_id: bea, choice: 'approve' }]);
    expect(embedText(room.message(threadId, draft.id))).toContain('✅ 1 approve · ✏️ 0 revise');
  });

  it('a click by someone who is not a co-writer is refused privately and records nothing', async () => {
    const threadId = await room.openChapter('Chapter of Strangers');
    await room.startPage(threadId, h.adminId, 'A stranger watches from the ridge').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const stranger = room.newMember('stranger');
    const response = await room.click(threadId, draft, stranger, 'Approve').response();
    expect(response.ephemeral).toBe(true);
    // The router turns the refusal's `/chapter join` hint into a clickable command mention.
    expect(response.content).toBe(
      NOT_A_CO_WRITER.replace(
        '/chapter join',
        `</chapter join:${(h.discord.registeredCommands(h.guildId) as { id: string; name: string }[]).find((c) => c.name === 'chapter')?.id ?? ''}>`,
      ),
    );
    const revise = await room.click(threadId, draft, stranger, 'Revise').response();
    expect(revise.kind).toBe('reply');
    expect(revise.ephemeral).toBe(true);
    const votes = await h.database.db.selectFrom('votes').select('user_id').where('user_id', '=', stranger).execute();
    expect(votes).toEqual([]);
  });

  it('/page start outside a chapter thread is refused privately and creates no page', async () => {
    const pagesBefore = await h.database.db.selectFrom('story_pages').select('id').execute();
    const response = await room.startPage(h.storyChannelId, h.adminId, 'Somewhere else').response();
    expect(response.ephemeral).toBe(true);
    expect(response.content).toMatch(/inside a chapter thread/);
    expect(await h.database.db.selectFrom('story_pages').select('id').execute()).toEqual(pagesBefore);
  });

  it('the narration streams into its message as it is written; the buttons come when it is stored', async () => {
    const threadId = await room.openChapter('Chapter of Streams');
    h.model.enqueue({ content: 'One. Two. Three. Four.', chunks: ['One. ', 'Two. ', 'Three. ', 'Four.'], chunkDelayMs: 120 });
    await room.startPage(threadId, h.adminId, 'Count the strokes').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const edits = h.discord.calls.filter((c) => c.method === 'PATCH' && c.path.startsWith(`/channels/${threadId}/messages/${draft.id}`));
    const descriptions = edits.map((c) => JSON.stringify((c.body as { embeds?: unknown }).embeds ?? ''));
    const partial = descriptions.findIndex((d) => d.includes('One. ') && d.includes('▍') && !d.includes('Four.'));
    expect(partial).toBeGreaterThanOrEqual(0);
    const buttonsAt = edits.findIndex((c) => JSON.stringify((c.body as { components?: unknown }).components ?? []).includes('Approve'));
    expect(buttonsAt).toBeGreaterThan(partial);
  });

  it('a one-writer chapter decides on one click', async () => {
    const threadId = await room.openChapter('Chapter of One');
    await room.startPage(threadId, h.adminId, 'Alone at the forge').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    await room.click(threadId, draft, h.adminId, 'Approve').response();
    expect(embedText(room.message(threadId, draft.id))).toContain('Approved');
    await room.openDraft(threadId, 1, 'Dialogue', 1);
  });
});
