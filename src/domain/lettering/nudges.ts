import { SPOKEN_KINDS, type BalloonNudge, type LineKind, type NudgeChange, type ScriptPanel } from './script.js';

// A co-writer's nudge of one balloon, and what all the nudges of a version ask of the letterer. Each
// version carries every nudge made since the last Re-letter; the letterer applies them all, so a
// version is still the same bytes from the same input. Pure.

/** What a balloon's nudges ask of its placement and size. */
export interface BalloonAdjustment {
  /** How many of the best distinct places to pass over ("another place", counted). */
  skip: number;
  /** The balloon on the other side of its speaker, so its tail comes from the other side. */
  otherSide: boolean;
  /** Steps of text size: + larger, − smaller. */
  sizeSteps: number;
}

export const NO_ADJUSTMENT: BalloonAdjustment = { skip: 0, otherSide: false, sizeSteps: 0 };

/** Each step scales a balloon's text by this much (within the format's readable range). */
export const SIZE_STEP = 1.15;

/** A nudge names a balloon by its first line: the same balloon as long as the script is the same. */
const names = (nudge: BalloonNudge, panel: number, lines: readonly number[]) =>
  nudge.panel === panel && nudge.lines[0] !== undefined && lines.includes(nudge.lines[0]);

/** The adjustment of the balloon carrying `lines` of `panel`, from every nudge of the version. */
export function adjustmentFor(nudges: readonly BalloonNudge[], panel: number, lines: readonly number[]): BalloonAdjustment {
  let adjustment = NO_ADJUSTMENT;
  for (const nudge of nudges) {
    if (!names(nudge, panel, lines)) continue;
    if (nudge.change === 'place') adjustment = { ...adjustment, skip: adjustment.skip + 1 };
    else if (nudge.change === 'tail') adjustment = { ...adjustment, otherSide: !adjustment.otherSide };
    else if (nudge.change === 'smaller') adjustment = { ...adjustment, sizeSteps: adjustment.sizeSteps - 1 };
    else if (nudge.change === 'larger') adjustment = { ...adjustment, sizeSteps: adjustment.sizeSteps + 1 };
  }
  return adjustment;
}

/** The panels with the kinds the nudges chose: spoken lines only (a caption or sound effect keeps its kind). */
export function withNudgedKinds(panels: readonly ScriptPanel[], nudges: readonly BalloonNudge[]): ScriptPanel[] {
  return panels.map((panel, index) => {
    const kinds = new Map<number, LineKind>();
    for (const nudge of nudges) {
      if (nudge.panel !== index || !(SPOKEN_KINDS as readonly string[]).includes(nudge.change)) continue;
      for (const line of nudge.lines) kinds.set(line, nudge.change as LineKind);
    }
    if (kinds.size === 0) return panel;
    return {
      ...panel,
      lines: panel.lines.map((line, i) => {
        const kind = kinds.get(i);
        return kind && line.speaker !== null && line.kind !== 'caption' && line.kind !== 'sound' ? { ...line, kind } : line;
      }),
    };
  });
}

export interface NudgeOption {
  change: NudgeChange;
  label: string;
}

/** Each nudge in words, as the select offers it. */
export const NUDGE_LABELS: Record<NudgeChange, string> = {
  place: 'Another place',
  tail: 'Tail to the other side',
  smaller: 'Smaller text',
  larger: 'Larger text',
  speech: 'Make it speech',
  thought: 'Make it a thought (cloud)',
  whisper: 'Make it a whisper (dashed)',
  shout: 'Make it a shout (jagged)',
};

/** The nudges a balloon offers: every balloon moves and resizes; a spoken one also turns its tail and changes kind. */
export function nudgeOptions(balloon: { kind: LineKind; tip: unknown }): NudgeOption[] {
  const changes: NudgeChange[] = ['place'];
  if (balloon.tip !== null) changes.push('tail');
  changes.push('smaller', 'larger');
  if (balloon.kind !== 'caption' && balloon.kind !== 'sound') changes.push(...SPOKEN_KINDS.filter((kind) => kind !== balloon.kind));
  return changes.map((change) => ({ change, label: NUDGE_LABELS[change] }));
}

/** The nudge list of the next version: the last one's nudges and this one (a Re-letter starts afresh). */
export const nudgesAfter = (previous: readonly BalloonNudge[], nudge: BalloonNudge): BalloonNudge[] => [...previous, nudge];
