// Word-level diff of two texts, for /page diff. Pure.
//
// Texts are cut into tokens (runs of non-space and runs of space), the common prefix and suffix are
// set aside, and the middle is diffed with Myers' O(ND) algorithm over the word tokens. Two very
// different long texts fall back to "all removed, all added" rather than using unbounded time.

import { escapeDiscordMarkdown } from './markdown-escape.js';

export type DiffOp = 'same' | 'added' | 'removed';
export interface DiffPart {
  op: DiffOp;
  text: string;
}

/**
 * Beyond this many edit steps the middle is reported as replaced whole. The trace keeps 2d+1 cells per
 * step, so the cap bounds memory at about (cap + 1)² ≈ 1M cells.
 */
const MAX_EDIT_DISTANCE = 1_000;
/**
 * The most diagonal moves and token comparisons one diff may take (a few milliseconds): /page diff runs
 * on the bot's event loop, where two long, very different drafts once took 0.6 s.
 */
export const DIFF_STEP_LIMIT = 2_000_000;

function tokenize(text: string): string[] {
  return text.match(/\s+|\S+/g) ?? [];
}

/** Furthest x reached on diagonal k after d edits, read from the row of step d (indexed k + d). */
const furthest = (row: Int32Array | undefined, d: number, k: number) => row?.[k + d] ?? 0;

/** Whether step d reached diagonal k by an insertion (down from k + 1) rather than a deletion. */
const cameDown = (previous: Int32Array | undefined, d: number, k: number) =>
  k === -d || (k !== d && furthest(previous, d - 1, k - 1) < furthest(previous, d - 1, k + 1));

/** Myers' shortest edit script between token lists; null past the edit cap or the step budget. */
function myers(a: readonly string[], b: readonly string[], budget: { steps: number }): DiffPart[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d += 1) {
    const previous = trace[d - 1];
    const row = new Int32Array(2 * d + 1);
    trace.push(row);
    for (let k = -d; k <= d; k += 2) {
      let x = d === 0 ? 0 : cameDown(previous, d, k) ? furthest(previous, d - 1, k + 1) : furthest(previous, d - 1, k - 1) + 1;
      let y = x - k;
      const from = x;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      budget.steps += 1 + x - from;
      if (budget.steps > DIFF_STEP_LIMIT) return null;
      row[k + d] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d);
    }
  }
  return null;
}

function backtrack(trace: readonly Int32Array[], a: readonly string[], b: readonly string[], steps: number): DiffPart[] {
  const parts: DiffPart[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = steps; d > 0; d -= 1) {
    const previous = trace[d - 1];
    const k = x - y;
    const down = cameDown(previous, d, k);
    const prevK = down ? k + 1 : k - 1;
    const prevX = furthest(previous, d - 1, prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      parts.push({ op: 'same', text: a[x - 1] ?? '' });
      x -= 1;
      y -= 1;
    }
    if (down) parts.push({ op: 'added', text: b[prevY] ?? '' });
    else parts.push({ op: 'removed', text: a[prevX] ?? '' });
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    parts.push({ op: 'same', text: a[x - 1] ?? '' });
    x -= 1;
    y -= 1;
  }
  return parts.reverse();
}

function merge(parts: DiffPart[]): DiffPart[] {
  const merged: DiffPart[] = [];
  for (const part of parts) {
    if (part.text === '') continue;
    const last = merged.at(-1);
    if (last && last.op === part.op) last.text += part.text;
    else merged.push({ ...part });
  }
  return merged;
}

export function diffWords(before: string, after: string): DiffPart[] {
  return diffWordsBounded(before, after).parts;
}

/**
 * The word diff, and whether it is exact: past the step budget the changed middle is given as removed
 * whole and added whole (`exact: false`), and the caller says so rather than showing it as an edit.
 */
