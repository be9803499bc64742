import type { Job } from 'bullmq';
import { summariseChapterJob } from '../domain/jobs.js';
import { summariseChapter } from '../services/summarise-chapter.js';
import type { WorkerDeps } from './deps.js';
import { attemptOf } from './job-attempt.js';

/** Extends the chapter summary by whole strides (nothing is shown: prompts read it). */
export async function processSummariseChapter(deps: WorkerDeps, job: Job): Promise<string> {
  const { chapterId } = summariseChapterJob.parse(job.data);
  return summariseChapter(deps, chapterId, attemptOf(job));
}
