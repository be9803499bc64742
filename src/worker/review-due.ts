import type { Job } from 'bullmq';
import { countRevisions, getPageWithPlace, getRevision, lockPage } from '../db/pages.js';
import { isReviewing } from '../domain/page-state-machine.js';
import { awaitingVotes, decideAtDeadline } from '../domain/voting.js';
import { NO_MENTIONS } from '../discord/render/message-parts.js';
import { reviewDueJob } from '../domain/jobs.js';
import { applyDraftDecision } from '../services/page-service.js';
import { showOpenDraft, updatePageCard, type WorkerDeps } from './generate-draft.js';

const KIND = { narration: 'narration', dialogue: 'dialogue' } as const;
const MAX_NAMED = 40;

/** Still the page's open draft? A reminder or deadline for a decided draft has been cancelled by the decision. */
function stillOpen(page: { state: Parameters<typeof isReviewing>[0]; current_revision_id: number | null }, revision: { id: number; status: string }): boolean {
  return revision.status === 'open' && page.current_revision_id === revision.id && isReviewing(page.state);
}

async function draftLink(deps: WorkerDeps, guildId: string, revisionId: number): Promise<string> {
  const message = await deps.db.selectFrom('discord_messages').select(['channel_id', 'message_id']).where('revision_id', '=', revisionId).where('purpose', '=', 'draft').executeTakeFirst();
  return message ? ` https://discord.com/channels/${guildId}/${message.channel_id}/${message.message_id}` : '';
}

/** Once, some time after a draft is posted: names the co-writers who have not voted on it yet. */
export async function processReviewReminder(deps: WorkerDeps, job: Job): Promise<string> {
  const { pageId, revisionId } = reviewDueJob.parse(job.data);
  const place = await getPageWithPlace(deps.db, pageId);
  const revision = await getRevision(deps.db, revisionId);
  if (!place || !revision || place.thread_id === null || !stillOpen(place, revision)) return 'draft already decided';
  const members = await deps.db.selectFrom('chapter_members').select('user_id').where('chapter_id', '=', place.chapter_id).where('role', 'in', ['owner', 'writer']).orderBy('joined_at').execute();
  const votes = await deps.db.selectFrom('votes').select('user_id as userId').where('revision_id', '=', revisionId).execute();
  const waiting = awaitingVotes(
    members.map((m) => m.user_id),
    votes,
  );
  if (waiting.length === 0) return 'everyone has voted';
  // Forty mentions stay well inside Discord's 2000 characters; a bigger room gets a count for the rest.
  const pending = waiting.slice(0, MAX_NAMED);
  const more = waiting.length > MAX_NAMED ? ` and ${waiting.length - MAX_NAMED} more co-writers` : '';
  const deadline = await deps.db.selectFrom('stories').select(['deadline_minutes']).where('id', '=', place.story_id).executeTakeFirstOrThrow();
  const when = deadline.deadline_minutes === null ? '' : ` It will be decided by the votes cast ${deadline.deadline_minutes} minutes after it was posted.`;
  await deps.messages.upsert(
    { channelId: place.thread_id, purpose: 'reminder', chapterId: place.chapter_id, pageId, revisionId: null, generationKey: job.id ?? `review-reminder-r${revisionId}` },
    { by: 'generation_key' },
    {
      content: `⏰ ${pending.map((id) => `<@${id}>`).join(' ')}${more}: page ${place.number}'s ${KIND[revision.kind]} v${revision.version} is waiting for your vote.${when}${await draftLink(deps, place.guild_id, revisionId)}`,
      embeds: [],
      components: [],
      // The one message that pings: only the co-writers it names.
      allowed_mentions: { ...NO_MENTIONS, users: pending },
    },
  );
  await deps.db.updateTable('page_revisions').set({ reminded_at: new Date() }).where('id', '=', revisionId).execute();
  return `reminded ${pending.length}`;
}

/** At the deadline: the draft is decided by the votes cast, following the story's rule for a tie. */
export async function processReviewDeadline(deps: WorkerDeps, job: Job): Promise<string> {
  const { pageId, revisionId } = reviewDueJob.parse(job.data);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const page = await lockPage(trx, pageId);
    const revision = await trx.selectFrom('page_revisions').selectAll().where('id', '=', revisionId).executeTakeFirst();
    if (!page || !revision || !stillOpen(page, revision) || page.stage !== revision.kind) return null;
    const story = await trx
      .selectFrom('chapters as c')
      .innerJoin('stories as s', 's.id', 'c.story_id')
      .select(['s.deadline_rule', 's.max_revisions'])
      .where('c.id', '=', page.chapter_id)
      .executeTakeFirstOrThrow();
    const votes = await trx.selectFrom('votes').select('choice').where('revision_id', '=', revisionId).execute();
    const tally = { approvals: votes.filter((v) => v.choice === 'approve').length, revisions: votes.filter((v) => v.choice === 'revise').length };
    const drafted = await countRevisions(trx, page.id, revision.kind);
    const decision = decideAtDeadline(tally, story.deadline_rule, drafted - 1 < story.max_revisions);
    const decided = await applyDraftDecision(trx, page, revision, decision, story.max_revisions, null, { reason: 'review deadline', ...tally });
    return { ...decided, tally, decision };
  });
  if (!outcome) return 'draft already decided';
  if (outcome.queued.length > 0) deps.kickRelay();
  const place = await getPageWithPlace(deps.db, pageId);
  if (!place || place.thread_id === null) return outcome.decision;
  await showOpenDraft(deps, place, outcome.revision, null);
  const result = outcome.decision === 'approved' ? 'approved' : 'sent back for a new version';
  await deps.messages.upsert(
    { channelId: place.thread_id, purpose: 'notice', chapterId: place.chapter_id, pageId, revisionId: null, generationKey: job.id ?? `review-deadline-r${revisionId}` },
    { by: 'generation_key' },
    {
      content: `⌛ The review deadline for page ${place.number}'s ${KIND[outcome.revision.kind]} v${outcome.revision.version} has passed: ✅ ${outcome.tally.approvals} approve, ✏️ ${outcome.tally.revisions} revise, so it is ${result}.`,
      embeds: [],
      components: [],
      allowed_mentions: NO_MENTIONS,
    },
  );
  await updatePageCard(deps, place, null);
  deps.progress.refresh(place.chapter_id);
  return outcome.decision;
}
