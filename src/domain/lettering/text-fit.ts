import { breakText, wrapChunks, type TextChunk, type WrapResult } from './text-breaks.js';
import type { LineKind } from './script.js';

// The text of a balloon set at a given size: wrapped to a pleasant shape no wider than allowed, the
// paragraphs of one speaker's joined lines set apart. Text is measured by the function the compositor
// passes in, with the font and shaper that will draw it, so the layout stays pure.

/** Width in pixels of `text` set in the font for `kind` at `size` pixels ('' is 0 wide). */
export type MeasureText = (text: string, kind: LineKind, size: number) => number;

export const LINE_HEIGHT = 1.18;
const PARAGRAPH_GAP = 0.45;
/** Text blocks aim for this width-to-height ratio before they must grow taller. */
const BLOCK_ASPECT = 3.4;

export interface SetText {
  size: number;
  /** Lines of each paragraph. */
  paragraphs: string[][];
  width: number;
  height: number;
}

export function textHeight(paragraphs: readonly string[][], size: number): number {
  const lines = paragraphs.reduce((sum, p) => sum + p.length, 0);
  return size * (LINE_HEIGHT * lines + PARAGRAPH_GAP * Math.max(0, paragraphs.length - 1));
}

const chunkCache = new Map<string, TextChunk[]>();
function chunksOf(text: string, language: string): TextChunk[] {
  const key = `${language}\u0000${text}`;
  let chunks = chunkCache.get(key);
  if (!chunks) {
    chunks = breakText(text, language);
    if (chunkCache.size > 2000) chunkCache.clear();
    chunkCache.set(key, chunks);
  }
  return chunks;
}

/**
 * The paragraphs set at `size` within `maxWidth` × `maxHeight`, or null when they do not fit (a word
 * wider than the box, or too many lines). Lines aim for a block about BLOCK_ASPECT wide, as lettered
 * balloons are, and use the full width only when the height needs it.
 */
export function setTextAt(
  paragraphs: readonly string[],
  kind: LineKind,
  size: number,
  box: { maxWidth: number; maxHeight: number },
  measure: MeasureText,
  language: string,
): SetText | null {
  const measureAt = (text: string) => measure(text, kind, size);
  const natural = paragraphs.reduce(
    (sum, p) => sum + chunksOf(p, language).reduce((w, chunk) => w + measureAt(chunk.space) + measureAt(chunk.text), 0),
    0,
  );
  const lineHeight = size * LINE_HEIGHT;
  const target = Math.min(box.maxWidth, Math.max(size * 4, Math.sqrt(natural * lineHeight * BLOCK_ASPECT)));
  for (const width of target < box.maxWidth ? [target, box.maxWidth] : [box.maxWidth]) {
    let wrapped = paragraphs.map((p) => wrapChunks(chunksOf(p, language), width, measureAt));
    if (wrapped.some((w) => w.tooWide)) continue;
    wrapped = wrapped.map((w, i) => balance(chunksOf(paragraphs[i] ?? '', language), w, measureAt));
    const set = wrapped.map((w) => w.lines);
    const height = textHeight(set, size);
    if (height <= box.maxHeight) return { size, paragraphs: set, width: Math.max(...wrapped.map((w) => w.width)), height };
  }
  return null;
}

/**
 * The narrowest width that keeps the same number of lines, so the lines come out even ("The bridge… /
 * it is gone." rather than "The bridge… it is / gone.") and a balloon holds no orphaned last word.
 */
function balance(chunks: readonly TextChunk[], wrapped: WrapResult, measureAt: (text: string) => number): WrapResult {
  if (wrapped.lines.length < 2) return wrapped;
  let best = wrapped;
  let low = wrapped.width / wrapped.lines.length;
  let high = wrapped.width;
  for (let step = 0; step < 10 && high - low > 1; step += 1) {
    const mid = (low + high) / 2;
    const tried = wrapChunks(chunks, mid, measureAt);
    if (!tried.tooWide && tried.lines.length <= wrapped.lines.length) {
      best = tried;
      high = mid;
    } else low = mid;
  }
  return best;
}

/** Whether the text can be set at all at `size`: no word wider than the widest box allowed. */
export function wordsFitAt(
  paragraphs: readonly string[],
  kind: LineKind,
  size: number,
  maxWidth: number,
  measure: MeasureText,
  language: string,
): boolean {
  return paragraphs.every((p) => chunksOf(p, language).every((chunk) => measure(chunk.text, kind, size) <= maxWidth));
}
