import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../loopback/model/types.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { sweepUnshownDraftsNow } from '../loopback/sweep-now.js';
import { buttonsOf, embedText, WritersRoom } from '../loopback/writers-room.js';
import { waitUntil } from '../loopback/wait-until.js';
import { validateComfyWorkflow } from '../src/domain/comfyui-workflow.js';
import { Queue } from 'bullmq';
import pino from 'pino';
import { GENERATION_QUEUE } from '../src/queue/jobs.js';
import { createRedisConnection, deleteQueueKeys } from '../src/queue/redis.js';
import { sweepOverdueReviews } from '../src/queue/sweeper.js';

/** The model as these tests script it: plain narration, and each structured agent by its schema name. */
function answer(request: RecordedRequest) {
  switch (request.responseFormatName) {
    case 'dialogue_script':
      return {
        json: {
          panels: [
            { panel: 1, caption: 'Dawn at the pass.', lines: [{ speaker: 'Mira', line: 'Keep the lantern low.' }] },
            { panel: 2, caption: null, lines: [{ speaker: 'Kai', line: 'It glows on its own.' }] },
          ],
        },
      };
    case 'continuity_review':
      return { json: { notes: [{ kind: 'spelling', note: 'Mira is spelled "Myra" in the second sentence.' }] } };
    case 'panel_prompts':
      return {
        json: {
          panels: [
            {
              panel: 1,
              scene: 'A snowy mountain pass at dawn',
              characters: ['Mira'],
              camera: 'wide shot, low angle',
              mood: 'hushed',
              image_prompt: 'snowy pass, dawn light, woman with lantern',
              negative_prompt: 'text, watermark',
            },
            {
              panel: 2,
              scene: 'Close on the glowing mark',
              characters: ['Kai'],
              camera: 'close-up',
              mood: 'uneasy',
              image_prompt: 'glowing rune on a wrist, dark',
              negative_prompt: 'blurry',
            },
          ],
        },
      };
    default:
      return {
        content: request.promptText.includes('v2 please')
          ? 'Myra lifts the lantern higher; the pass is silent.'
          : 'Myra lifts her lantern at the pass.',
      };
  }
}

