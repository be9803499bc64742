import { measureText } from '../../src/compositor/fonts.js';
import { readsAfter } from '../../src/domain/lettering/balloon-placement.js';
import { contains, containsPoint, overlaps } from '../../src/domain/lettering/geometry.js';
import type { LetteredPage } from '../../src/domain/lettering/letter-page.js';
import { PAGE_GEOMETRY } from '../../src/domain/lettering/page-layout.js';
import { placeInFrame } from '../../src/domain/lettering/panel-places.js';
import type { LetteringScript } from '../../src/domain/lettering/script.js';

/**
 * What a lettered page must keep, each broken rule as a sentence: balloons inside their panels and
 * clear of each other, tails ending in their speaker's place, balloons in reading order, every line's
 * text inside its balloon at or above the minimum size, and every line lettered or flagged.
 */
export function checkLetteredPage(script: LetteringScript, page: LetteredPage): string[] {
  const broken: string[] = [];
  const min = PAGE_GEOMETRY[script.format].font.min;
  page.balloons.forEach((b, i) => {
    const name = `balloon ${i} (panel ${b.panel + 1}, line ${(b.lines[0] ?? 0) + 1})`;
    const slot = page.panels[b.panel];
    const panel = script.panels[b.panel];
    if (!slot || !panel) return void broken.push(`${name}: no such panel`);
    if (!contains(slot.frame, b.box)) broken.push(`${name} leaves its panel`);
    if (b.fontSize < min) broken.push(`${name} is set at ${b.fontSize}px, under the minimum ${min}px`);
    if (b.tip) {
      const placement = b.speaker === null ? undefined : panel.placements[b.speaker];
      if (!placement) broken.push(`${name} has a tail but its speaker has no place`);
      else if (!containsPoint(placeInFrame(panel, slot.frame, slot.crop, placement), b.tip))
        broken.push(`${name}'s tail ends outside ${b.speaker ?? ''}'s place`);
      if (!containsPoint(slot.frame, b.tip)) broken.push(`${name}'s tail leaves its panel`);
    } else if (b.speaker !== null && (b.kind === 'speech' || b.kind === 'shout' || b.kind === 'whisper' || b.kind === 'thought'))
      broken.push(`${name} has no tail`);
    for (const line of b.text) {
      const width = measureText(line.text, b.kind, b.fontSize);
      const inside =
        line.x - width / 2 >= b.box.x &&
        line.x + width / 2 <= b.box.x + b.box.width &&
        line.y - b.fontSize * 0.8 >= b.box.y &&
        line.y + b.fontSize * 0.25 <= b.box.y + b.box.height;
      if (!inside) broken.push(`${name}: "${line.text}" overflows its balloon`);
    }
    page.balloons.slice(i + 1).forEach((other, j) => {
      if (other.panel === b.panel && overlaps(b.box, other.box)) broken.push(`${name} overlaps balloon ${i + 1 + j}`);
    });
  });
  page.panels.forEach((_, p) => {
    const inOrder = page.balloons.filter((b) => b.panel === p && b.kind !== 'sound');
    inOrder.forEach((b, k) => {
      const next = inOrder[k + 1];
      if (next && (next.lines[0] ?? 0) < (b.lines[0] ?? 0)) broken.push(`panel ${p + 1}: balloons out of script order`);
      if (next && !readsAfter(b.box, next.box, page.direction))
        broken.push(`panel ${p + 1}: line ${(next.lines[0] ?? 0) + 1}'s balloon reads before line ${(b.lines[0] ?? 0) + 1}'s`);
    });
    script.panels[p]?.lines.forEach((_, line) => {
      const lettered = page.balloons.filter((b) => b.panel === p && b.lines.includes(line)).length;
      const flagged = page.problems.filter((x) => x.panel === p && x.line === line).length;
      if (lettered + flagged !== 1)
        broken.push(`panel ${p + 1}, line ${line + 1}: lettered ${lettered} times and flagged ${flagged} times`);
    });
  });
  return broken;
}
