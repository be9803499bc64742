import OpenAI from 'openai';
import { ModelServer } from '../loopback/model/server.js';
import { countTokens } from '../src/agents/tokens.js';
import { buildSummaryPrompt, nextSummaryThrough } from '../src/domain/chapter-summary.js';
import {
  buildDialoguePrompt,
  buildNarrationPrompt,
  buildPanelsPrompt,
  buildReviewPrompt,
  type ApprovedPage,
  type BibleEntry,
  type ChatMessage,
  type NarrationContextInput,
} from '../src/domain/context-builder.js';
import { row, summarize, type BenchRow } from './stats.js';

// What a page costs in prompt tokens over a whole chapter: 16 pages, a 22,000-character bible (4
// entries of 5,500 characters), one co-writer, one revise round on page 1. Every prompt the worker would
// send for it (narration, continuity review, dialogue, panel prompts, and the chapter summary when it
// is due) is built by the same domain code from the same inputs the worker loads, and sent to the
// loopback model, whose prefix cache counts what an OpenAI-style server would serve from cache (exact
// prefixes of 1,024 tokens or more, in steps of 128). Its token counts are estimates (4 characters a token).

const PAGES = 16;
const MODEL = 'loopback-narrator';
const BUDGET = { totalTokens: 16_000, bibleTokens: 6_000 };

const sentence = (i: number, n: number) => `On page ${n}, the keeper counts the ${i}th gull against the grey while the lamp hums. `;
const text = (n: number, characters: number, seed: number) => {
  let out = '';
  for (let i = 0; out.length < characters; i += 1) out += sentence(i + seed, n);
  return out.slice(0, characters);
};

const bible: BibleEntry[] = ['Mara', 'The Lighthouse', 'The Drowned Bell', 'Rules of the Sea'].map((title, i) => {
  const body = `${title}. `.padEnd(5_500 - title.length, ` Detail ${i}: salt, rope, brass and the long memory of storms.`).slice(0, 5_500);
  const entry: BibleEntry = {
    title,
    type: i === 0 ? 'character' : i === 3 ? 'rule' : 'location',
    body,
    keywords: [],
    priority: 0,
    alwaysInclude: false,
    tokens: null,
  };
  return { ...entry, tokens: countTokens(`${entry.type}: ${entry.title}\n<<<\n${body}\n>>>`) };
});

interface Tally {
  requests: number;
  prompt: number;
  cached: number;
}

async function send(client: OpenAI, messages: ChatMessage[], tally: Tally): Promise<void> {
  const answer = await client.chat.completions.create({ model: MODEL, messages });
  tally.requests += 1;
  tally.prompt += answer.usage?.prompt_tokens ?? 0;
  tally.cached += answer.usage?.prompt_tokens_details?.cached_tokens ?? 0;
}

/** One chapter played start to end; returns the chapter's totals. */
async function playChapter(client: OpenAI): Promise<Tally> {
  const tally: Tally = { requests: 0, prompt: 0, cached: 0 };
  const approved: ApprovedPage[] = [];
  let summary: { text: string; throughPage: number } | null = null;
  for (let n = 1; n <= PAGES; n += 1) {
    const input: NarrationContextInput = {
      storyTitle: 'The Lighthouse',
      chapterTitle: 'Storm Season',
      bible,
      earlierPages: approved.filter((page) => page.number > (summary?.throughPage ?? 0)),
      chapterSummary: summary,
      budget: BUDGET,
      pageNumber: n,
      input: `Page ${n}: the supply boat is late and the radio only hisses.`,
      revising: null,
      settings: { toneNote: null, narrationWords: 250 },
    };
    let narration = text(n, 1_400, 0);
    await send(client, buildNarrationPrompt(input, countTokens).messages, tally);
    await send(client, buildReviewPrompt(input, narration, countTokens).messages, tally);
    if (n === 1) {
      const revising = { version: 1, text: narration, feedback: ['Less weather, more Mara: what does she want tonight?'] };
      narration = text(n, 1_400, 7);
      await send(client, buildNarrationPrompt({ ...input, revising }, countTokens).messages, tally);
      await send(client, buildReviewPrompt(input, narration, countTokens).messages, tally);
    }
    const dialogue = `Panel 1\n**Mara:** Page ${n}. The light holds.\nPanel 2\n**Keeper:** ${text(n, 600, 3)}`;
    await send(client, buildDialoguePrompt({ ...input, narration, revising: null }, countTokens).messages, tally);
    await send(client, buildPanelsPrompt({ ...input, narration, revising: null }, dialogue, countTokens).messages, tally);
    approved.push({ number: n, narration, dialogue });
    const through = nextSummaryThrough(n, summary?.throughPage ?? 0);
    if (through !== null) {
      await send(
        client,
        buildSummaryPrompt({
          chapterTitle: 'Storm Season',
          previousSummary: summary?.text ?? null,
          previousThrough: summary?.throughPage ?? 0,
          pages: approved.filter((page) => page.number > (summary?.throughPage ?? 0) && page.number <= through),
        }),
        tally,
      );
      summary = { text: text(through, 2_000, 11), throughPage: through };
    }
  }
  return tally;
}

/** Prompt tokens per approved page, and the share not served from the prefix cache. */
export async function benchTokensPerPage(): Promise<BenchRow[]> {
  const server = await ModelServer.start();
  try {
    server.setResponder(() => ({ content: 'ok' }));
    const client = new OpenAI({ apiKey: 'loopback', baseURL: server.baseURL, maxRetries: 0 });
    const runs: Tally[] = [];
    for (let i = 0; i < 3; i += 1) {
      server.reset();
      runs.push(await playChapter(client));
    }
    const last = runs.at(-1) ?? { requests: 0, prompt: 0, cached: 0 };
    const note = `${last.requests} requests a chapter, ${last.prompt} prompt tokens, ${last.cached} from cache (${((100 * last.cached) / Math.max(1, last.prompt)).toFixed(0)}%); estimates of 4 characters a token`;
    return [
      row(
        'prompt tokens per page, 16-page chapter, 22,000-character bible',
        'tokens',
        summarize(runs.map((r) => r.prompt / PAGES)),
        null,
        '≤ 30000',
        note,
      ),
      row(
        'uncached prompt tokens per page, same chapter',
        'tokens',
        summarize(runs.map((r) => (r.prompt - r.cached) / PAGES)),
        null,
        '≤ 3000',
        '37,197 and about 5,200 per page measured on main before (issue 25, an independent run)',
      ),
    ];
  } finally {
    await server.close();
  }
}
