import type { LetteringScript } from '../../src/domain/lettering/script.js';
import { drawPanelPicture } from './panel-pictures.js';

/** The pictures of a golden page, drawn from its name and each panel's characters. */
export function pagePictures(name: string, script: LetteringScript): Buffer[] {
  return script.panels.map((p, i) =>
    drawPanelPicture({ width: p.width, height: p.height, seed: `${name}-${i}`, placements: Object.values(p.placements) }),
  );
}
