// The most output tokens a draft may take, from the story's narration length: a runaway or hostile
// model cannot spend more than a page's worth. English prose runs about 1.3 tokens a word; the cap
// leaves twice that and a margin, so a draft that keeps to its length is never cut off.

export type CappedAgent = 'narration' | 'dialogue' | 'review' | 'panels';

export function outputTokenCap(agent: CappedAgent, narrationWords: number): number {
  const prose = Math.ceil(narrationWords * 2.6) + 100;
  switch (agent) {
    case 'narration':
      return prose;
    case 'dialogue':
      // JSON around the lines: panels, speakers, captions.
      return prose * 2 + 400;
    case 'review':
      return 1_000;
    case 'panels':
      return prose * 2 + 800;
  }
}
