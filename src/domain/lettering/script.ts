import type { DialogueScript } from '../dialogue-script.js';

// What the letterer reads: the panels' picture sizes, the lines in order with who says them and how,
// and where each character stands. Scripts written before lines had kinds letter with defaults. Pure.

export const LINE_KINDS = ['speech', 'thought', 'whisper', 'shout', 'caption', 'sound'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

// A co-writer's nudge of one balloon is part of what the letterer reads (nudges.ts applies them).
export const SPOKEN_KINDS = ['speech', 'thought', 'whisper', 'shout'] as const satisfies readonly LineKind[];
export const NUDGE_CHANGES = ['place', 'tail', 'smaller', 'larger', ...SPOKEN_KINDS] as const;
export type NudgeChange = (typeof NUDGE_CHANGES)[number];

export interface BalloonNudge {
  /** The panel (0-based) and the script lines (0-based) of the balloon, as the version nudged showed them. */
  panel: number;
  lines: number[];
  change: NudgeChange;
}

export const HORIZONTAL_PLACES = ['left', 'centre', 'right'] as const;
export type HorizontalPlace = (typeof HORIZONTAL_PLACES)[number];
export const DEPTHS = ['near', 'far'] as const;
export type Depth = (typeof DEPTHS)[number];

/** Where a character stands in a panel's picture, as the panels agent asks the image model for. */
export interface Placement {
  x: HorizontalPlace;
  depth: Depth;
}

export interface ScriptLine {
  /** Null for captions and sound effects, which nobody in the picture says. */
  speaker: string | null;
  kind: LineKind;
  text: string;
}

export interface ScriptPanel {
  width: number;
  height: number;
  lines: ScriptLine[];
  /** Characters in the picture by name; a speaker missing here gets a default place. */
  placements: Record<string, Placement>;
}

export const PAGE_FORMATS = ['comic', 'webtoon', 'square'] as const;
export type PageFormat = (typeof PAGE_FORMATS)[number];
export type ReadingDirection = 'ltr' | 'rtl';

export interface LetteringScript {
  format: PageFormat;
  direction: ReadingDirection;
  /** BCP 47 language of the text (line breaking follows it); 'und' when unknown. */
  language: string;
  panels: ScriptPanel[];
  /** The co-writers' nudges of single balloons, in the order they were made (none by default). */
  nudges?: readonly BalloonNudge[];
}

/** Speakers the typed script format uses for lines no character says. */
const CAPTION_SPEAKERS = new Set(['caption', 'narrator', 'narration']);
const SOUND_SPEAKERS = new Set(['sfx', 'sound', 'fx']);

/** Kind from a typed speaker, e.g. `SFX: BLAM` or `NARRATOR: Later…`; everything else is speech. */
export function kindForSpeaker(speaker: string): LineKind {
  const name = speaker.trim().toLowerCase();
  if (CAPTION_SPEAKERS.has(name)) return 'caption';
  if (SOUND_SPEAKERS.has(name)) return 'sound';
  return 'speech';
}

const SPREAD: Record<number, HorizontalPlace[]> = {
  1: ['centre'],
  2: ['left', 'right'],
  3: ['left', 'centre', 'right'],
};

const MIRRORED: Record<HorizontalPlace, HorizontalPlace> = { left: 'right', centre: 'centre', right: 'left' };

/**
 * Default places for a panel's speakers, in order of first line: one in the centre, two facing each
 * other, three across; more share the three places, alternating near and far. The first speaker stands
 * where reading starts: on the left for a left-to-right page, on the right for a right-to-left one.
 */
export function defaultPlacements(speakers: readonly string[], direction: ReadingDirection = 'ltr'): Record<string, Placement> {
  const spread = SPREAD[Math.min(3, speakers.length)] ?? ['centre'];
  const placements: Record<string, Placement> = {};
  speakers.forEach((speaker, index) => {
    const x = spread[index % spread.length] ?? 'centre';
    placements[speaker] = { x: direction === 'rtl' ? MIRRORED[x] : x, depth: index < spread.length ? 'near' : 'far' };
  });
  return placements;
}

export interface PanelPicture {
  width: number;
  height: number;
}

/**
 * A dialogue script as written today, with its panels' picture sizes, as the letterer's input: the
 * caption first as a caption box, lines as speech (or a caption or sound effect by their speaker),
 * and default places for whoever speaks.
 */
export function letteringScriptFromDialogue(
  script: DialogueScript,
  pictures: readonly PanelPicture[],
  options: {
    format?: PageFormat;
    direction?: ReadingDirection;
    language?: string;
    placements?: readonly (Record<string, Placement> | undefined)[];
  } = {},
): LetteringScript {
  const panels = script.panels.map((panel, index): ScriptPanel => {
    const picture = pictures[index] ?? pictures.at(-1) ?? { width: 1024, height: 1024 };
    const lines: ScriptLine[] = [];
    if (panel.caption?.trim()) lines.push({ speaker: null, kind: 'caption', text: panel.caption.trim() });
    for (const line of panel.lines) {
      const kind = kindForSpeaker(line.speaker);
      lines.push({ speaker: kind === 'speech' ? line.speaker.trim() : null, kind, text: line.line.trim() });
    }
    const placements = { ...defaultPlacements(speakersOf(lines), options.direction), ...(options.placements?.[index] ?? {}) };
    return { width: picture.width, height: picture.height, lines, placements };
  });
  return { format: options.format ?? 'comic', direction: options.direction ?? 'ltr', language: options.language ?? 'und', panels };
}

/** Speakers of a panel's lines in order of their first line. */
export function speakersOf(lines: readonly ScriptLine[]): string[] {
  const seen: string[] = [];
  for (const line of lines) if (line.speaker !== null && !seen.includes(line.speaker)) seen.push(line.speaker);
  return seen;
}
