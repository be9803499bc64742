import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { CountTokens } from '../domain/context-builder.js';

// o200k_base is the encoding of the current OpenAI model families; other servers' tokenizers differ
// a little, which the budget's headroom absorbs. Imported explicitly: the package default has changed.
export const countTokens: CountTokens = (text) => countO200k(text);
