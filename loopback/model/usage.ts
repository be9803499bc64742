// Token figures of the loopback server. Counts are an ESTIMATE (one token per four characters,
// rounded up), not a tokenizer: tests assert on shape and on cache behaviour, not on exact counts.
import type { CompletionUsage } from 'openai/resources/completions';
import type { RecordedMessage, ScriptedReply } from './types.js';

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** OpenAI caches prompts of 1024 tokens or more, and reports hits in steps of 128 tokens. */
export const CACHE_MINIMUM_TOKENS = 1024;
export const CACHE_STEP_TOKENS = 128;
/** Earlier prompts remembered per model; older ones are forgotten, as a provider's cache evicts. */
const PROMPTS_REMEMBERED_PER_MODEL = 256;

/**
 * Simulates a provider's automatic prefix caching. The cached share of a prompt is the longest
 * prefix (in characters, over the serialised messages in order) it shares with any earlier prompt to
 * the same model, converted to tokens; it counts only for prompts of 1024 tokens or more and is
 * rounded down to a multiple of 128 tokens, so a hit is 0 or at least 1024 (OpenAI's prompt-caching
 * guide). Nothing expires by time, and prompt_cache_key is ignored.
 */
export class PrefixCache {
  private readonly seen = new Map<string, string[]>();

  /** The cached tokens of this prompt; it is then remembered for later requests. */
  cachedTokens(model: string, messages: readonly RecordedMessage[], promptTokens: number): number {
    const prompt = serialiseForCache(messages);
    const earlier = this.seen.get(model) ?? [];
    let longest = 0;
    for (const previous of earlier) longest = Math.max(longest, commonPrefixLength(previous, prompt));
    earlier.push(prompt);
    if (earlier.length > PROMPTS_REMEMBERED_PER_MODEL) earlier.shift();
    this.seen.set(model, earlier);
    if (promptTokens < CACHE_MINIMUM_TOKENS) return 0;
    const tokens = Math.min(Math.floor(longest / 4), promptTokens);
    const rounded = tokens - (tokens % CACHE_STEP_TOKENS);
    return rounded < CACHE_MINIMUM_TOKENS ? 0 : rounded;
  }

  clear(): void {
    this.seen.clear();
  }
}

/** Role and content of each message in order, one JSON line each: the same text under another role is no match. */
function serialiseForCache(messages: readonly RecordedMessage[]): string {
  return messages.map((message) => JSON.stringify([message.role, message.content])).join('\n');
}

function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i += 1;
  return i;
}

/** The usage block of an answer: estimates unless the scripted reply overrides a figure. */
export function buildUsage(
  estimate: { promptTokens: number; completionTokens: number; cachedTokens: number },
  override: ScriptedReply['usage'],
): CompletionUsage {
  const promptTokens = override?.prompt_tokens ?? estimate.promptTokens;
  const completionTokens = override?.completion_tokens ?? estimate.completionTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: override?.cached_tokens ?? estimate.cachedTokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}
