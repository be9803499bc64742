import {
  LINE_KINDS,
  type LetteringScript,
  type LineKind,
  type PageFormat,
  type Placement,
  type ReadingDirection,
  type ScriptLine,
  type ScriptPanel,
} from '../../src/domain/lettering/script.js';

// The golden set: scripted pages covering 1 to 12 panels, long lines, a crowded panel, every kind of
// line, joined lines, Japanese (left-to-right and manga right-to-left), Arabic, Hebrew, Cyrillic,
// Devanagari, the three page formats, and a line too long to letter.

type Shape = 'portrait' | 'square' | 'landscape' | 'wide' | 'tall';
const SIZES: Record<Shape, [number, number]> = {
  portrait: [832, 1216],
  square: [1024, 1024],
  landscape: [1216, 832],
  wide: [1344, 768],
  tall: [768, 1344],
};

/** `who` like "Kai:left/near Mira:right/far"; lines like "Kai: text", "Kai (shout): text", "(caption): text". */
function panel(shape: Shape, who: string, ...lines: string[]): ScriptPanel {
  const [width, height] = SIZES[shape];
  const placements: Record<string, Placement> = {};
  for (const entry of who.split(' ').filter(Boolean)) {
    const [name, place] = entry.split(':') as [string, string];
    const [x, depth] = place.split('/') as [Placement['x'], Placement['depth']];
    placements[name.replace(/_/g, ' ')] = { x, depth };
  }
  return { width, height, placements, lines: lines.map(parseLine) };
}

function parseLine(line: string): ScriptLine {
  const colon = line.indexOf(': ');
  const head = line.slice(0, colon);
  const text = line.slice(colon + 2);
  const kindMatch = /\((\w+)\)$/.exec(head);
  const kind = (kindMatch?.[1] ?? 'speech') as LineKind;
  if (!LINE_KINDS.includes(kind)) throw new Error(`unknown kind in ${line}`);
  const speaker = head.replace(/\s*\(\w+\)$/, '').trim();
  return { speaker: speaker === '' ? null : speaker, kind, text };
}

const page = (
  panels: ScriptPanel[],
  options: { format?: PageFormat; direction?: ReadingDirection; language?: string } = {},
): LetteringScript => ({
  format: options.format ?? 'comic',
  direction: options.direction ?? 'ltr',
  language: options.language ?? 'en',
  panels,
});

const KM = 'Kai:left/near Mira:right/near';
const talk = (n: number, shape: Shape = 'landscape'): ScriptPanel[] =>
  Array.from({ length: n }, (_, i) => panel(shape, KM, `Kai: Panel ${i + 1}, and the road keeps going.`, `Mira: Then we keep walking.`));

