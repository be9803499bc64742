import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castVoteOrPick } from '../src/services/cast-vote.js';
import { DIALOGUE_LIMITS } from '../src/domain/dialogue-script.js';
import { editDraft, EDIT_LIMITS, EditRefused } from '../src/services/edit-draft.js';
import { UserError } from '../src/services/user-error.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { buttonsOf, embedText, WritersRoom } from '../loopback/writers-room.js';
import type { StoredMessage } from '../loopback/discord/types.js';

const SCRIPT = {
  panels: [
    { panel: 1, caption: 'Night, the old forge.', lines: [{ speaker: 'Kai', line: 'It is glowing again.' }] },
    { panel: 2, caption: null, lines: [{ speaker: 'Mira', line: 'Then something is coming.' }] },
  ],
};
const CLOCK = { minuteMs: 60_000, continuityReview: false };
const RACES = 20;

describe('editing a draft by hand', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let modelCalls = 0;

  beforeAll(async () => {
    h = await startStoryroom('editdraft');
    room = new WritersRoom(h);
    h.model.setResponder((request) => {
      modelCalls += 1;
      return request.responseFormatName ? { json: SCRIPT } : { content: 'The Mark on Kai’s wrist glowed red as the forge went cold.' };
    });
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Presses Edit, checks the form is prefilled, and saves `text` in it. */
  async function edit(threadId: string, draft: StoredMessage, userId: string, text: string, expectPrefill?: string) {
    const form = await room.click(threadId, draft, userId, 'Edit').response();
    if (form.kind !== 'modal' || !form.modal) throw new Error(`Edit did not open a form: ${form.content}`);
    const input = JSON.stringify(form.modal.components);
    if (expectPrefill !== undefined) expect(input).toContain(JSON.stringify(expectPrefill).slice(1, -1));
    return h.discord
      .submitModal({
        guildId: h.guildId,
        channelId: threadId,
        userId,
        customId: form.modal.custom_id,
        fields: { draft: text },
        messageId: draft.id,
      })
      .response();
  }

  it('a narration and a dialogue edited by hand are voted and approved, with no model call for the edits', async () => {
    const threadId = await room.openChapter('Edited by hand');
    const bea = room.newMember('bea');
    await room.join(threadId, bea);
    await room.startPage(threadId, h.adminId, 'Kai at the forge').response();
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    await room.click(threadId, narration, bea, 'Approve').response();
    const callsBefore = modelCalls;

    const saved = await edit(
      threadId,
      narration,
      bea,
      'The Mark on Kai’s wrist burned white as the forge went cold.',
      'The Mark on Kai’s wrist glowed red',
    );
    expect(saved.kind).toBe('update');
    const edited = await room.openDraft(threadId, 1, 'Narration', 2);
    expect(embedText(edited)).toContain(`Edited by <@${bea}>`);
    expect(embedText(edited)).toContain('burned white');
    expect(embedText(edited)).toContain('✅ 0 approve'); // earlier votes stay with v1
    expect(embedText(room.message(threadId, narration.id))).toContain('Superseded');
    expect(buttonsOf(room.message(threadId, narration.id)).every((b) => b.disabled)).toBe(true);

    await room.click(threadId, edited, h.adminId, 'Approve').response();
    await room.click(threadId, edited, bea, 'Approve').response();
    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);
    await edit(
      threadId,
      dialogue,
      h.adminId,
      'Panel 1\n*Night, the old forge.*\nKai: It burns white now.\n\nPanel 2\nMira: Then it is close.',
      'Panel 1\n*Night, the old forge.*\nKai: It is glowing again.',
    );
    const editedDialogue = await room.openDraft(threadId, 1, 'Dialogue', 2);
    expect(embedText(editedDialogue)).toContain('**Kai:** It burns white now.');
    await room.click(threadId, editedDialogue, h.adminId, 'Approve').response();
    await room.click(threadId, editedDialogue, bea, 'Approve').response();
    const summary = await h.discord.waitFor(() => h.discord.messages(threadId).find((m) => embedText(m).includes('Page 1 approved')), {
      description: 'approved page',
    });
    expect(embedText(summary)).toContain('burned white');
    expect(embedText(summary)).toContain('Then it is close.');
    // Only the dialogue's first draft called the model: the two edits did not.
    expect(modelCalls - callsBefore).toBe(1);

    const revisions = await h.database.db
      .selectFrom('page_revisions')
      .select(['kind', 'version', 'edited_by', 'structured'])
      .orderBy('id')
      .execute();
    const mine = revisions.slice(-4);
    expect(mine.map((r) => [r.kind, r.version, r.edited_by])).toEqual([
      ['narration', 1, null],
      ['narration', 2, bea],
      ['dialogue', 1, null],
      ['dialogue', 2, h.adminId],
    ]);
    expect(mine[3]?.structured).toEqual({
      panels: [
        { panel: 1, caption: 'Night, the old forge.', lines: [{ speaker: 'Kai', line: 'It burns white now.' }] },
        { panel: 2, caption: null, lines: [{ speaker: 'Mira', line: 'Then it is close.' }] },
      ],
    });
  });

  it('a script that does not parse is refused with its line and what was expected, and the text is given back', async () => {
    const threadId = await room.openChapter('Bad script');
    await room.startPage(threadId, h.adminId, 'A script').response();
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    await room.click(threadId, narration, h.adminId, 'Approve').response();
    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);
    const typed = 'Panel 1\nKai: Fine.\nthis line has no speaker';
    const refused = await edit(threadId, dialogue, h.adminId, typed);
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toContain('Line 3 of your script: expected "Panel N", a caption in *asterisks*, or "SPEAKER: line"');
    expect(refused.content).toContain(typed);
    expect(buttonsOf(room.message(threadId, dialogue.id)).find((b) => b.label === 'Approve')?.disabled).toBe(false);
  });

  it('someone who is not a co-writer cannot edit, and a decided draft cannot be edited', async () => {
    const threadId = await room.openChapter('Who edits');
    await room.startPage(threadId, h.adminId, 'Viewers read').response();
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    const stranger = room.newMember('stranger');
    const refused = await room.click(threadId, narration, stranger, 'Edit').response();
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toContain('Only co-writers');
    await room.click(threadId, narration, h.adminId, 'Approve').response();
    const stale = await room.click(threadId, narration, h.adminId, 'Edit').response();
    expect(stale.content).toContain('already approved');
  });

  it('/page edit takes the draft from a file, for drafts longer than the form holds', async () => {
    const threadId = await room.openChapter('Edit from a file');
    await room.startPage(threadId, h.adminId, 'A long page').response();
    await room.openDraft(threadId, 1, 'Narration', 1);
    const long = `${'The forge went cold and the Mark burned. '.repeat(110)}The end.`;
    expect(long.length).toBeGreaterThan(4_000);
    const saved = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: threadId,
        userId: h.adminId,
        name: 'page',
        subcommand: 'edit',
        options: { page: 1 },
        attachments: { file: { filename: 'page-1.txt', contentType: 'text/plain', content: long } },
      })
      .response();
    expect(saved.content).toContain('You saved narration v2');
    const edited = await room.openDraft(threadId, 1, 'Narration', 2);
    const stored = await h.database.db
      .selectFrom('page_revisions')
      .select(['body', 'edited_by'])
      .where('edited_by', '=', h.adminId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(stored.body).toBe(long);
    expect(embedText(edited)).toContain('Edited by');
    // The Edit button on a draft this long points to /page edit instead of a form.
    const tooLong = await room.click(threadId, edited, h.adminId, 'Edit').response();
    expect(tooLong.ephemeral).toBe(true);
    expect(tooLong.content).toMatch(/<\/page edit:\d+> \(page 1, with the file\)/);
  });

  /** `/page edit` with `content` as the attached file. */
  const editFromFile = (threadId: string, content: string) =>
    h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: threadId,
        userId: h.adminId,
        name: 'page',
        subcommand: 'edit',
        options: { page: 1 },
        attachments: { file: { filename: 'page-1.txt', contentType: 'text/plain', content } },
      })
      .response();
  const latestRevision = (threadId: string) =>
    h.database.db
      .selectFrom('page_revisions as r')
      .innerJoin('story_pages as p', 'p.id', 'r.page_id')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .select(['r.kind', 'r.version', 'r.body'])
      .where('c.thread_id', '=', threadId)
      .orderBy('r.id', 'desc')
      .executeTakeFirstOrThrow();

  it('issue 26: the 99,981-byte file (a caption of 99,960 spaces) is refused at once, saying how long an edit may be; nothing is saved', async () => {
    const threadId = await room.openChapter('A file of spaces');
    await room.startPage(threadId, h.adminId, 'Spaces').response();
    await room.click(threadId, await room.openDraft(threadId, 1, 'Narration', 1), h.adminId, 'Approve').response();
    await room.openDraft(threadId, 1, 'Dialogue', 1);
    const file = `Panel 1\n*a${' '.repeat(99_960)}b*\nKAI: Hi.`;
    expect(Buffer.byteLength(file)).toBe(99_981);
    const refused = await editFromFile(threadId, file);
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toContain(`Your file is ${file.length.toLocaleString('en-US')} characters`);
    expect(refused.content).toContain(`at most ${EDIT_LIMITS.file.toLocaleString('en-US')}`);
    expect(refused.content).toContain('Nothing was saved');
    expect(await latestRevision(threadId)).toMatchObject({ kind: 'dialogue', version: 1 });
  });

  it('a file within the limit whose caption is a long run of spaces is refused on its line, naming the caption limit', async () => {
    const threadId = await room.openChapter('A long caption');
    await room.startPage(threadId, h.adminId, 'Caption').response();
    await room.click(threadId, await room.openDraft(threadId, 1, 'Narration', 1), h.adminId, 'Approve').response();
    await room.openDraft(threadId, 1, 'Dialogue', 1);
    const refused = await editFromFile(threadId, `Panel 1\n*a${' '.repeat(10_000)}b*\nKai: Hi.`);
    expect(refused.content).toContain(`Line 2 of your script: a caption is 1 to ${DIALOGUE_LIMITS.caption} characters. Nothing was saved.`);
    expect(await latestRevision(threadId)).toMatchObject({ kind: 'dialogue', version: 1 });
  });

  it('a form longer than the 4,000 characters it holds is refused and the text given back', async () => {
    const threadId = await room.openChapter('A long form');
    await room.startPage(threadId, h.adminId, 'Long form').response();
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    const typed = `${'The forge went cold. '.repeat(200)}End.`;
    expect(typed.length).toBeGreaterThan(EDIT_LIMITS.form);
    const refused = await edit(threadId, narration, h.adminId, typed);
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toContain(`Your edit is ${typed.length.toLocaleString('en-US')} characters`);
    expect(refused.attachments?.[0]?.content.toString('utf8')).toBe(typed);
    expect(await latestRevision(threadId)).toMatchObject({ kind: 'narration', version: 1 });
  });

  it('control and bidirectional characters are taken out of an edit, from the form and from a file', async () => {
    const threadId = await room.openChapter('Control characters');
    await room.startPage(threadId, h.adminId, 'Controls').response();
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    await edit(threadId, narration, h.adminId, 'The forge\u0001 went\u0008 cold\u202E as\u2066 Kai\u200B left.');
    expect(await latestRevision(threadId)).toMatchObject({ version: 2, body: 'The forge went cold as Kai left.' });
    await room.openDraft(threadId, 1, 'Narration', 2);
    await editFromFile(threadId, 'Snow\u0007 fell\u001b on the\u202D pass.\r\n');
    expect(await latestRevision(threadId)).toMatchObject({ version: 3, body: 'Snow fell on the pass.' });
  });

  /** An open narration draft in a fresh chapter of two co-writers (the admin and one more). */
  async function openNarration(title: string) {
    const threadId = await room.openChapter(title);
    const other = room.newMember(`w${title.length}${Math.random().toString(36).slice(2, 6)}`);
    await room.join(threadId, other);
    await room.startPage(threadId, h.adminId, title).response();
    const message = await room.openDraft(threadId, 1, 'Narration', 1);
    const page = await h.database.db
      .selectFrom('story_pages as p')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .select(['p.id', 'p.current_revision_id'])
      .where('c.thread_id', '=', threadId)
      .executeTakeFirstOrThrow();
    return { threadId, other, message, target: { pageId: page.id, revisionId: page.current_revision_id ?? 0 } };
  }

  it(`two co-writers saving edits of one version at once: the first wins, the second gets their text back (${RACES} runs)`, async () => {
    for (let run = 0; run < RACES; run += 1) {
      const draft = await openNarration(`Two editors ${run}`);
      const place = (userId: string) => ({ guildId: h.guildId, channelId: draft.threadId, userId });
      const results = await Promise.allSettled([
        editDraft(h.database.db, place(h.adminId), draft.target, 'First editor’s text.', CLOCK),
        editDraft(h.database.db, place(draft.other), draft.target, 'Second editor’s text.', CLOCK),
      ]);
      const saved = results.filter((r) => r.status === 'fulfilled');
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(saved).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(EditRefused);
      // The losing editor is told whose edit won.
      const winner = results[0]?.status === 'fulfilled' ? h.adminId : draft.other;
      expect((refused[0] as EditRefused).message).toContain(`<@${winner}> saved an edit of narration v1 first: it is narration v2`);
      expect(['First editor’s text.', 'Second editor’s text.']).toContain((refused[0] as EditRefused).typed);
      const versions = await h.database.db
        .selectFrom('page_revisions')
        .select('version')
        .where('page_id', '=', draft.target.pageId)
        .execute();
      expect(versions).toHaveLength(2);
    }
  });

  it(`an edit saved as the deciding vote lands: exactly one of them wins and the other is told why (${RACES} runs)`, async () => {
    const winners = new Set<string>();
    for (let run = 0; run < RACES; run += 1) {
      const draft = await openNarration(`Edit or vote ${run}`);
      const place = (userId: string) => ({ guildId: h.guildId, channelId: draft.threadId, userId });
      await castVoteOrPick(h.database.db, place(h.adminId), draft.target, 'approve', null);
      const [edited, voted] = await Promise.allSettled([
        editDraft(h.database.db, place(h.adminId), draft.target, 'An edit racing the vote.', CLOCK),
        castVoteOrPick(h.database.db, place(draft.other), draft.target, 'approve', null),
      ]);
      expect([edited.status, voted.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      const loser = edited.status === 'rejected' ? edited.reason : voted.status === 'rejected' ? voted.reason : null;
      expect(loser).toBeInstanceOf(UserError);
      winners.add(edited.status === 'fulfilled' ? 'edit' : 'vote');
      const transitions = await h.database.db
        .selectFrom('page_transitions')
        .select('event')
        .where('page_id', '=', draft.target.pageId)
        .where('event', 'in', ['draft_approved', 'draft_edited'])
        .execute();
      expect(transitions).toHaveLength(1);
    }
    expect([...winners].every((w) => w === 'edit' || w === 'vote')).toBe(true);
  });
});
