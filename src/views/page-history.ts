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

/** A page's drafts as listed: a plain version, or a round of takes shown together as one entry. */
type Entry = VersionHistory[];

/** Consecutive takes of one version make one entry, so a page with takes stays within one view. */
function groupRounds(versions: readonly VersionHistory[]): Entry[] {
  const entries: Entry[] = [];
  for (const v of versions) {
    const last = entries.at(-1);
    const head = last?.[0];
    if (last && head && v.takesInRound > 1 && head.takesInRound > 1 && head.kind === v.kind && head.version === v.version) last.push(v);
    else entries.push([v]);
  }
  return entries;
}

const KIND = { narration: 'Narration', dialogue: 'Dialogue' } as const;
const mentions = (ids: readonly string[]) => ids.map((id) => `<@${id}>`).join(', ');

/** A take's standing, in the words its message in the thread uses. */
function takeStanding(take: VersionHistory, round: Entry): string {
  if (take.status === 'approved') return 'Picked';
  if (take.status === 'open') return 'Up for a vote';
  if (take.status === 'revision_requested') return 'Sent back';
  return round.some((t) => t.status === 'approved') ? 'Not picked' : 'Superseded';
}

function roundStanding(round: Entry): string {
  const picked = round.find((t) => t.status === 'approved');
  if (picked) return `take ${takeLetter(picked.take)} picked`;
  const lead = round[0];
  if (lead?.status === 'open') return 'up for a vote';
  return lead?.status === 'revision_requested' ? 'sent back' : 'superseded';
}

function renderRound(round: Entry, textBudget: number): APIEmbed {
  const lead = round[0] as VersionHistory;
  const embed = new EmbedBuilder().setTitle(`${KIND[lead.kind]} v${lead.version} · ${round.length} takes · ${roundStanding(round)}`);
  const perTake = Math.max(60, Math.floor(textBudget / round.length) - 80);
  const lines = round.map((take) => {
    // The round's votes are kept on take A, each naming the take it picked.
    const pickers = lead.votes.filter((vote) => vote.choice === 'approve' && (vote.pick ?? 0) === take.take).map((vote) => vote.userId);
    const edited = take.editedBy
      ? ` · ✍️ edited by <@${take.editedBy}>${take.editedFrom !== null ? ` from take ${takeLetter(take.editedFrom)}` : ''}`
      : '';
    const picked = pickers.length > 0 ? ` · picked by ${mentions(pickers)}` : '';
    return `**Take ${takeLetter(take.take)}** · ${takeStanding(take, round)}${picked}${edited}\n${fitText(take.body, perTake)}`;
  });
  embed.setDescription(fitText(lines.join('\n\n'), LIMITS.embedDescription));
  const revisers = lead.votes.filter((vote) => vote.choice !== 'approve').map((vote) => vote.userId);
  if (revisers.length > 0) embed.addFields({ name: 'Revise (the whole round)', value: fitText(mentions(revisers), 200) });
  const feedback = lead.feedback.map((f) => `<@${f.userId}>: ${f.body}`).join('\n');
  if (feedback) embed.addFields({ name: 'Feedback', value: fitText(feedback, 200) });
  const prompt = describePrompt(lead.prompt);
  if (prompt) embed.addFields({ name: 'Prompt used', value: fitText(prompt, 250) });
  return embed.toJSON();
}

function renderVersion(v: VersionHistory, perVersion: number): APIEmbed {
  const embed = new EmbedBuilder()
    .setTitle(
      `${KIND[v.kind]} ${formatVersionAndTake(v.version, v.take, v.takesInRound)}${v.restoredFrom ? ` (restored from v${v.restoredFrom})` : ''} · ${v.status.replace('_', ' ')}`,
    )
    .setDescription(fitText(`${v.editedBy ? `✍️ Edited by <@${v.editedBy}>\n\n` : ''}${v.body}`, Math.max(80, perVersion)));
  const votes = v.votes.map((vote) => `<@${vote.userId}> ${vote.choice === 'approve' ? '✅' : '✏️'}`).join(' ');
  if (votes) embed.addFields({ name: 'Votes', value: fitText(votes, 200) });
  const feedback = v.feedback.map((f) => `<@${f.userId}>: ${f.body}`).join('\n');
  if (feedback) embed.addFields({ name: 'Feedback', value: fitText(feedback, 200) });
  const prompt = describePrompt(v.prompt);
  if (prompt) embed.addFields({ name: 'Prompt used', value: fitText(prompt, 250) });
  return embed.toJSON();
}

/**
 * A page's versions, newest last, as embeds within one message's limits (the oldest are summarised
 * when there are many). A round of takes is one entry: its takes with who picked each, in the words
 * of the thread ("Picked", "Not picked").
 */
export function renderPageHistory(page: StoryPage, versions: VersionHistory[], skipNewest = 0): APIEmbed[] {
  const header = new EmbedBuilder()
    .setTitle(`Page ${page.number} · history`)
    .setDescription(fitText(`${describePageState(page)}.\n> ${page.input}`, 600));
  const entries = groupRounds(versions);
  // Paged from the newest: `skip` leaves out that many of the newest versions (a round counts as one).
  const end = Math.max(0, entries.length - Math.max(0, skipNewest));
  const start = Math.max(0, end - (MAX_EMBEDS - 1));
  const shown = entries.slice(start, end);
  const paging: string[] = [];
  if (start > 0) paging.push(`${start} older version(s) not shown: add skip:${entries.length - start} to see them.`);
  if (end < entries.length) paging.push(`${entries.length - end} newer version(s) left out (skip:${entries.length - end}).`);
  if (shown.length === 0) paging.push(`This page has ${entries.length} version(s); skip:${skipNewest} leaves out all of them.`);
  if (paging.length > 0) header.addFields({ name: 'More versions', value: paging.join('\n') });
  // Six thousand characters for the whole message: share them among the versions shown.
  const perVersion = Math.min(PER_VERSION_TEXT, Math.floor((LIMITS.embedTotal - 700) / Math.max(1, shown.length)) - 250);
  const embeds = shown.map((entry) =>
    entry.length > 1 ? renderRound(entry, Math.max(120, perVersion)) : renderVersion(entry[0] as VersionHistory, perVersion),
  );
  return fitMessage([header.toJSON(), ...embeds]);
}

const embedSize = (e: APIEmbed) =>
  (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);

/** Discord refuses a message whose embeds pass 6,000 characters: the longest texts are shortened until it fits. */
function fitMessage(embeds: APIEmbed[]): APIEmbed[] {
  let over = embeds.reduce((n, e) => n + embedSize(e), 0) - (LIMITS.embedTotal - 100);
  while (over > 0) {
    const longest = embeds
      .slice(1)
      .reduce<APIEmbed | undefined>((a, e) => ((e.description?.length ?? 0) > (a?.description?.length ?? 0) ? e : a), undefined);
    const length = longest?.description?.length ?? 0;
    if (!longest || length <= 120) break;
    longest.description = fitText(longest.description ?? '', Math.max(120, length - Math.max(over, 40)));
    over -= length - longest.description.length;
  }
  // Still over (many long fields): the oldest entries' fields go first.
  for (const embed of embeds.slice(1)) {
    if (over <= 0) break;
    over -= (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    delete embed.fields;
  }
  return embeds;
}