describe('restore, diff, reviewer notes, panels and export, members, status, progress, budget, HTTP API', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  let viewer: string;
  const token = 'test-token-0123456789abcdef';

  const command = (
    userId: string,
    name: string,
    subcommand: string | undefined,
    options: Record<string, string | number | boolean> = {},
    channelId = threadId,
  ) => h.discord.slashCommand({ guildId: h.guildId, channelId, userId, name, ...(subcommand ? { subcommand } : {}), options }).response();

  beforeAll(async () => {
    h = await startStoryroom('review-export', {
      web: true,
      env: { CONTINUITY_REVIEW: 'on', PANEL_PROMPTS: 'on', HTTP_PORT: '0', HTTP_API_TOKEN: token, REVIEW_MINUTE_MS: '250' },
    });
    h.model.setResponder(answer);
    room = new WritersRoom(h);
    await room.setupStory('Ash and Ember');
    threadId = await room.openChapter('Cinders');
    writer = room.newMember('writer');
    viewer = room.newMember('viewer');
    await room.join(threadId, writer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the continuity reviewer’s notes appear on the narration draft, and the vote goes on meanwhile', async () => {
    await room.startPage(threadId, writer, 'Mira lights the lantern at the pass').response();
    const draft = await room.openDraft(threadId, 1, 'Narration', 1);
    const noted = await h.discord.waitFor(
      () => {
        const message = room.message(threadId, draft.id);
        return embedText(message).includes('Continuity notes') ? message : undefined;
      },
      { description: 'continuity notes on the draft' },
    );
    expect(embedText(noted)).toContain('Spelling: Mira is spelled "Myra"');
    // Advisory only: the buttons stay live and a vote counts.
    expect(buttonsOf(noted).find((b) => b.label === 'Approve')?.disabled).toBeFalsy();
    const vote = await room.click(threadId, noted, writer, 'Approve').response();
    expect(vote.kind).toBe('update');
    expect(JSON.stringify(vote.embeds)).toContain('Continuity notes');
  });

  it('/page restore brings back v1 as a new version up for a vote, the replaced draft superseded; /page diff shows the words changed', async () => {
    const v1 = await room.openDraft(threadId, 1, 'Narration', 1);
    await room.revise(threadId, room.message(threadId, v1.id), writer, 'v2 please: higher, and silence');
    await room.revise(threadId, room.message(threadId, v1.id), h.adminId, 'Agreed.');
    const v2 = await room.openDraft(threadId, 1, 'Narration', 2);

    const diff = await command(writer, 'page', 'diff', { page: 1, from: 1, to: 2 });
    expect(diff.ephemeral).toBe(true);
    const diffText = JSON.stringify(diff.embeds);
    expect(diffText).toContain('Narration v1 → v2');
    expect(diffText).toContain('~~her~~');
    expect(diffText).toContain('**higher;**');

    expect((await command(writer, 'page', 'restore', { page: 1, version: 1 })).content).toMatch(/Only the chapter's owners/);
    expect((await command(h.adminId, 'page', 'restore', { page: 1, version: 7 })).content).toMatch(/no narration v7/);
    expect((await command(h.adminId, 'page', 'restore', { page: 1, version: 2 })).content).toMatch(/already the draft up for a vote/);

    const restored = await command(h.adminId, 'page', 'restore', { page: 1, version: 1 });
    expect(restored.ephemeral).toBe(false);
    expect(restored.content).toMatch(/restored page 1's narration v1 as v3/);
    const v3 = await room.openDraft(threadId, 1, 'Narration', 3);
    expect(embedText(v3)).toContain('restored from v1');
    expect(embedText(v3)).toContain('Myra lifts her lantern at the pass.');
    await h.discord.waitFor(() => embedText(room.message(threadId, v2.id)).includes('Superseded'), { description: 'v2 shown superseded' });
    expect(buttonsOf(room.message(threadId, v2.id)).every((b) => b.disabled)).toBe(true);

    const revisions = await h.database.db
      .selectFrom('page_revisions')
      .select(['version', 'status', 'restored_from_version'])
      .where('kind', '=', 'narration')
      .orderBy('version')
      .execute();
    expect(revisions).toEqual([
      { version: 1, status: 'revision_requested', restored_from_version: null },
      { version: 2, status: 'superseded', restored_from_version: null },
      { version: 3, status: 'open', restored_from_version: 1 },
    ]);
    const transition = await h.database.db
      .selectFrom('page_transitions')
      .select(['event', 'actor_id', 'details'])
      .where('event', '=', 'version_restored')
      .executeTakeFirstOrThrow();
    expect(transition).toMatchObject({ actor_id: h.adminId, details: { restoredFromVersion: 1 } });

    // The restored version is voted on like any draft.
    await room.click(threadId, v3, writer, 'Approve').response();
    await room.click(threadId, v3, h.adminId, 'Approve').response();
    const history = await command(writer, 'page', 'history', { page: 1 });
    expect(JSON.stringify(history.embeds)).toContain('Narration v3 (restored from v1) · approved');
    const paged = JSON.stringify((await command(writer, 'page', 'history', { page: 1, skip: 2 })).embeds);
    expect(paged).toContain('2 newer version(s) left out');
    expect(paged).toContain('Narration v1');
    expect(paged).not.toContain('Narration v3');
    expect((await command(writer, 'page', 'diff', { page: 1, from: 1, to: 9 })).content).toMatch(
      /narration versions 1 to 3; there is no v9/,
    );
    expect((await command(writer, 'page', 'diff', { page: 4, from: 1, to: 2 })).content).toMatch(/no page 4/);
    await room.openDraft(threadId, 1, 'Dialogue', 1);
    expect((await command(writer, 'page', 'diff', { page: 1, from: 1, to: 5, kind: 'dialogue' })).content).toMatch(
      /dialogue versions 1 to 1; there is no v5/,
    );
  });

  it('an approved page gets panel prompts, and /chapter export gives Markdown, JSON and a valid ComfyUI workflow', async () => {
    const dialogue = await room.openDraft(threadId, 1, 'Dialogue', 1);
    await room.click(threadId, dialogue, writer, 'Approve').response();
    await room.click(threadId, dialogue, h.adminId, 'Approve').response();
    await waitUntil(
      async () => (await h.database.db.selectFrom('panel_prompts').select('id').execute()).length === 2,
      'panel prompts stored',
    );

    const markdown = await command(writer, 'chapter', 'export', { format: 'markdown' });
    expect(markdown.ephemeral).toBe(true);
    const md = fileText(markdown, /\.md$/);
    const headings = md.split('\n').filter((line) => /^#{1,3} /.test(line));
    expect(headings).toEqual(['# Ash and Ember', '## Chapter 1: Cinders', '### Page 1']);
    expect(md).toContain('Myra lifts her lantern at the pass.');
    expect(md).toMatch(/\*\*MIRA:\*\* Keep the lantern low\./);

    const json = JSON.parse(fileText(await command(writer, 'chapter', 'export', { format: 'json' }), /\.json$/)) as {
      pages: { number: number; approved: boolean; panels: unknown[] }[];
    };
    expect(json.pages).toHaveLength(1);
    expect(json.pages[0]).toMatchObject({ number: 1, approved: true });
    expect(json.pages[0]?.panels).toHaveLength(2);

    const comfy = await command(writer, 'chapter', 'export', { format: 'comfyui', checkpoint: 'my_model.safetensors' });
    expect(comfy.content).toContain('my_model.safetensors');
    const workflow = JSON.parse(fileText(comfy, /-comfyui\.json$/)) as Record<
      string,
      { class_type: string; inputs: Record<string, unknown> }
    >;
    expect(validateComfyWorkflow(workflow)).toEqual([]);
    const nodes = Object.values(workflow);
    expect(nodes.filter((n) => n.class_type === 'SaveImage')).toHaveLength(2);
    expect(nodes.find((n) => n.class_type === 'CheckpointLoaderSimple')?.inputs.ckpt_name).toBe('my_model.safetensors');
    expect(nodes.filter((n) => n.class_type === 'CLIPTextEncode').map((n) => n.inputs.text)).toEqual(
      expect.arrayContaining(['snowy pass, dawn light, woman with lantern', 'text, watermark']),
    );

    const empty = await room.openChapter('Blank');
    expect((await command(writer, 'chapter', 'export', { format: 'comfyui' }, empty)).content).toMatch(/No panel prompts yet/);
    const outside = await command(writer, 'chapter', 'export', { format: 'markdown' }, h.storyChannelId);
    expect(outside).toMatchObject({ ephemeral: true, content: expect.stringMatching(/inside a chapter thread/) });
  });

  it('/chapter members lists roles; owners change them; a viewer cannot vote; the last owner stays', async () => {
    const list = await command(writer, 'chapter', 'members', {});
    expect(JSON.stringify(list.embeds)).toMatch(new RegExp(`<@${writer}> · \\*\\*writer\\*\\*`));
    expect((await command(writer, 'chapter', 'members', { user: viewer, role: 'viewer' })).content).toMatch(/Only the chapter's owners/);
    expect((await command(h.adminId, 'chapter', 'members', { user: viewer })).content).toMatch(/both a user and a role/);
    expect((await command(h.adminId, 'chapter', 'members', { user: viewer, role: 'viewer' })).content).toMatch(/now a \*\*viewer\*\*/);
    expect(await room.join(threadId, viewer)).toMatchObject({ ephemeral: true, content: expect.stringMatching(/You are a viewer/) });
    expect((await command(h.adminId, 'chapter', 'members', { user: writer, role: 'owner' })).content).toMatch(/now an \*\*owner\*\*/);
    // The writer is an owner now: they may restore, and the admin (who opened the chapter) can step down.
    expect((await command(writer, 'chapter', 'members', { user: h.adminId, role: 'writer' })).content).toMatch(
      /now a \*\*writer\*\* .*\(was owner\)/,
    );
    expect((await command(writer, 'chapter', 'members', { user: writer, role: 'viewer' })).content).toMatch(/at least one owner/);

    await room.startPage(threadId, writer, 'Kai follows the glow').response();
    const draft = await room.openDraft(threadId, 2, 'Narration', 1);
    const refused = await room.click(threadId, draft, viewer, 'Approve').response();
    expect(refused).toMatchObject({ ephemeral: true, content: expect.stringMatching(/Only co-writers/) });
    expect(await h.database.db.selectFrom('votes').select('user_id').where('user_id', '=', viewer).execute()).toEqual([]);
    expect((await command(writer, 'chapter', 'members', { user: viewer, role: 'remove' })).content).toMatch(/no longer in/);
  });

  it('the pinned progress message follows the chapter; /story status shows every chapter', async () => {
    const pinned = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => m.pinned && embedText(m).includes('Page 2**: Waiting for votes on the narration')),
      { description: 'pinned progress with page 2' },
    );
    expect(embedText(pinned)).toMatch(/2 pages: 1 approved, 1 in review/);
    expect(JSON.stringify(pinned.embeds)).toContain('📌 Chapter progress · updated');
    expect(h.discord.messages(threadId).filter((m) => m.pinned)).toHaveLength(1);

    const status = await command(writer, 'story', 'status', {}, h.storyChannelId);
    expect(status.ephemeral).toBe(true);
    const text = JSON.stringify(status.embeds);
    expect(text).toContain('Ash and Ember · status');
    expect(text).toContain('Chapter 1: Cinders');
    expect(text).toMatch(/Page 2: Waiting for votes on the narration/);
    const elsewhere = await command(writer, 'story', 'status', {}, h.discord.createChannel(h.guildId).id);
    expect(elsewhere).toMatchObject({ ephemeral: true, content: expect.stringMatching(/story channel/) });
  });

  it('the HTTP API: health is open, everything else needs the bearer token', async () => {
    const base = h.bot?.http?.url ?? '';
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The bot serves health and its metrics; the JSON API is the web process's, with the same token.
    const api = h.web?.url ?? '';
    const at = (path: string) => `${path.startsWith('/api/') ? api : base}${path}`;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: true, redis: true, discord: true });

    for (const path of ['/metrics', '/api/chapters', '/api/pages/1']) {
      expect((await fetch(at(path))).status).toBe(401);
      expect((await fetch(at(path), { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    }
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const metrics = await (await fetch(`${base}/metrics`, auth)).text();
    expect(metrics).toMatch(/^# HELP storyroom_interactions_total/m);
    expect(metrics).toMatch(/^storyroom_interactions_total\{kind="command",outcome="ok"\} \d+$/m);
    expect(metrics).toMatch(/^storyroom_page_transitions_total\{event="draft_approved"\} \d+$/m);
    expect(metrics).toMatch(/^storyroom_queue_jobs\{state="waiting"\} \d+$/m);
    expect(metrics).toMatch(/^storyroom_job_latency_seconds\{quantile="0.5"\} [\d.]+$/m);
    expect(metrics).toMatch(/^storyroom_model_tokens_total\{agent="narrator",kind="prompt"\} [1-9]\d*$/m);

    const chapters = (await (await fetch(`${api}/api/chapters?guild=${h.guildId}`, auth)).json()) as {
      chapters: { id: number; title: string; approvedPages: number }[];
    };
    expect(chapters.chapters.map((c) => [c.title, c.approvedPages])).toEqual([
      ['Cinders', 1],
      ['Blank', 0],
    ]);
    const chapterId = chapters.chapters[0]?.id ?? 0;
    const pages = (await (await fetch(`${api}/api/chapters/${chapterId}/pages`, auth)).json()) as {
      pages: { id: number; number: number; state: string }[];
    };
    expect(pages.pages.map((p) => [p.number, p.state])).toEqual([
      [1, 'page_approved'],
      [2, 'user_reviewing_narration'],
    ]);
    const pageId = pages.pages[1]?.id ?? 0;
    expect(await (await fetch(`${api}/api/pages/${pageId}`, auth)).json()).toMatchObject({
      number: 2,
      state: 'user_reviewing_narration',
      input: 'Kai follows the glow',
    });
    const history = (await (await fetch(`${api}/api/pages/${pages.pages[0]?.id ?? 0}/history`, auth)).json()) as {
      versions: { kind: string; version: number }[];
    };
    expect(history.versions.map((v) => `${v.kind} v${v.version}`)).toEqual(['narration v1', 'narration v2', 'narration v3', 'dialogue v1']);
    const context = (await (await fetch(`${api}/api/pages/${pageId}/next-context`, auth)).json()) as {
      kind: string;
      report: { pagesInFull: number[] };
      messages: { content: string }[];
    };
    expect(context.kind).toBe('narration');
    expect(context.report.pagesInFull).toEqual([1]);
    expect(context.messages.map((m) => m.content).join('\n')).toContain('Myra lifts her lantern at the pass.');
    expect((await fetch(`${api}/api/pages/999999`, auth)).status).toBe(404);
    expect((await fetch(`${api}/api/pages/abc`, auth)).status).toBe(400);
  });

  it('a reminder and a deadline fire after the worker restarts, with the delays shortened by configuration', async () => {
    // REVIEW_MINUTE_MS=250: an 8-"minute" reminder comes after 2 s, a 16-"minute" deadline after 4 s.
    const settings = await command(
      h.adminId,
      'settings',
      undefined,
      { reminder_minutes: 8, deadline_minutes: 16, deadline_rule: 'revise_on_tie' },
      h.storyChannelId,
    );
    expect(JSON.stringify(settings.embeds)).toMatch(/"Deadline","value":"16 min, a tie sends back"/);
    const thread = await room.openChapter('Embers');
    await room.join(thread, writer);
    await room.startPage(thread, writer, 'The embers stir').response();
    const draft = await room.openDraft(thread, 1, 'Narration', 1);

    // The worker stops before the vote, so the reminder cannot run before the writer has voted (the
    // bot records a vote that decides nothing on its own).
    await h.stopWorker();
    const stoppedAt = Date.now();
    await room.click(thread, draft, writer, 'Approve').response();
    await new Promise((resolve) => setTimeout(resolve, 4_300)); // both come due while no worker runs
    await h.startWorker();

    const reminder = await h.discord.waitFor(() => h.discord.messages(thread).find((m) => m.content.startsWith('⏰')), {
      description: 'reminder',
    });
    expect(reminder.content).toContain(`<@${h.adminId}>`);
    expect(reminder.content).not.toContain(`<@${writer}>`); // already voted
    expect(reminder.allowedMentions).toEqual({ parse: [], users: [h.adminId] });
    expect(reminder.createdAt).toBeGreaterThan(stoppedAt);
    const deadline = await h.discord.waitFor(() => h.discord.messages(thread).find((m) => m.content.startsWith('⌛')), {
      description: 'deadline notice',
    });
    expect(deadline.content).toMatch(/✅ 1 approve, ✏️ 0 revise, so it is approved/);
    expect(deadline.createdAt).toBeGreaterThan(stoppedAt);
    await room.openDraft(thread, 1, 'Dialogue', 1);
    expect(h.discord.messages(thread).filter((m) => m.content.startsWith('⏰'))).toHaveLength(1);
    const transition = await h.database.db
      .selectFrom('page_transitions')
      .select(['event', 'actor_id', 'details'])
      .where('event', '=', 'draft_approved')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(transition).toMatchObject({ actor_id: null, details: { reason: 'review deadline' } });

    // A draft decided before its time comes is left alone: no reminder, no deadline for it.
    const dialogue = await room.openDraft(thread, 1, 'Dialogue', 1);
    await room.click(thread, dialogue, writer, 'Approve').response();
    await room.click(thread, dialogue, h.adminId, 'Approve').response();
    await new Promise((resolve) => setTimeout(resolve, 4_300));
    expect(h.discord.messages(thread).filter((m) => m.content.startsWith('⏰') || m.content.startsWith('⌛'))).toHaveLength(2);
    await command(h.adminId, 'settings', undefined, { reminder_minutes: 0, deadline_minutes: 0 }, h.storyChannelId);
  });

  it('a deadline whose job was lost with Redis is found by the sweeper and still fires', async () => {
    await command(h.adminId, 'settings', undefined, { deadline_minutes: 4, deadline_rule: 'approve_on_tie' }, h.storyChannelId);
    const thread = await room.openChapter('Lost in Redis');
    await room.startPage(thread, h.adminId, 'Smoke over the ridge').response();
    await room.openDraft(thread, 1, 'Narration', 1);
    await h.stopWorker();
    // Once the deadline job has reached Redis, Redis loses it.
    await waitUntil(
      async () =>
        (
          await h.database.db
            .selectFrom('outbox')
            .select('relayed_at')
            .where('job_name', '=', 'review-deadline')
            .orderBy('id', 'desc')
            .executeTakeFirstOrThrow()
        ).relayed_at !== null,
      'the deadline job relayed',
    );
    await deleteQueueKeys(h.config.redis.url, h.config.redis.prefix);
    await new Promise((resolve) => setTimeout(resolve, 1_300)); // past the 1 s deadline
    const connection = createRedisConnection(h.config.redis.url, 'producer');
    const queue = new Queue(GENERATION_QUEUE, { connection, prefix: h.config.redis.prefix });
    try {
      expect(await sweepOverdueReviews(h.database.db, queue, pino({ level: 'silent' }), h.config.review.minuteMs, 0)).toBe(1);
      expect(await sweepOverdueReviews(h.database.db, queue, pino({ level: 'silent' }), h.config.review.minuteMs, 0)).toBe(0); // queued once
    } finally {
      await queue.close();
      connection.disconnect();
    }
    await h.startWorker();
    const notice = await h.discord.waitFor(() => h.discord.messages(thread).find((m) => m.content.startsWith('⌛')), {
      description: 'deadline notice after the sweep',
    });
    expect(notice.content).toMatch(/✅ 0 approve, ✏️ 0 revise, so it is approved/);
    await command(h.adminId, 'settings', undefined, { deadline_minutes: 0 }, h.storyChannelId);
  });

  it('an open draft whose message never reached Discord is shown again by the sweeper', async () => {
    const thread = await room.openChapter('Unshown');
    await room.startPage(thread, h.adminId, 'A message that got lost').response();
    const draft = await room.openDraft(thread, 1, 'Narration', 1);
    // As if every attempt to post it had failed: no message in the thread, none recorded.
    h.discord.deleteMessage(thread, draft.id);
    await h.database.db.deleteFrom('discord_messages').where('message_id', '=', draft.id).execute();
    expect(await sweepUnshownDraftsNow(h)).toBe(1);
    const shown = await room.openDraft(thread, 1, 'Narration', 1);
    expect(shown.id).not.toBe(draft.id);
    expect((await room.click(thread, shown, h.adminId, 'Approve').response()).kind).toBe('update');
  });

  it('a spent monthly budget refuses new drafts with a clear message until it is raised', async () => {
    const set = await command(h.adminId, 'settings', undefined, { budget: 0.01 }, h.storyChannelId);
    expect(JSON.stringify(set.embeds)).toMatch(/of \$0\.01 spent this month/);
    // 200,000 prompt tokens at the default gpt-4o-mini price ($0.15 per million) are $0.03: past the budget.
    await h.database.db
      .insertInto('agent_execution_log')
      .values({
        story_id: 1,
        agent: 'narrator',
        model: 'gpt-4o-mini',
        prompt_tokens: 200_000,
        completion_tokens: 0,
        cached_tokens: 0,
        latency_ms: 1,
        outcome: 'ok',
      })
      .execute();
    const thread = await room.openChapter('Ashes');
    expect(JSON.stringify((await command(writer, 'usage', undefined, {}, h.storyChannelId)).embeds)).toMatch(
      /of the \$0\.01 budget — spent/,
    );
    const refused = await room.startPage(thread, h.adminId, 'Nothing left').response();
    expect(refused).toMatchObject({
      ephemeral: true,
      content: expect.stringMatching(/monthly budget of \$0\.01 is spent .* <\/settings:\d+> budget/),
    });
    expect(await h.database.db.selectFrom('story_pages').select('id').where('input', '=', 'Nothing left').execute()).toEqual([]);
    await command(h.adminId, 'settings', undefined, { budget: 100 }, h.storyChannelId);
    expect((await room.startPage(thread, h.adminId, 'Room again').response()).ephemeral).toBe(false);
    const draft = await room.openDraft(thread, 1, 'Narration', 1);

    // Spent again while a draft is open: the revision it asks for is not written, and the thread says why.
    await command(h.adminId, 'settings', undefined, { budget: 0.01 }, h.storyChannelId);
    await room.revise(thread, draft, h.adminId, 'Once more');
    const notice = await h.discord.waitFor(() => h.discord.messages(thread).find((m) => embedText(m).includes('monthly budget')), {
      description: 'budget failure notice',
    });
    expect(buttonsOf(notice).map((b) => b.label)).toContain('Retry');
    const retry = await room.click(thread, notice, h.adminId, 'Retry').response();
    expect(retry).toMatchObject({ ephemeral: true, content: expect.stringMatching(/monthly budget of \$0\.01 is spent/) });
    await command(h.adminId, 'settings', undefined, { budget: 0 }, h.storyChannelId);
  });

  it('a restored dialogue reopens an approved page; approved again, it is announced again with new panel prompts', async () => {
    const thread = await room.openChapter('Again'); // the admin alone: one click decides
    await room.startPage(thread, h.adminId, 'The bells ring twice').response();
    await room.click(thread, await room.openDraft(thread, 1, 'Narration', 1), h.adminId, 'Approve').response();
    await room.click(thread, await room.openDraft(thread, 1, 'Dialogue', 1), h.adminId, 'Approve').response();
    const announced = () => h.discord.messages(thread).filter((m) => embedText(m).includes('Page 1 approved')).length;
    await h.discord.waitFor(() => announced() === 1, { description: 'the first announcement' });

    const restored = await command(h.adminId, 'page', 'restore', { page: 1, version: 1, kind: 'dialogue' }, thread);
    expect(restored.content).toMatch(/restored page 1's dialogue v1 as v2/);
    const v2 = await room.openDraft(thread, 1, 'Dialogue', 2);
    expect((await command(h.adminId, 'page', 'diff', { page: 1, from: 1, to: 2, kind: 'dialogue' }, thread)).embeds).toEqual([
      expect.objectContaining({ description: 'The two versions have the same text.' }),
    ]);
    await room.click(thread, v2, h.adminId, 'Approve').response();
    await h.discord.waitFor(() => announced() === 2, { description: 'the page announced again' });
    const pageId = (
      await h.database.db
        .selectFrom('story_pages as p')
        .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
        .select('p.id')
        .where('c.title', '=', 'Again')
        .executeTakeFirstOrThrow()
    ).id;
    await waitUntil(
      async () =>
        new Set(
          (await h.database.db.selectFrom('panel_prompts').select('revision_id').where('page_id', '=', pageId).execute()).map(
            (r) => r.revision_id,
          ),
        ).size === 2,
      'panel prompts for both approved dialogues',
    );
  });
});

function fileText(response: { attachments?: { filename: string; content: Buffer }[] }, name: RegExp): string {
  const file = response.attachments?.find((a) => name.test(a.filename));
  if (!file)
    throw new Error(`no attachment matching ${String(name)} (got ${response.attachments?.map((a) => a.filename).join(', ') ?? 'none'})`);
  return file.content.toString('utf8');
}
