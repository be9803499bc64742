import { ComponentType, type APIActionRowComponent, type APIStringSelectComponent } from 'discord-api-types/v10';
import type { Point } from '../domain/lettering/geometry.js';
import type { LetteredPage } from '../domain/lettering/letter-page.js';
import { nudgeOptions } from '../domain/lettering/nudges.js';
import type { LineKind } from '../domain/lettering/script.js';
import { encodeCustomId } from './custom-id.js';
import { fitText } from './message-parts.js';

// The Nudge selects of a "Page N · Lettered" message. Discord allows five action rows and a select
// fills one alone, so with Re-letter and Approve in the fifth, four selects fit: a page of up to four
// balloons gets one per balloon; a page of more gets "Nudge a balloon…" selects (25 balloons each) whose
// choice answers, privately, with that balloon's nudge select.

export interface BalloonSummary {
  panel: number;
  lines: number[];
  kind: LineKind;
  speaker: string | null;
  tip: Point | null;
  words: string;
}

/** The balloons of a lettered layout as the selects name them. */
export function balloonSummaries(layout: Pick<LetteredPage, 'balloons'>): BalloonSummary[] {
  return layout.balloons.map((b) => ({
    panel: b.panel,
    lines: b.lines,
    kind: b.kind,
    speaker: b.speaker,
    tip: b.tip,
    words: b.text.map((t) => t.text).join(' '),
  }));
}

const SELECT_ROWS = 4;
const PER_SELECT = 25;

type SelectRow = APIActionRowComponent<APIStringSelectComponent>;

const row = (select: APIStringSelectComponent): SelectRow => ({ type: ComponentType.ActionRow, components: [select] });

/** "Balloon 2 · panel 1 · Kai" (a caption or sound effect by its kind). */
function balloonName(balloon: BalloonSummary, index: number): string {
  const who = balloon.speaker ?? (balloon.kind === 'sound' ? 'sound effect' : 'caption');
  return fitText(`Balloon ${index + 1} · panel ${balloon.panel + 1} · ${who}`, 100);
}

/** One balloon's nudges: a select whose options are what this balloon offers. */
export function nudgeSelect(letteredId: number, balloon: BalloonSummary, index: number): SelectRow {
  return row({
    type: ComponentType.StringSelect,
    custom_id: encodeCustomId({ action: 'nudge', letteredId, balloon: index }),
    placeholder: fitText(`Nudge ${balloonName(balloon, index)}: “${balloon.words}”`, 150),
    options: nudgeOptions(balloon).map((option) => ({ label: option.label, value: option.change })),
  });
}

export function balloonSelects(letteredId: number, balloons: readonly BalloonSummary[]): SelectRow[] {
  if (balloons.length <= SELECT_ROWS) return balloons.map((balloon, index) => nudgeSelect(letteredId, balloon, index));
  const groups = Math.min(SELECT_ROWS, Math.ceil(balloons.length / PER_SELECT));
  return Array.from({ length: groups }, (_, group) => {
    const first = group * PER_SELECT;
    const chosen = balloons.slice(first, first + PER_SELECT);
    return row({
      type: ComponentType.StringSelect,
      custom_id: encodeCustomId({ action: 'nudgepick', letteredId, group }),
      placeholder: `Nudge a balloon… (${first + 1}–${first + chosen.length} of ${balloons.length})`,
      options: chosen.map((balloon, k) => ({
        label: balloonName(balloon, first + k),
        value: String(first + k),
        description: fitText(balloon.words || '—', 100),
      })),
    });
  });
}
