import { ADVISORY_AGENTS, retryAdvisoryAgent, type AdvisoryAgent } from '../../services/retry-advisory.js';
import { type ComponentHandler, type ComponentInput } from '../component-handler.js';
import { ephemeral } from '../reply.js';

/** Retry on the notice an advisory agent (the continuity reviewer, the panels agent) left when it gave up. */
export const advisoryretry: ComponentHandler<'advisoryretry', ComponentInput<'advisoryretry'> & { agent: AdvisoryAgent | undefined }> = {
  on: 'button',
  parse: (input) => ({ ...input, agent: ADVISORY_AGENTS[input.data.agentIndex] }),
  async run(context, { data, place, interaction, agent }) {
    if (!agent) return ephemeral('That button is not one storyroom understands. Nothing was changed.');
    await retryAdvisoryAgent(context.db, place, { agent, pageId: data.pageId, revisionId: data.revisionId, round: data.round });
    return {
      type: 'update',
      body: {
        content: `${interaction.message?.content ?? ''}\n↻ <@${place.userId}> asked for another try.`.slice(0, 2000),
        components: [],
      },
    };
  },
};
