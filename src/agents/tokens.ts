import { createRequire } from 'node:module';
import type { CountTokens } from '../domain/context-builder.js';

// o200k_base is the encoding of the current OpenAI model families; other servers' tokenizers differ
// a little, which the budget's headroom absorbs. Imported explicitly: the package default has changed.
// Loaded on first use: its tables take about 65 MiB, which the bot only needs for a bible entry's
// size or the HTTP API's prompt preview, and an idle worker not at all.
const require = createRequire(import.meta.url);
let countO200k: CountTokens | null = null;

export const countTokens: CountTokens = (text) => {
  countO200k ??= (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountTokens }).countTokens;
  return countO200k(text);
};