export const GOLDEN_PAGES: Record<string, LetteringScript> = {
  'one-panel': page([panel('portrait', 'Kai:centre/near', 'Kai: This is where it starts.')]),
  'two-panels': page([
    panel('wide', KM, 'Kai: Did you hear that?', 'Mira: Only the wind.'),
    panel('wide', 'Mira:centre/near', 'Mira (whisper): It was not the wind.'),
  ]),
  'three-panels-caption': page([
    panel('wide', 'Kai:left/far', '(caption): The forge, an hour before dawn.', 'Kai: Nobody comes here this early.'),
    panel('portrait', 'Mira:right/near', 'Mira: Nobody but me.'),
    panel('portrait', 'Kai:left/near', 'Kai (thought): How long has she been watching?'),
  ]),
  'every-kind': page([
    panel(
      'landscape',
      'Kai:left/near Mira:right/near',
      '(caption): Later, on the bridge.',
      'Kai: We cross at midnight.',
      'Mira (thought): If the bridge holds.',
    ),
    panel('landscape', 'Mira:centre/far', 'Mira (whisper): Someone is following us.'),
    panel('landscape', 'Kai:left/near', '(sound): KRAKOOM!', 'Kai (shout): DOWN! GET DOWN!'),
    panel('landscape', 'Kai:left/far Mira:right/near', 'Mira: The bridge… it is gone.', 'Kai: Then we swim.'),
  ]),
  'five-mixed-shapes': page([
    panel('wide', KM, 'Kai: The map ends here.', 'Mira: Maps lie.'),
    panel('tall', 'Kai:centre/near', 'Kai: Then what do we follow?'),
    panel('square', 'Mira:centre/near', 'Mira: The river.'),
    panel('portrait', 'Kai:right/far', 'Kai (thought): She always knows.'),
    panel('wide', KM, '(caption): They followed the river north.'),
  ]),
  'six-panels': page(talk(6)),
  'seven-panels': page(talk(7, 'square')),
  'eight-panels': page(talk(8, 'portrait')),
  'nine-panels': page(talk(9, 'square')),
  'ten-panels': page(talk(10)),
  'eleven-panels': page(talk(11, 'portrait')),
  'twelve-panels': page(
    Array.from({ length: 12 }, (_, i) =>
      panel('square', 'Kai:centre/near', i % 3 === 2 ? `(sound): TOK` : `Kai: ${['Left.', 'Right.', 'Again.', 'Faster!'][i % 4]}`),
    ),
  ),
  'long-lines': page([
    panel(
      'landscape',
      KM,
      'Kai: I have walked this road every morning for eleven years, carrying iron to the forge and coal back to the village, and not once has the gate been open before the bell.',
      'Mira: Then today is the first day of something, and you should be glad you were here to see it instead of complaining about the gate.',
    ),
    panel(
      'portrait',
      'Kai:centre/near',
      'Kai: Incomprehensibilities notwithstanding, the blacksmith’s apprenticeship requires considerable perseverance.',
    ),
  ]),
  'crowded-panel': page([
    panel(
      'wide',
      'Kai:left/near Mira:centre/near Oren:right/near Tess:left/far Bram:right/far',
      'Kai: Everyone here?',
      'Mira: Yes.',
      'Oren: Barely.',
      'Tess: I brought the rope.',
      'Bram: And I the lamp.',
      'Kai: Then we go.',
    ),
  ]),
  'joined-lines': page([
    panel('landscape', KM, 'Kai: Wait.', 'Kai: Listen to me.', 'Kai: Just this once.', 'Mira: Fine.'),
    panel('landscape', KM, 'Mira: Talk.', 'Kai: The letter was mine.', 'Mira: I know.', 'Mira: I always knew.'),
  ]),
  japanese: page(
    [
      panel(
        'landscape',
        'カイ:left/near ミラ:right/near',
        'カイ: 川がこんなに静かなのは初めてだ。',
        'ミラ: 嵐の前の静けさ、というやつね。',
      ),
      panel('portrait', 'カイ:centre/near', 'カイ (shout): 伏せろ！'),
      panel('portrait', 'ミラ:centre/far', 'ミラ (thought): 「また」始まるのかしら……'),
    ],
    { language: 'ja' },
  ),
  'manga-rtl': page(
    [
      panel('portrait', 'カイ:right/near', '(caption): 三日後。', 'カイ: おい、起きろ。朝だぞ。'),
      panel('portrait', 'ミラ:left/near', 'ミラ: あと五分だけ……'),
      panel('wide', 'カイ:right/near ミラ:left/near', 'カイ: 五分前にもそう言った。', 'ミラ: 言ってない。', '(sound): ドン'),
    ],
    { direction: 'rtl', language: 'ja' },
  ),
  arabic: page(
    [
      panel('landscape', 'كاي:right/near ميرا:left/near', 'كاي: مرحبا بالعالم، هل سمعت ذلك؟', 'ميرا: إنها الريح فقط.'),
      panel('landscape', 'كاي:centre/near', 'كاي (thought): لا أظن أنها الريح.'),
    ],
    { direction: 'rtl', language: 'ar' },
  ),
  hebrew: page([panel('square', 'קאי:right/near מירה:left/near', 'קאי: שלום, מה שלומך?', 'מירה: טוב מאוד, תודה.')], {
    direction: 'rtl',
    language: 'he',
  }),
  cyrillic: page(
    [
      panel('landscape', 'Кай:left/near Мира:right/near', 'Кай: Ты слышала это?', 'Мира: Только ветер, Кай.'),
      panel('portrait', 'Мира:centre/near', 'Мира (whisper): Это был не ветер.'),
    ],
    { language: 'ru' },
  ),
  devanagari: page([panel('landscape', 'काई:left/near मीरा:right/near', 'काई: नमस्ते दुनिया, क्या तुमने सुना?', 'मीरा: सिर्फ हवा है।')], {
    language: 'hi',
  }),
  webtoon: page(
    [
      panel('portrait', 'Kai:centre/near', '(caption): Episode 1', 'Kai: Scroll down. Slowly.'),
      panel('square', 'Mira:left/near', 'Mira: Why slowly?'),
      panel('portrait', 'Kai:right/near', '(sound): WHOOSH', 'Kai (shout): THAT’S WHY!'),
    ],
    { format: 'webtoon' },
  ),
  'square-page': page(
    [
      panel('square', KM, 'Kai: Four corners.', 'Mira: One room.'),
      panel('square', 'Kai:centre/near', 'Kai: No way out.'),
      panel('wide', KM, 'Mira: There is always a way out.'),
    ],
    { format: 'square' },
  ),
  'too-long': page([
    panel(
      'square',
      KM,
      'Kai: Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft!',
      'Mira: But this one letters fine.',
    ),
    panel('square', 'Mira:centre/near', `Mira: ${'And then it went on and on, '.repeat(30)}the end.`),
    panel('square', 'Kai:left/near', 'Kai: What?'),
    panel('square', 'Mira:right/near', 'Mira: Never mind.'),
  ]),
};

/** Pages where lines are expected to be flagged, and which. */
export const EXPECTED_PROBLEMS: Record<string, { panel: number; line: number; problem: 'too-long' | 'no-room' }[]> = {
  'too-long': [
    { panel: 0, line: 0, problem: 'too-long' },
    { panel: 1, line: 0, problem: 'no-room' },
  ],
};
