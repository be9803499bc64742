import type { Job } from 'bullmq';
import { classifyModelError, usageFrom } from '../agents/model-client.js';
import { buildSummaryPrompt, nextSummaryThrough } from '../domain/chapter-summary.js';
import { summariseChapterJob } from '../domain/jobs.js';
import { recordAgentExecution } from './agent-log.js';
import type { WorkerDeps } from './deps.js';

/** Extends the chapter summary by whole strides; a summary that is recent enough is left alone. */
export async function processSummariseChapter(deps: WorkerDeps, job: Job): Promise<string> {
  const { chapterId } = summariseChapterJob.parse(job.data);
  const chapter = await deps.db
    .selectFrom('chapters as c')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select(['c.id', 'c.title', 'c.summary', 'c.summary_through_page', 'c.story_id', 's.narrator_model'])
    .where('c.id', '=', chapterId)
    .executeTakeFirst();
  if (!chapter) return 'chapter gone';
  // The contiguous run of approved pages from the start: a summary never skips an unfinished page.
  const approved = await deps.db
    .selectFrom('story_pages')
    .select('number')
    .where('chapter_id', '=', chapterId)
    .where('state', '=', 'page_approved')
    .orderBy('number')
    .execute();
  let approvedThrough = 0;
  for (const row of approved) {
    if (row.number !== approvedThrough + 1) break;
    approvedThrough = row.number;
  }
  const through = nextSummaryThrough(approvedThrough, chapter.summary_through_page);
  if (through === null) return 'summary is recent enough';

  const pages = await deps.db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as n', 'n.id', 'p.approved_narration_id')
    .leftJoin('page_revisions as d', 'd.id', 'p.approved_dialogue_id')
    .select(['p.number', 'n.body as narration', 'd.body as dialogue'])
    .where('p.chapter_id', '=', chapterId)
    .where('p.number', '>', chapter.summary_through_page)
    .where('p.number', '<=', through)
    .orderBy('p.number')
    .execute();
  const model = chapter.narrator_model ?? deps.config.model.narratorModel;
  const started = Date.now();
  const log = { storyId: chapter.story_id, chapterId: chapter.id, pageId: null, agent: 'summariser' as const, model, jobId: job.id ?? null, attempt: job.attemptsMade + 1 };
  try {
    const completion = await deps.model.chat.completions.create({
      model,
      messages: buildSummaryPrompt({ chapterTitle: chapter.title, previousSummary: chapter.summary, previousThrough: chapter.summary_through_page, pages }),
      prompt_cache_key: `story-${chapter.story_id}`,
    });
    const text = completion.choices[0]?.message.content?.trim();
    await recordAgentExecution(deps.db, { ...log, usage: usageFrom(completion.usage), latencyMs: Date.now() - started, outcome: text ? 'ok' : 'malformed', error: null });
    if (!text) throw new Error('empty summary');
    // Only the job that started from the current summary may replace it.
    await deps.db
      .updateTable('chapters')
      .set({ summary: text, summary_through_page: through })
      .where('id', '=', chapterId)
      .where('summary_through_page', '=', chapter.summary_through_page)
      .execute();
    return `summarised through page ${through}`;
  } catch (error) {
    const failure = classifyModelError(error);
    await recordAgentExecution(deps.db, { ...log, usage: failure.usage, latencyMs: Date.now() - started, outcome: failure.outcome, error: failure.message });
    // Without a fresh summary prompts still fit: older pages are dropped. So retry, but never fail a page.
    throw failure;
  }
}
