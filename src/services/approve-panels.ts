import type { Db } from '../db/connection.js';
import { countCoWriters } from '../db/chapters.js';
import type { StoryPage } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import { findNewestLettered } from '../db/lettered-pages.js';
import { writeToOutbox } from '../db/outbox.js';
import { getPageWithPlace, lockPage } from '../db/pages.js';
import { listPanelPromptsOfRevision } from '../db/panel-prompts.js';
import { listLatestRendersOfPanels } from '../db/panel-renders.js';
import { findPanelSetApproval, insertPanelSetVote, listPanelSetVotes, recordPanelSetApproval } from '../db/panel-review.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import { describeJob } from '../domain/jobs.js';
import { describePanelSet, voteOnPanelSet, type PanelSetInput, type PanelSetRefusal, type PanelSetState } from '../domain/panel-set.js';
import { parseQuorumRule } from '../domain/voting.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { UserError } from './user-error.js';

type PageForSet = Pick<StoryPage, 'id' | 'chapter_id' | 'approved_dialogue_id'> & { quorum: string };

/** Everything the voting rules read about a page's set of panels. */
async function readPanelSet(db: Executor, page: PageForSet): Promise<PanelSetInput & { renderIds: number[] }> {
  const prompts = page.approved_dialogue_id === null ? [] : await listPanelPromptsOfRevision(db, page.approved_dialogue_id);
  const latest = await listLatestRendersOfPanels(
    db,
    prompts.map((prompt) => prompt.id),
  );
  const approval = await findPanelSetApproval(db, page.id);
  return {
    panelCount: prompts.length,
    latestRenders: latest.map((render) => ({ id: render.id, status: render.status })),
    renderIds: latest.map((render) => render.id),
    votes: await listPanelSetVotes(db, page.id),
    rule: parseQuorumRule(page.quorum) ?? { kind: 'majority' },
    coWriters: await countCoWriters(db, page.chapter_id),
    approvedVersion: approval?.setVersion ?? null,
  };
}

/** Where the page's set of panels stands: what the panels message shows. */
export async function panelSetOf(db: Executor, page: PageForSet): Promise<PanelSetState> {
  return describePanelSet(await readPanelSet(db, page));
}

const REFUSALS: Record<PanelSetRefusal, (pageNumber: number) => string> = {
  stale: () =>
    'The panels changed since that button was drawn (a panel was drawn again), so approvals start over. Look at the current panels and approve them there. Nothing was changed.',
  rendering: () => 'A panel is still rendering; approve the set when every panel is drawn. Nothing was changed.',
  incomplete: () => 'A panel has no image (its render failed); reroll or retry it before approving the set. Nothing was changed.',
  approved: (pageNumber) => `Page ${pageNumber}'s panels were already approved; they are final for the page.`,
  already_approved_by_you: () => 'You already approved these panels; the others decide the rest.',
};

export interface PanelSetVoteOutcome {
  pageNumber: number;
  panelCount: number;
  state: PanelSetState;
  decided: boolean;
}

/**
 * A co-writer approves the set of panels their button showed. Counted only on the current version (a
 * new render resets the vote); the approval that reaches the story's quorum approves the set: its
 * renders become the page's panels, and the announcement is queued in the same transaction.
 */
export async function approvePanelSet(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; setVersion: number },
): Promise<PanelSetVoteOutcome> {
  return runInTransaction(db, async (trx) => {
    const page = await getPageWithPlace(trx, target.pageId);
    if (!page || page.guild_id !== place.guildId || page.thread_id !== place.channelId) throw new UserError(NOT_IN_THIS_THREAD);
    // The page lock serialises approvals, renders being queued and prompt changes on the page.
    await lockPage(trx, page.id);
    await assertCoWriter(trx, page.chapter_id, place.userId);
    const input = await readPanelSet(trx, page);
    const vote = { userId: place.userId, setVersion: target.setVersion };
    const outcome = voteOnPanelSet(input, vote);
    if (outcome.kind === 'refused') throw new UserError(REFUSALS[outcome.reason](page.number));
    await insertPanelSetVote(trx, { pageId: page.id, ...vote });
    // The worker is the panels message's one writer: the tally is drawn there from Postgres, never by the click.
    if (!outcome.decided) afterCommit(trx).refreshPanels(page.id);
    if (!outcome.decided) return { pageNumber: page.number, panelCount: input.panelCount, state: outcome.state, decided: false };
    await recordPanelSetApproval(trx, {
      pageId: page.id,
      setVersion: outcome.state.version,
      decidedBy: place.userId,
      renderIds: input.renderIds,
    });
    await writeToOutbox(trx, [
      describeJob('announce-panels', { pageId: page.id, setVersion: outcome.state.version }),
      // A reopened page's new set is lettered as the page's next version.
      describeJob('compose-page', {
        pageId: page.id,
        setVersion: outcome.state.version,
        version: ((await findNewestLettered(trx, page.id))?.version ?? 0) + 1,
      }),
    ]);
    return { pageNumber: page.number, panelCount: input.panelCount, state: outcome.state, decided: true };
  });
}
