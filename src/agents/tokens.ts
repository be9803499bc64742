import { createRequire } from 'node:module';
import type { CountTokens } from '../domain/context-builder.js';

// o200k_base is the encoding of the current OpenAI model families; other servers' tokenizers differ
// a little, which the budget's headroom absorbs. Imported explicitly: the package default has changed.
// Loaded on first use: its tables take about 65 MiB, which the bot only needs for a bible entry's
// size or the HTTP API's prompt preview, and an idle worker not at all.
const require = createRequire(import.meta.url);
let countO200k: CountTokens | null = null;

// Most of what a prompt counts recurs from draft to draft (the agents' instructions, the chapter's
// header, its earlier pages), so counts are kept by text, the most recently used first; bounded by
// characters so a few long texts cannot grow it past a few MiB.
const MAX_CACHED_CHARACTERS = 2_000_000;
const counted = new Map<string, number>();
let cachedCharacters = 0;

export const countTokens: CountTokens = (text) => {
  const known = counted.get(text);
  if (known !== undefined) {
    counted.delete(text);
    counted.set(text, known);
    return known;
  }
  countO200k ??= (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountTokens }).countTokens;
  const tokens = countO200k(text);
  if (text.length <= MAX_CACHED_CHARACTERS / 4) {
    counted.set(text, tokens);
    cachedCharacters += text.length;
    for (const oldest of counted.keys()) {
      if (cachedCharacters <= MAX_CACHED_CHARACTERS) break;
      counted.delete(oldest);
      cachedCharacters -= oldest.length;
    }
  }
  return tokens;
};
