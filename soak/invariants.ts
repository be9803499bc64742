import type { Queue } from 'bullmq';
import type { DiscordEmulator, StoredMessage } from '../loopback/discord/emulator.js';
import { buttonsOf, embedText } from '../loopback/writers-room.js';
import type { Db } from '../src/db/connection.js';
import { decodeCustomId } from '../src/views/custom-id.js';
import { isJobName, jobKeyFor, jobSpec } from '../src/domain/jobs.js';
import { describePageState, draftKindOf, isGenerating, isReviewing } from '../src/domain/page-state-machine.js';
import type { ActionLog } from './rooms.js';

export interface InvariantResult {
  name: string;
  checked: number;
  violations: string[];
}

const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

function buttonTargets(message: StoredMessage, label: string) {
  return buttonsOf(message)
    .filter((b) => b.label === label && !b.disabled && b.custom_id)
    .map((b) => decodeCustomId(b.custom_id ?? ''))
    .filter((d) => d !== null);
}

/** Every invariant the soak promises, checked against Postgres, Redis and the emulated Discord. */
export async function checkInvariants(input: {
  db: Db;
  discord: DiscordEmulator;
  queue: Queue;
  renderQueue: Queue;
  log: ActionLog;
}): Promise<InvariantResult[]> {
  const { db, discord, queue, renderQueue, log } = input;
  const results: InvariantResult[] = [];
  const pages = await db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .select([
      'p.id',
      'p.number',
      'p.state',
      'p.stage',
      'p.version',
      'p.input',
      'p.current_revision_id',
      'c.thread_id',
      'c.status as chapter_status',
    ])
    .execute();
  const messagesOf = (threadId: string | null) => (threadId ? discord.messages(threadId) : []);

  const stuck: string[] = [];
  const unannounced: string[] = [];
  for (const page of pages) {
    const state = page.state;
    const where = `page ${page.id} (#${page.number}, ${state})`;
    const messages = messagesOf(page.thread_id);
    if (state === 'page_approved') {
      // Once per approval: a page restored and approved again is announced again.
      const approvals = await db
        .selectFrom('page_transitions')
        .select('id')
        .where('page_id', '=', page.id)
        .where('to_state', '=', 'page_approved')
        .execute();
      const announced = messages.filter((m) => embedText(m).includes(`✅ Page ${page.number} approved`));
      if (announced.length === 0 || announced.length > approvals.length)
        unannounced.push(`${where}: ${announced.length} announcements for ${approvals.length} approvals`);
      const card = await db
        .selectFrom('discord_messages')
        .select('message_id')
        .where('page_id', '=', page.id)
        .where('purpose', '=', 'page_card')
        .executeTakeFirst();
      const cardMessage = card && messages.find((m) => m.id === card.message_id);
      if (!cardMessage || !embedText(cardMessage).includes(describePageState({ state, stage: page.stage })))
        unannounced.push(`${where}: page card does not say approved`);
    } else if (isReviewing(state)) {
      // A draft of one take has Approve; a round of takes has Pick A on its take A (the page's current draft).
      const open = messages.some((m) =>
        [...buttonTargets(m, 'Approve'), ...buttonTargets(m, 'Pick A')].some(
          (t) => (t.action === 'approve' || t.action === 'pick') && t.revisionId === page.current_revision_id,
        ),
      );
      if (!open) stuck.push(`${where}: open draft ${page.current_revision_id} has no message with live buttons`);
    } else if (isGenerating(state)) {
      const job = await queue.getJob(
        jobKeyFor('generate-draft', { pageId: page.id, kind: draftKindOf({ state, stage: page.stage }), pageVersion: page.version }),
      );
      const jobState = job ? await job.getState() : 'missing';
      if (!LIVE.has(jobState)) stuck.push(`${where}: no live job (${jobState})`);
    } else if (state === 'generation_failed') {
      const retry = messages.some((m) => buttonTargets(m, 'Retry').some((t) => t.action === 'retry' && t.pageId === page.id));
      if (!retry) stuck.push(`${where}: no Retry button`);
    } else {
      stuck.push(`${where}: never left ${state}`);
    }
  }
  results.push({
    name: 'every page approved, open for votes, being written or failed with Retry',
    checked: pages.length,
    violations: stuck,
  });
  results.push({
    name: 'every approved page announced (once per approval), its card saying so',
    checked: pages.filter((p) => p.state === 'page_approved').length,
    violations: unannounced,
  });

  const unfinished = await db
    .selectFrom('outbox')
    .select(['job_key', 'job_name', 'relayed_at'])
    .where('completed_at', 'is', null)
    .execute();
  const outboxCount = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const notDone: string[] = [];
  for (const row of unfinished) {
    const job = await (isJobName(row.job_name) && jobSpec(row.job_name).queue === 'render' ? renderQueue : queue).getJob(row.job_key);
    const jobState = job ? await job.getState() : 'missing';
    // Delayed reminders and deadlines still to come are live, not lost.
    if (!LIVE.has(jobState)) notDone.push(`${row.job_key}: ${jobState}`);
  }
  results.push({ name: 'every outbox job completed (or still live)', checked: Number(outboxCount.n), violations: notDone });

  const revisions = await db
    .selectFrom('page_revisions as r')
    .innerJoin('story_pages as p', 'p.id', 'r.page_id')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .select(['r.id', 'r.page_id', 'r.kind', 'r.version', 'r.take', 'r.status', 'p.number', 'c.thread_id'])
    .execute();
  const round = (r: { page_id: number; kind: string; version: number }) => `${r.page_id}:${r.kind}:${r.version}`;
  const takesInRound = new Map<string, number>();
  const leadOfRound = new Map<string, number>();
  for (const revision of revisions) {
    takesInRound.set(round(revision), (takesInRound.get(round(revision)) ?? 0) + 1);
    if (revision.take === 0) leadOfRound.set(round(revision), revision.id);
  }
  const revisionById = new Map(revisions.map((r) => [r.id, r]));
  const doubled: string[] = [];
  const tallies: string[] = [];
  for (const revision of revisions) {
    const several = (takesInRound.get(round(revision)) ?? 1) > 1;
    const title = `Page ${revision.number} · ${revision.kind === 'narration' ? 'Narration' : 'Dialogue'} v${revision.version}${several ? ` · Take ${String.fromCharCode(65 + revision.take)}` : ''}`;
    // The title ends at the version number: "v1" must not match the draft titled "v12", nor a take's "v1 · Take B".
    const titled = new RegExp(`${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\d)(?! · )`);
    const shown = messagesOf(revision.thread_id).filter((m) => titled.test(embedText(m)));
    if (shown.length > 1) {
      const when = shown.map((m) => `${m.id} at ${new Date(m.createdAt).toISOString().slice(11, 23)}`).join(', ');
      doubled.push(`revision ${revision.id} (${title}) shown ${shown.length} times: ${when}`);
    }
    // A round's picks are redrawn by a coalesced job: its tally is not compared here (see docs/soak.md).
    if (revision.status !== 'open' || shown.length !== 1 || several) continue;
    const counted = await db
      .selectFrom('votes as v')
      .innerJoin('page_revisions as r', 'r.id', 'v.revision_id')
      .innerJoin('story_pages as p', 'p.id', 'r.page_id')
      .innerJoin('chapter_members as m', (join) => join.onRef('m.chapter_id', '=', 'p.chapter_id').onRef('m.user_id', '=', 'v.user_id'))
      .select(['v.choice'])
      .where('v.revision_id', '=', revision.id)
      .where('m.role', 'in', ['owner', 'writer'])
      .execute();
    const approvals = counted.filter((v) => v.choice === 'approve').length;
    const revises = counted.length - approvals;
    const text = embedText(shown[0] as StoredMessage);
    if (!text.includes(`✅ ${approvals} approve · ✏️ ${revises} revise`))
      tallies.push(
        `revision ${revision.id}: Postgres ${approvals}/${revises}, message says ${/✅ \d+ approve · ✏️ \d+ revise/.exec(text)?.[0] ?? '(no tally)'}`,
      );
  }
  results.push({ name: 'one Discord message per revision', checked: revisions.length, violations: doubled });
  results.push({
    name: "every open draft's tally equals Postgres",
    checked: revisions.filter((r) => r.status === 'open').length,
    violations: tallies,
  });

  // A round's votes are kept on its take A: a pick names its take, Revise is for the whole round.
  const leadOf = (revisionId: number) => {
    const revision = revisionById.get(revisionId);
    return revision ? (leadOfRound.get(round(revision)) ?? revisionId) : revisionId;
  };
  const expected = (vote: (typeof log.votes)[number]) =>
    vote.choice === 'approve' ? `approve ${revisionById.get(vote.revisionId)?.take ?? 0}` : 'revise';
  const lastAcknowledged = new Map<string, (typeof log.votes)[number]>();
  for (const vote of log.votes) lastAcknowledged.set(`${leadOf(vote.revisionId)}:${vote.userId}`, vote);
  const stored = await db.selectFrom('votes').select(['revision_id', 'user_id', 'choice', 'pick']).execute();
  const storedBy = new Map(
    stored.map((v) => [`${v.revision_id}:${v.user_id}`, v.choice === 'approve' ? `approve ${v.pick ?? 0}` : 'revise']),
  );
  const lost = [...lastAcknowledged.entries()]
    .filter(([key, vote]) => storedBy.get(key) !== expected(vote))
    .map(([key, vote]) => `${key}: acknowledged ${expected(vote)}, stored ${storedBy.get(key) ?? 'nothing'}`);
  results.push({ name: 'every acknowledged vote in Postgres, none doubled', checked: lastAcknowledged.size, violations: lost });

  const strangers = await db
    .selectFrom('votes as v')
    .innerJoin('page_revisions as r', 'r.id', 'v.revision_id')
    .innerJoin('story_pages as p', 'p.id', 'r.page_id')
    .select(['v.revision_id', 'v.user_id'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('chapter_members as m')
            .select('m.user_id')
            .whereRef('m.chapter_id', '=', 'p.chapter_id')
            .whereRef('m.user_id', '=', 'v.user_id'),
        ),
      ),
    )
    .execute();
  results.push({
    name: 'no vote from a non-member (viewers’ votes are not counted: see tallies)',
    checked: stored.length,
    violations: strangers.map((s) => `${s.revision_id}:${s.user_id}`),
  });

  const late = discord.violations.filter((v) => /acknowledged/.test(v));
  results.push({
    name: 'every interaction acknowledged within 3 s and answered',
    checked: log.actions,
    violations: [...late, ...log.unanswered],
  });
  return results;
}
