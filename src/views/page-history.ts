import { EmbedBuilder } from '@discordjs/builders';
import type { APIEmbed } from 'discord.js';
import type { StoryPage } from '../db/database.js';
import { describePageState } from '../domain/page-state-machine.js';
import type { VersionHistory } from '../services/history-service.js';
import { fitText, LIMITS } from './message-parts.js';
import { formatVersionAndTake, takeLetter } from '../domain/takes.js';

const MAX_EMBEDS = 10;
const PER_VERSION_TEXT = 500;

function describePrompt(prompt: VersionHistory['prompt']): string | null {
  if (!prompt) return null;
  const pages = prompt.pagesInFull.length > 0 ? `pages ${prompt.pagesInFull[0]}–${prompt.pagesInFull.at(-1)} in full` : 'no earlier pages';
  const bible = [...prompt.bibleInStablePart, ...prompt.bibleCalledUp];
  return [
    `Bible: ${bible.length > 0 ? bible.join(', ') : 'none'}${prompt.bibleLeftOut.length > 0 ? ` (${prompt.bibleLeftOut.length} left out)` : ''}`,
    `History: ${pages}${prompt.summaryThroughPage > 0 ? `, summary of pages 1–${prompt.summaryThroughPage}` : ''}${prompt.pagesDropped.length > 0 ? `, ${prompt.pagesDropped.length} dropped for length` : ''}`,
    `Size: ${prompt.promptTokens} of ${prompt.budgetTokens} tokens`,
  ].join('\n');
}

/** A page's versions, newest last, as embeds within one message's limits (the oldest are summarised when there are many). */
export function renderPageHistory(page: StoryPage, versions: VersionHistory[], skipNewest = 0): APIEmbed[] {
  const header = new EmbedBuilder()
    .setTitle(`Page ${page.number} · history`)
    .setDescription(fitText(`${describePageState(page)}.\n> ${page.input}`, 600));
  // Paged from the newest: `skip` leaves out that many of the newest versions.
  const end = Math.max(0, versions.length - Math.max(0, skipNewest));
  const start = Math.max(0, end - (MAX_EMBEDS - 1));
  const shown = versions.slice(start, end);
  const paging: string[] = [];
  if (start > 0) paging.push(`${start} older version(s) not shown: add skip:${versions.length - start} to see them.`);
  if (end < versions.length) paging.push(`${versions.length - end} newer version(s) left out (skip:${versions.length - end}).`);
  if (shown.length === 0) paging.push(`This page has ${versions.length} version(s); skip:${skipNewest} leaves out all of them.`);
  if (paging.length > 0) header.addFields({ name: 'More versions', value: paging.join('\n') });
  // Six thousand characters for the whole message: share them among the versions shown.
  const perVersion = Math.min(PER_VERSION_TEXT, Math.floor((LIMITS.embedTotal - 700) / Math.max(1, shown.length)) - 250);
  const embeds = shown.map((v) => {
    const embed = new EmbedBuilder()
      .setTitle(
        `${v.kind === 'narration' ? 'Narration' : 'Dialogue'} ${formatVersionAndTake(v.version, v.take, v.takesInRound)}${v.restoredFrom ? ` (restored from v${v.restoredFrom})` : ''} · ${v.status.replace('_', ' ')}`,
      )
      .setDescription(fitText(`${v.editedBy ? `✍️ Edited by <@${v.editedBy}>\n\n` : ''}${v.body}`, Math.max(80, perVersion)));
    const picked = (vote: VersionHistory['votes'][number]) => (v.takesInRound > 1 ? ` ${takeLetter(vote.pick ?? 0)}` : '');
    const votes = v.votes.map((vote) => `<@${vote.userId}> ${vote.choice === 'approve' ? `✅${picked(vote)}` : '✏️'}`).join(' ');
    if (votes) embed.addFields({ name: 'Votes', value: fitText(votes, 200) });
    const feedback = v.feedback.map((f) => `<@${f.userId}>: ${f.body}`).join('\n');
    if (feedback) embed.addFields({ name: 'Feedback', value: fitText(feedback, 200) });
    const prompt = describePrompt(v.prompt);
    if (prompt) embed.addFields({ name: 'Prompt used', value: fitText(prompt, 250) });
    return embed.toJSON();
  });
  return [header.toJSON(), ...embeds];
}
