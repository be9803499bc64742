import { composeLetteredPage, decodePictures } from '../src/compositor/compose-lettered-page.js';
import { registerLetteringFonts } from '../src/compositor/fonts.js';
import type { LetteringScript } from '../src/domain/lettering/script.js';
import { drawPanelPicture } from '../test/lettering/panel-pictures.js';
import { now, row, summarize, type BenchRow } from './stats.js';

const RUNS = 40;
const WARMUP = 3;

/** A six-panel page of two speakers; each run's lines differ, so text is measured afresh. */
function sixPanelPage(run: number): LetteringScript {
  return {
    format: 'comic',
    direction: 'ltr',
    language: 'en',
    panels: Array.from({ length: 6 }, (_, i) => ({
      width: 1216,
      height: 832,
      placements: { Kai: { x: 'left', depth: 'near' }, Mira: { x: 'right', depth: 'near' } },
      lines: [
        ...(i === 0 ? [{ speaker: null, kind: 'caption' as const, text: `Morning ${run}, at the forge.` }] : []),
        { speaker: 'Kai', kind: 'speech' as const, text: `Panel ${i + 1} of run ${run}: did you hear the bell ring twice?` },
        { speaker: 'Mira', kind: i === 3 ? ('shout' as const) : ('speech' as const), text: `Only the wind, ${run} times over.` },
      ],
    })),
  };
}

/** Composing one lettered 6-panel page (decode, detail, layout, PNG, SVG) against decoding its panel PNGs alone. */
export async function benchLettering(): Promise<BenchRow[]> {
  registerLetteringFonts();
  const pictures = sixPanelPage(0).panels.map((p, i) =>
    drawPanelPicture({ width: p.width, height: p.height, seed: `bench-${i}`, placements: Object.values(p.placements) }),
  );
  const compose: number[] = [];
  const decode: number[] = [];
  for (let run = 0; run < RUNS + WARMUP; run += 1) {
    const t0 = now();
    await decodePictures(pictures);
    const t1 = now();
    // Panels linked by address, as the compose-page job links them to the image API.
    const page = await composeLetteredPage(sixPanelPage(run), pictures, { panelHref: (i) => `/api/images/panel-${i}` });
    const t2 = now();
    if (page.page.problems.length > 0 || page.png.length === 0) throw new Error('the bench page did not letter cleanly');
    if (run >= WARMUP) {
      decode.push(t1 - t0);
      compose.push(t2 - t1);
    }
  }
  return [
    row(
      'compose a lettered 6-panel page (layout + PNG + SVG)',
      'ms',
      summarize(compose),
      { name: 'decode its 6 panel PNGs', value: summarize(decode) },
      '≤ 150 ms median',
    ),
  ];
}
