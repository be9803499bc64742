// How a draft streams into Discord as the bot's REST budget fills up. Pure.
// Every streamed edit is paid for out of one budget shared by every server's drafts (Discord's global
// limit), so the busier the bot, the fewer edits a draft makes; never fewer than one every few seconds.

/** A streamed draft shows new text at least this often, however busy the bot: a readable rhythm. */
export const SLOWEST_EDIT_INTERVAL_MS = 3_000;
/** Below this share of the budget a draft streams at its ordinary pace. */
export const EASY_LOAD = 0.5;
/** From this share on, a draft streams at the slowest rhythm. */
export const BUSY_LOAD = 0.9;

export interface StreamCadence {
  /** Time between two edits of the draft's message. */
  editIntervalMs: number;
  /**
   * How long the draft's first message waits for the model before it is posted: a draft answered
   * within it is posted once, finished, instead of posted and edited. 0 when the bot is not busy.
   */
  holdFirstPostMs: number;
  /** Whether the page card shows "being written" on its own edit (when busy, the draft's message says it). */
  noteOnCard: boolean;
}

/** The cadence for a share of the budget in use (0 idle, 1 at the limit) and the ordinary edit interval. */
export function streamCadence(load: number, ordinaryIntervalMs: number): StreamCadence {
  const ordinary = Math.min(ordinaryIntervalMs, SLOWEST_EDIT_INTERVAL_MS);
  if (!(load > EASY_LOAD)) return { editIntervalMs: ordinary, holdFirstPostMs: 0, noteOnCard: true };
  const busy = Math.min(1, (load - EASY_LOAD) / (BUSY_LOAD - EASY_LOAD));
  return {
    editIntervalMs: Math.round(ordinary + (SLOWEST_EDIT_INTERVAL_MS - ordinary) * busy),
    holdFirstPostMs: Math.round(SLOWEST_EDIT_INTERVAL_MS * busy),
    noteOnCard: false,
  };
}

/** Discord lets a channel's messages be edited about once a second (5 in 5 s): no draft streams faster for long. */
const FASTEST_SUSTAINED_EDIT_INTERVAL_MS = 1_000;

/**
 * The requests a second the drafts a worker holds are about to make: each edits its message about once
 * per ordinary interval while it streams. A burst of drafts started at once has sent nothing yet, so
 * what was sent lately alone would let all of them stream at the ordinary pace into a full budget; and
 * a draft is counted from the moment its job is taken, so the first of a burst to choose its cadence
 * already sees the others taken with it, not only those that got further.
 */
export function expectedStreamingRequestsPerSecond(draftsHeld: number, ordinaryIntervalMs: number): number {
  if (!(draftsHeld > 0)) return 0;
  const ordinary = Number.isNaN(ordinaryIntervalMs) ? SLOWEST_EDIT_INTERVAL_MS : ordinaryIntervalMs;
  const interval = Math.min(Math.max(ordinary, FASTEST_SUSTAINED_EDIT_INTERVAL_MS), SLOWEST_EDIT_INTERVAL_MS);
  return (draftsHeld * 1_000) / interval;
}

/** How long the first streamed edit waits: past the held first post, or one interval after the post just made. */
export function firstEditAfterMs(cadence: StreamCadence): number {
  return cadence.holdFirstPostMs > 0 ? cadence.holdFirstPostMs : cadence.editIntervalMs;
}

/** However busy the bot, a chapter's pinned progress shows a change within this long. */
export const SLOWEST_PROGRESS_WINDOW_MS = 5_000;

/**
 * How long changes to a chapter wait to be folded into one redraw of its pinned progress message: the
 * ordinary window while the budget is easy, stretched toward a few seconds as it fills, so a page
 * started and its draft shown, or a burst of votes, cost one edit. The redraw reads Postgres when it
 * runs: it always shows the chapter's state, only later.
 */
export function progressWindowMs(load: number, ordinaryWindowMs: number): number {
  const slowest = Math.max(ordinaryWindowMs, SLOWEST_PROGRESS_WINDOW_MS);
  if (!(load > EASY_LOAD)) return ordinaryWindowMs;
  const busy = Math.min(1, (load - EASY_LOAD) / (BUSY_LOAD - EASY_LOAD));
  return Math.round(ordinaryWindowMs + (slowest - ordinaryWindowMs) * busy);
}
