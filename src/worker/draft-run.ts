import type { Job } from 'bullmq';
import type { GenerateDraftJob } from '../domain/jobs.js';
import type { StreamCadence } from '../domain/stream-cadence.js';
import type { DraftPhase, DraftView } from '../views/page-messages.js';
import type { Logger } from '../logger.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import type { MessageTarget } from './message-targets.js';

/** One run of a generation job: what each step of writing a draft needs. */
export interface DraftRun {
  deps: WorkerDeps;
  job: Job;
  /** The job's lock token: a draft waiting for a slot gives its job back to BullMQ, delayed, with it. */
  token: string | undefined;
  data: GenerateDraftJob;
  /** The job's key, stored on the revision: a job that runs twice finds its draft instead of writing another. */
  generationKey: string;
  place: PagePlace & { thread_id: string };
  log: Logger;
}

/** How the draft's message shows it while it is written. */
export interface DraftDisplay {
  target: MessageTarget;
  view: DraftView;
  writing: DraftPhase;
  /** How often the draft's message is edited, and whether its first post waits for the model (the bot busy). */
  cadence: StreamCadence;
  onText: (text: string) => void;
  /** Ends the "being written" display: called once the model has answered, before the outcome is shown. */
  stopWriting: () => Promise<void>;
}
