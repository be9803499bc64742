// Which reference images a panel is drawn with. The panels agent names the characters a panel shows
// (in its order); each is matched to a bible character by the entry's title or one of its keywords
// (its aliases), whatever the case. Each matched character fills one slot of the workflow with its
// first listed reference image; the story's style reference, when there is one, goes to the style
// slot. Characters past the workflow's slots are left out (the first ones are drawn with references).

export const MAX_REFERENCES_PER_CHARACTER = 4;

/** One slot of one render: recorded on the render row, so a retry and the export repeat it. */
export interface RenderReference {
  /** 0-based character slot, or 'style'. */
  slot: number | 'style';
  /** The character's name as the bible writes it; '' for the style reference. */
  character: string;
  referenceId: number;
  imageHash: string;
}

export interface BibleCharacter {
  title: string;
  keywords: readonly string[];
}

export interface AvailableReference {
  id: number;
  /** The bible title, lower-cased; '' for the style reference. */
  characterKey: string;
  imageHash: string;
}

const key = (text: string) => text.trim().toLowerCase();

/** The bible character a name in a panel means (title first, then aliases), or null. */
export function matchCharacter(name: string, characters: readonly BibleCharacter[]): BibleCharacter | null {
  const wanted = key(name);
  if (wanted === '') return null;
  return (
    characters.find((c) => key(c.title) === wanted) ?? characters.find((c) => c.keywords.some((alias) => key(alias) === wanted)) ?? null
  );
}

/**
 * The references of one panel, slot by slot: its characters in order, each once, those with a
 * reference filling the slots from 0; the style reference in the style slot when the workflow has one.
 * `references` are in listing order (the first of a character is the one drawn with).
 */
export function chooseRenderReferences(options: {
  panelCharacters: readonly string[];
  bible: readonly BibleCharacter[];
  references: readonly AvailableReference[];
  slots: number;
  styleSlot: boolean;
}): RenderReference[] {
  const chosen: RenderReference[] = [];
  const used = new Set<string>();
  for (const name of options.panelCharacters) {
    if (chosen.length >= options.slots) break;
    const character = matchCharacter(name, options.bible);
    if (!character || used.has(key(character.title))) continue;
    used.add(key(character.title));
    const reference = options.references.find((r) => r.characterKey === key(character.title));
    if (reference)
      chosen.push({ slot: chosen.length, character: character.title, referenceId: reference.id, imageHash: reference.imageHash });
  }
  const style = options.styleSlot ? options.references.find((r) => r.characterKey === '') : undefined;
  if (style) chosen.push({ slot: 'style', character: '', referenceId: style.id, imageHash: style.imageHash });
  return chosen;
}

/** "Kai, Mira and the style reference": what a panel was drawn with, for the panels message and the reader. */
export function describeReferences(references: readonly RenderReference[]): string {
  const names = references.map((r) => (r.slot === 'style' ? 'the style reference' : r.character));
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}
