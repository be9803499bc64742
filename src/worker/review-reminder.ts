import { time, TimestampStyles } from '@discordjs/formatters';
import type { Job } from 'bullmq';
import { listCoWriterIds } from '../db/chapters.js';
import { getDraftMessage } from '../db/discord-messages.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { getReviewRules } from '../db/stories.js';
import { markRevisionReminded } from '../db/revisions.js';
import { listCountedVotes } from '../db/votes.js';
import { NO_MENTIONS } from '../views/message-parts.js';
import { jobKeyFor, reviewDueJob } from '../domain/jobs.js';
import { awaitingVotes } from '../domain/voting.js';
import { isOpenForVote } from '../services/decide-draft.js';
import type { WorkerDeps } from './deps.js';

// Forty mentions stay well inside Discord's 2000 characters; a bigger room gets a count for the rest.
const MAX_NAMED = 40;

/** Once, some time after a draft is posted: names the co-writers who have not voted on it yet. */
export async function processReviewReminder(deps: WorkerDeps, job: Job): Promise<string> {
  const data = reviewDueJob.parse(job.data);
  const place = await getPageWithPlace(deps.db, data.pageId);
  const revision = await getRevision(deps.db, data.revisionId);
  // A reminder for a decided draft was cancelled by the decision.
  if (!place || !revision || place.thread_id === null || !isOpenForVote(place, revision)) return 'draft already decided';
  const waiting = awaitingVotes(await listCoWriterIds(deps.db, place.chapter_id), await listCountedVotes(deps.db, revision.id));
  if (waiting.length === 0) return 'everyone has voted';
  const pending = waiting.slice(0, MAX_NAMED);
  const more = waiting.length > MAX_NAMED ? ` and ${waiting.length - MAX_NAMED} more co-writers` : '';
  const rules = await getReviewRules(deps.db, place.chapter_id);
  // A Discord timestamp: each reader sees the deadline in their own time zone, counting down.
  const deadline =
    rules.deadline_minutes === null
      ? null
      : new Date(new Date(revision.created_at).getTime() + rules.deadline_minutes * deps.config.review.minuteMs);
  const when =
    deadline === null
      ? ''
      : ` It will be decided by the votes cast by ${time(deadline, TimestampStyles.LongDateShortTime)} (${time(deadline, TimestampStyles.RelativeTime)}).`;
  await deps.messages.upsert(
    {
      channelId: place.thread_id,
      purpose: 'reminder',
      chapterId: place.chapter_id,
      pageId: place.id,
      revisionId: null,
      generationKey: job.id ?? jobKeyFor('review-reminder', data),
    },
    { by: 'generation_key' },
    {
      content: `⏰ ${pending.map((id) => `<@${id}>`).join(' ')}${more}: page ${place.number}'s ${revision.kind} v${revision.version} is waiting for your vote.${when}${await draftLink(deps, place.guild_id, revision.id)}`,
      embeds: [],
      components: [],
      // The one message that pings: only the co-writers it names.
      allowed_mentions: { ...NO_MENTIONS, users: pending },
    },
  );
  await markRevisionReminded(deps.db, revision.id);
  return `reminded ${pending.length}`;
}

/** A jump link to the draft's message, with a leading space, or nothing when it has none. */
async function draftLink(deps: WorkerDeps, guildId: string, revisionId: number): Promise<string> {
  const message = await getDraftMessage(deps.db, revisionId);
  return message ? ` https://discord.com/channels/${guildId}/${message.channel_id}/${message.message_id}` : '';
}
