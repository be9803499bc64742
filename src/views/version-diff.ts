import { EmbedBuilder } from '@discordjs/builders';
import type { APIEmbed } from 'discord.js';
import type { PageRevision } from '../db/database.js';
import { diffStats, diffWordsBounded, renderDiffMarkdown } from '../domain/word-diff.js';
import { LIMITS, type MentionCommands } from './message-parts.js';
import { takeLetter } from '../domain/takes.js';

const KIND_LABEL = { narration: 'Narration', dialogue: 'Dialogue' } as const;

const editedMark = (revision: PageRevision) => (revision.edited_by ? ' (edited)' : '');

/** "v2", or "v2 B" for a take: take A is named too when both sides are takes of one version. */
const label = (revision: PageRevision, other: PageRevision) =>
  `v${revision.version}${revision.take > 0 || (other.version === revision.version && other.take !== revision.take) ? ` ${takeLetter(revision.take)}` : ''}`;

/** Word-level changes from one version to another: removed words struck through, added ones in bold. */
export function renderVersionDiff(pageNumber: number, from: PageRevision, to: PageRevision, mentions: MentionCommands): APIEmbed {
  const { parts, exact } = diffWordsBounded(from.body, to.body);
  const stats = diffStats(parts);
  const unchanged = stats.added === 0 && stats.removed === 0;
  const description = unchanged
    ? 'The two versions have the same text.'
    : exact
      ? renderDiffMarkdown(parts, LIMITS.embedDescription)
      : `These two versions differ in too many places to show word by word. Read each in full with ${mentions.mention('page history')} (page ${pageNumber}).`;
  return new EmbedBuilder()
    .setTitle(`Page ${pageNumber} · ${KIND_LABEL[from.kind]} ${label(from, to)}${editedMark(from)} → ${label(to, from)}${editedMark(to)}`)
    .setDescription(description)
    .addFields({
      name: 'Changes',
      value: `**+${stats.added}** word${stats.added === 1 ? '' : 's'} added · ~~−${stats.removed}~~ removed · ~~struck~~ = removed, **bold** = added`,
    })
    .toJSON();
}