export function diffWordsBounded(before: string, after: string): { parts: DiffPart[]; exact: boolean; steps: number } {
  const a = tokenize(before);
  const b = tokenize(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  const budget = { steps: start + (a.length - endA) };
  const exact = myers(middleA, middleB, budget);
  const middle = exact ?? [
    { op: 'removed' as const, text: middleA.join('') },
    { op: 'added' as const, text: middleB.join('') },
  ];
  const parts = coalesce(
    merge([{ op: 'same', text: a.slice(0, start).join('') }, ...middle, { op: 'same', text: a.slice(endA).join('') }]),
  );
  return { parts, exact: exact !== null, steps: budget.steps };
}

/**
 * Reads as people edit: word-by-word alternation ("~~Kai~~ **Rain** ~~works~~ **drums**") becomes one
 * removed run and one added run, by giving a bare space between two changes to both sides.
 */
function coalesce(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let removed = '';
  let added = '';
  const flush = () => {
    if (removed) out.push({ op: 'removed', text: removed });
    if (added) out.push({ op: 'added', text: added });
    removed = '';
    added = '';
  };
  parts.forEach((part, index) => {
    if (part.op === 'removed') removed += part.text;
    else if (part.op === 'added') added += part.text;
    else if ((removed || added) && /^[ \t]+$/.test(part.text) && parts[index + 1] !== undefined && parts[index + 1]?.op !== 'same') {
      removed += part.text;
      added += part.text;
    } else {
      flush();
      out.push(part);
    }
  });
  flush();
  return merge(out);
}

const countWords = (text: string) => (text.match(/\S+/g) ?? []).length;

export function diffStats(parts: readonly DiffPart[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const part of parts) {
    if (part.op === 'added') added += countWords(part.text);
    if (part.op === 'removed') removed += countWords(part.text);
  }
  return { added, removed };
}

/**
 * Markdown escaped, headings and list markers too: an unchanged run may start a line of the narration,
 * and a heading or list there would split a struck or bold run around it.
 */
const escapeText = (text: string) => escapeDiscordMarkdown(text, { lineStarts: true });

/**
 * Marks a changed run, keeping its outer whitespace outside the markers (Discord ignores `** word**`).
 * By trimming, not a pattern: `^(\s*)([\s\S]*?)(\s*)$` backtracks on every space of a long run.
 */
function mark(text: string, marker: string): string {
  const core = text.trim();
  if (!core) return text;
  const lead = text.slice(0, text.length - text.trimStart().length);
  const trail = text.slice(text.trimEnd().length);
  return `${lead}${marker}${escapeText(core)}${marker}${trail}`;
}

const TRUNCATED = '\n…(diff truncated)';

/** A cut may end between a backslash and the character it escapes: an odd run of trailing backslashes loses one. */
function dropDanglingEscape(text: string): string {
  let trailing = 0;
  while (text[text.length - 1 - trailing] === '\\') trailing += 1;
  return trailing % 2 === 1 ? text.slice(0, -1) : text;
}

/** Discord markdown: removed words ~~struck~~, added words **bold**; cut at a part boundary to fit. */
export function renderDiffMarkdown(parts: readonly DiffPart[], maxLength: number): string {
  const pieces: { op: DiffOp; text: string }[] = [];
  let length = 0;
  for (const part of parts) {
    if (length > maxLength) break;
    // Escaping never shortens text, so nothing past the limit is escaped: /page diff runs on the bot's event loop.
    const text = part.text.slice(0, maxLength - length + 1);
    const piece = { op: part.op, text: part.op === 'same' ? escapeText(text) : mark(text, part.op === 'added' ? '**' : '~~') };
    pieces.push(piece);
    length += piece.text.length;
  }
  const whole = pieces.map((p) => p.text).join('');
  if (whole.length <= maxLength) return whole;
  const room = Math.max(0, maxLength - TRUNCATED.length);
  let out = '';
  for (const piece of pieces) {
    if (out.length + piece.text.length > room) {
      // A long unchanged run may be cut inside (never after a lone escape); a marked run is kept whole or left out.
      if (piece.op === 'same') out += dropDanglingEscape(piece.text.slice(0, room - out.length));
      break;
    }
    out += piece.text;
  }
  return `${out}${TRUNCATED}`.slice(0, maxLength);
}
