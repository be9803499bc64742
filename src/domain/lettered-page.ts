import type { LetteringProblem } from './lettering/letter-page.js';
import type { LetteringScript, Placement } from './lettering/script.js';
import { tallyCounts, type QuorumRule, type Tally } from './voting.js';

// A page's lettered versions in the room, pure: what a Re-letter changes, how a line the letterer could
// not fit is told, and how the co-writers approve a version by the story's quorum (as a set of panels).

export type LetteredStatus = 'open' | 'approved' | 'superseded';

/** A line the letterer left out, as the room is told it. */
export interface FlaggedLine {
  panel: number;
  line: number;
  problem: LetteringProblem['problem'];
  words: string;
}

/** Re-letter tries these in turn; version n takes the ((n - 1) mod 4)th. */
const VARIANTS = [
  { mirror: false, swapDepth: false },
  { mirror: true, swapDepth: false },
  { mirror: false, swapDepth: true },
  { mirror: true, swapDepth: true },
] as const;

const MIRRORED = { left: 'right', centre: 'centre', right: 'left' } as const;

/**
 * The script as lettered at a version. The letterer is deterministic, so another try must change its
 * input: later versions take the speakers' default places mirrored (left ↔ right) and/or near ↔ far,
 * which moves every tail and so every balloon's cheapest place. Version 5 is version 1 again.
 */
export function scriptForVersion(script: LetteringScript, version: number): LetteringScript {
  const variant = VARIANTS[(Math.max(1, version) - 1) % VARIANTS.length] ?? VARIANTS[0];
  if (!variant.mirror && !variant.swapDepth) return script;
  const move = (place: Placement): Placement => ({
    x: variant.mirror ? MIRRORED[place.x] : place.x,
    depth: variant.swapDepth ? (place.depth === 'near' ? 'far' : 'near') : place.depth,
  });
  return {
    ...script,
    panels: script.panels.map((panel) => ({
      ...panel,
      placements: Object.fromEntries(Object.entries(panel.placements).map(([who, place]) => [who, move(place)])),
    })),
  };
}

/**
 * The letterer's problems in the words the thread reads, numbered as the dialogue shows them: a panel's
 * caption is its caption, its spoken lines count from 1.
 */
export function flagLines(script: LetteringScript, problems: readonly LetteringProblem[]): FlaggedLine[] {
  return problems.map((problem) => {
    const lines = script.panels[problem.panel]?.lines ?? [];
    const line = lines[problem.line];
    const captionFirst = lines[0]?.kind === 'caption' ? 1 : 0;
    const panel = problem.panel + 1;
    const what =
      line?.kind === 'caption' && problem.line === 0
        ? `The caption of panel ${panel}`
        : `Line ${problem.line - captionFirst + 1} of panel ${panel}`;
    const why =
      problem.problem === 'too-long'
        ? 'does not fit at the smallest readable size'
        : 'finds no room in the panel at the smallest readable size';
    return {
      panel,
      line: problem.line + 1,
      problem: problem.problem,
      words: `${what} ${why} — shorten it in the dialogue (an owner's /page restore brings it back for Edit).`,
    };
  });
}

export interface LetteredVoteInput {
  status: LetteredStatus;
  /** Whether the version clicked is the page's newest one. */
  newest: boolean;
  voters: readonly string[];
  rule: QuorumRule;
  coWriters: number;
}

export type LetteredRefusal = 'stale' | 'approved' | 'already_approved_by_you';

export type LetteredVote = { kind: 'refused'; reason: LetteredRefusal } | { kind: 'counted'; tally: Tally; decided: boolean };

export function tallyLettered(voters: readonly string[], rule: QuorumRule, coWriters: number): Tally {
  return tallyCounts({ approvals: new Set(voters).size, revisions: 0 }, rule, coWriters);
}

/** A co-writer's Approve on the version their button showed: counted on the newest open version only. */
export function voteOnLettered(input: LetteredVoteInput, userId: string): LetteredVote {
  if (input.status === 'approved') return { kind: 'refused', reason: 'approved' };
  if (input.status !== 'open' || !input.newest) return { kind: 'refused', reason: 'stale' };
  if (input.voters.includes(userId)) return { kind: 'refused', reason: 'already_approved_by_you' };
  const tally = tallyLettered([...input.voters, userId], input.rule, input.coWriters);
  return { kind: 'counted', tally, decided: tally.approvals >= tally.required };
}

/** Whether Re-letter may start from this version: only from the newest, while it is open. */
export function canReletter(input: Pick<LetteredVoteInput, 'status' | 'newest'>): LetteredRefusal | null {
  if (input.status === 'approved') return 'approved';
  return input.status === 'open' && input.newest ? null : 'stale';
}
