import { classifyModelError, usageFrom } from '../agents/model-client.js';
import { listApprovedPageNumbers, listApprovedTextsInRange } from '../db/approved-pages.js';
import { getChapterSummary, setChapterSummary } from '../db/chapters.js';
import { buildSummaryPrompt, nextSummaryThrough } from '../domain/chapter-summary.js';
import { recordAgentExecution, type AgentContext, type JobAttempt } from './agent-calls.js';

/** Extends the chapter summary by whole strides; a summary that is recent enough is left alone. */
export async function summariseChapter(deps: AgentContext, chapterId: number, run: JobAttempt): Promise<string> {
  const chapter = await getChapterSummary(deps.db, chapterId);
  if (!chapter) return 'chapter gone';
  // The contiguous run of approved pages from the start: a summary never skips an unfinished page.
  let approvedThrough = 0;
  for (const number of await listApprovedPageNumbers(deps.db, chapterId)) {
    if (number !== approvedThrough + 1) break;
    approvedThrough = number;
  }
  const through = nextSummaryThrough(approvedThrough, chapter.summary_through_page);
  if (through === null) return 'summary is recent enough';

  const pages = await listApprovedTextsInRange(deps.db, chapterId, { afterNumber: chapter.summary_through_page, throughNumber: through });
  const model = chapter.narrator_model ?? deps.config.model.narratorModel;
  const started = Date.now();
  const log = {
    storyId: chapter.story_id,
    chapterId: chapter.id,
    pageId: null,
    agent: 'summariser' as const,
    model,
    jobId: run.jobId,
    attempt: run.attempt,
  };
  try {
    const completion = await deps.model.chat.completions.create({
      model,
      messages: buildSummaryPrompt({
        chapterTitle: chapter.title,
        previousSummary: chapter.summary,
        previousThrough: chapter.summary_through_page,
        pages,
      }),
      prompt_cache_key: `story-${chapter.story_id}`,
    });
    const text = completion.choices[0]?.message.content?.trim();
    await recordAgentExecution(deps, {
      ...log,
      usage: usageFrom(completion.usage),
      latencyMs: Date.now() - started,
      outcome: text ? 'ok' : 'malformed',
      error: null,
    });
    if (!text) throw new Error('empty summary');
    // Only the job that started from the current summary may replace it.
    await setChapterSummary(deps.db, chapterId, { text, throughPage: through, fromThroughPage: chapter.summary_through_page });
    return `summarised through page ${through}`;
  } catch (error) {
    const failure = classifyModelError(error);
    await recordAgentExecution(deps, {
      ...log,
      usage: failure.usage,
      latencyMs: Date.now() - started,
      outcome: failure.outcome,
      error: failure.message,
    });
    // Without a fresh summary prompts still fit: older pages are dropped. So retry, but never fail a page.
    throw failure;
  }
}
