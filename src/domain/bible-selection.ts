// Which story bible entries a prompt takes, within the bible's share of the budget, and their order.

import type { BibleEntryType } from './bible-entry.js';
import { materialBlock as block } from './material-block.js';

export type CountTokens = (text: string) => number;

/** A bible entry as a prompt sees it. */
export interface BibleEntry {
  title: string;
  type: BibleEntryType;
  body: string;
  /** Words that call the entry into a prompt (its title always does). */
  keywords: readonly string[];
  /** Higher first when the budget cannot take every entry. */
  priority: number;
  /** In every prompt, budget permitting, whatever the page is about. */
  alwaysInclude: boolean;
  /** Token count when known (stored when the entry was added); counted here otherwise. */
  tokens: number | null;
}

/** Tokens for each join between blocks of a prompt. */
export const PER_PIECE = 3;
const TYPE_ORDER: BibleEntry['type'][] = ['style', 'rule', 'character', 'location', 'reference'];

// Code-unit order, not localeCompare: the same bible must serialise the same way on every machine.
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Title, then body: two entries sharing a title still sort the same whatever order they arrive in. */
const byTitle = (a: BibleEntry, b: BibleEntry) => compareText(a.title, b.title) || compareText(a.body, b.body);

/** Canonical order: by type (style, rule, character, location, reference), then title. */
export function sortBible(bible: readonly BibleEntry[]): BibleEntry[] {
  return [...bible].sort((a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || byTitle(a, b));
}

const byPriority = (a: BibleEntry, b: BibleEntry) => b.priority - a.priority || byTitle(a, b);
export const renderEntry = (entry: BibleEntry) => block(`${entry.type}: ${entry.title}`, entry.body);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function callsUp(entry: BibleEntry, text: string): boolean {
  return [entry.title, ...entry.keywords].some((word) => {
    const trimmed = word.trim();
    return trimmed.length > 0 && new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(trimmed)}($|[^\\p{L}\\p{N}])`, 'iu').test(text);
  });
}

export interface BibleSelection {
  stable: BibleEntry[];
  calledUp: BibleEntry[];
  leftOut: BibleEntry[];
  tokens: number;
}

/** Chooses bible entries within the bible budget; counts only what it considers adding. */
export function selectBible(bible: readonly BibleEntry[], scanText: string, budget: number, count: CountTokens): BibleSelection {
  const size = (entry: BibleEntry) => (entry.tokens ?? count(renderEntry(entry))) + PER_PIECE;
  if (bible.length === 0) return { stable: [], calledUp: [], leftOut: [], tokens: 0 };
  const known = bible.every((entry) => entry.tokens !== null);
  // Cheap test first: characters are never fewer than tokens' worth of 1 each.
  const roughlyFits = known
    ? bible.reduce((sum, e) => sum + (e.tokens ?? 0) + PER_PIECE, 0) <= budget
    : bible.reduce((sum, e) => sum + e.body.length, 0) <= budget;
  if (roughlyFits || (!known && bible.reduce((sum, e) => sum + size(e), 0) <= budget)) {
    return { stable: sortBible(bible), calledUp: [], leftOut: [], tokens: bible.reduce((sum, e) => sum + size(e), 0) };
  }
  let left = budget;
  const take = (candidates: BibleEntry[]) => {
    const taken: BibleEntry[] = [];
    for (const entry of candidates) {
      if (left <= 0) break;
      const tokens = size(entry);
      if (tokens <= left) {
        taken.push(entry);
        left -= tokens;
      }
    }
    return taken;
  };
  const stable = take(bible.filter((e) => e.alwaysInclude).sort(byPriority));
  const calledUp = take(bible.filter((e) => !e.alwaysInclude && callsUp(e, scanText)).sort(byPriority));
  const used = new Set([...stable, ...calledUp]);
  return { stable: sortBible(stable), calledUp: sortBible(calledUp), leftOut: bible.filter((e) => !used.has(e)), tokens: budget - left };
}
