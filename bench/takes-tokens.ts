import OpenAI from 'openai';
import { ModelServer } from '../loopback/model/server.js';
import { countTokens } from '../src/agents/tokens.js';
import { MultipleChoicesMemory, writeTakes, type TakesStrategy } from '../src/agents/takes.js';
import { buildNarrationPrompt, type ApprovedPage } from '../src/domain/context-builder.js';
import { row, summarize, type BenchRow } from './stats.js';

// What a round of takes costs in input tokens: one request with `n` reads the prompt once; parallel
// one-choice requests (a server without `n`) read it once per take. The loopback model server reports
// usage as OpenAI does: prompt tokens once per request, completion tokens summed over the choices.

const ROUNDS = 10;
const TAKES = 3;

const earlier: ApprovedPage[] = Array.from({ length: 40 }, (_, i) => ({
  number: i + 1,
  narration: `Page ${i + 1}: the keeper trims the wick while the gulls argue on the rail, and the ledger gains a line. `.repeat(5),
  dialogue: `**Ada:** Page ${i + 1}. **Bram:** The light holds.`,
}));

function prompt(pageNumber: number) {
  return buildNarrationPrompt(
    {
      storyTitle: 'The Lighthouse',
      chapterTitle: 'Storm Season',
      bible: [],
      earlierPages: earlier,
      chapterSummary: null,
      budget: { totalTokens: 8_000, bibleTokens: 2_000 },
      pageNumber,
      input: 'The supply boat is late and the radio only hisses.',
      revising: null,
      settings: { toneNote: null, narrationWords: 250 },
    },
    countTokens,
  );
}

async function inputTokensPerRound(client: OpenAI, server: ModelServer, count: number, strategy: TakesStrategy): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const built = prompt(41 + round);
    const answer = await writeTakes(client, {
      body: { model: 'loopback-narrator', messages: built.messages },
      count,
      strategy,
      memory: new MultipleChoicesMemory(),
      server: server.baseURL,
      read: (text) => text,
    });
    if (answer.takes.filter((take) => take.ok).length !== count) throw new Error(`a round came back with fewer than ${count} takes`);
    samples.push(answer.usage.promptTokens);
  }
  return samples;
}

/** Input tokens of a three-take round against a one-take round on the same prompts. */
export async function benchTakesTokens(): Promise<BenchRow[]> {
  const server = await ModelServer.start();
  try {
    const client = new OpenAI({ apiKey: 'loopback', baseURL: server.baseURL, maxRetries: 0 });
    const single = summarize(await inputTokensPerRound(client, server, 1, 'auto'));
    const withN = summarize(await inputTokensPerRound(client, server, TAKES, 'auto'));
    const parallel = summarize(await inputTokensPerRound(client, server, TAKES, 'parallel'));
    const baseline = { name: 'one-take round, same prompts', value: single };
    return [
      row(`input tokens, ${TAKES}-take round with n`, 'tokens', withN, baseline, '≤ 1.2× one take'),
      row(`input tokens, ${TAKES}-take round as parallel requests (a server without n)`, 'tokens', parallel, baseline, null),
    ];
  } finally {
    await server.close();
  }
}
