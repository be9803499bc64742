// Token figures of the loopback server. An estimate (four characters a token), not a tokenizer:
// tests assert on shape and on cache behaviour, not on exact counts.

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

const CACHE_MINIMUM_TOKENS = 1024;
const CACHE_BLOCK_TOKENS = 128;

/**
 * Simulates a provider's automatic prefix cache: the longest prefix this prompt shares with an
 * earlier prompt to the same model counts as cached, only for prompts of 1024 tokens or more, in
 * blocks of 128 tokens (as OpenAI's prompt-caching guide describes).
 */
export class PrefixCache {
  private readonly seen = new Map<string, string[]>();

  cachedTokens(model: string, prompt: string): number {
    const earlier = this.seen.get(model) ?? [];
    let longest = 0;
    for (const previous of earlier) longest = Math.max(longest, commonPrefixLength(previous, prompt));
    earlier.push(prompt);
    if (earlier.length > 50) earlier.shift();
    this.seen.set(model, earlier);
    if (estimateTokens(prompt) < CACHE_MINIMUM_TOKENS) return 0;
    const tokens = Math.floor(longest / 4);
    return tokens < CACHE_MINIMUM_TOKENS ? 0 : tokens - (tokens % CACHE_BLOCK_TOKENS);
  }

  clear(): void {
    this.seen.clear();
  }
}

function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i += 1;
  return i;
}
