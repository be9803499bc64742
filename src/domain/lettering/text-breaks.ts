// Where a line of text may break: between words for spaced scripts (Intl.Segmenter), between
// characters for Chinese and Japanese with basic kinsoku (no line starts with 、。」 or ends with 「),
// between words for Thai, never inside a word. Pure.

/** An unbreakable run of text; `space` is the whitespace before it, dropped at a line's start. */
export interface TextChunk {
  space: string;
  text: string;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;
const NO_SPACE_WORDS = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** Kinsoku: characters a line may not start with. */
const NO_START = new Set([
  ...'、。，．・：；？！゛゜ヽヾゝゞ々ー）〕］｝〉》」』】〙〗〟’”｠»ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ…‥,.!?:;)]}%',
]);
/** Kinsoku: characters a line may not end with. */
const NO_END = new Set([...'（〔［｛〈《「『【〘〖〝‘“｟«([{']);

const segmenters = new Map<string, Intl.Segmenter>();
function segmenter(language: string, granularity: 'word' | 'grapheme'): Intl.Segmenter {
  const key = `${language}/${granularity}`;
  let found = segmenters.get(key);
  if (!found) {
    found = new Intl.Segmenter(language === 'und' ? undefined : language, { granularity });
    segmenters.set(key, found);
  }
  return found;
}

/** Splits text into the pieces a line may break between. */
export function breakText(text: string, language = 'und'): TextChunk[] {
  const chunks: TextChunk[] = [];
  let space = '';
  let glueNext = false;
  const push = (piece: string, canBreakBefore: boolean) => {
    const last = chunks.at(-1);
    const first = [...piece][0] ?? '';
    if (last && space === '' && (glueNext || !canBreakBefore || NO_START.has(first))) last.text += piece;
    else chunks.push({ space, text: piece });
    space = '';
    const lastChar = [...piece].at(-1) ?? '';
    glueNext = NO_END.has(lastChar);
  };
  for (const { segment, isWordLike } of segmenter(language, 'word').segment(text)) {
    if (/^\s+$/u.test(segment)) {
      space = chunks.length > 0 ? ' ' : '';
      glueNext = false;
      continue;
    }
    if (CJK.test(segment)) {
      for (const { segment: character } of segmenter(language, 'grapheme').segment(segment)) push(character, CJK.test(character));
      continue;
    }
    const previous = chunks.at(-1)?.text ?? '';
    const afterCjk = CJK.test([...previous].at(-1) ?? '');
    const thaiPair = isWordLike === true && NO_SPACE_WORDS.test(segment) && NO_SPACE_WORDS.test(previous);
    const afterHyphen = isWordLike === true && /[-\u2010]$/u.test(previous);
    push(segment, isWordLike === true && (afterCjk || thaiPair || afterHyphen));
  }
  return chunks;
}

export interface WrapResult {
  lines: string[];
  /** The widest line's width. */
  width: number;
  /** A chunk wider than the width on its own: the text cannot be set at this size without cutting a word. */
  tooWide: boolean;
}

/**
 * Greedy wrapping: each line takes chunks while it stays within `maxWidth`. A line's width is the sum
 * of its chunks' and spaces' widths, so each word is measured once whatever the size or width tried.
 */
export function wrapChunks(chunks: readonly TextChunk[], maxWidth: number, widthOf: (text: string) => number): WrapResult {
  const space = widthOf(' ');
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  let width = 0;
  let tooWide = false;
  for (const chunk of chunks) {
    const w = widthOf(chunk.text);
    const joined = lineWidth + (chunk.space === '' ? 0 : space) + w;
    if (line !== '' && joined <= maxWidth) {
      line += chunk.space + chunk.text;
      lineWidth = joined;
    } else {
      if (line !== '') lines.push(line);
      line = chunk.text;
      lineWidth = w;
      if (w > maxWidth) tooWide = true;
    }
    width = Math.max(width, lineWidth);
  }
  if (line !== '') lines.push(line);
  return { lines, width, tooWide };
}
