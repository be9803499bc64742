import type { APIEmbed } from 'discord.js';
import { describePageState, isReviewing } from '../domain/page-state-machine.js';
import type { ChapterProgress } from '../services/progress-service.js';
import type { getStoryStatus } from '../services/progress-service.js';
import { fitText, LIMITS, NO_MENTIONS, type MessageBody, type MentionCommands } from './message-parts.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function countsLine(s: ChapterProgress['summary']): string {
  return `${plural(s.pages, 'page')}: ${s.approved_pages} approved, ${s.pages_in_review} in review, ${s.pages_generating} being written, ${s.pages_failed} failed · ${plural(s.co_writers, 'co-writer')}`;
}

/**
 * One line per page: its state, its current draft, and for a draft under vote how many have voted.
 * Its hints stay plain text: the worker draws the pinned copy, and only the bot reads the registered
 * command ids that clickable mentions need.
 */
export function renderChapterProgressEmbed({ chapter, summary, pages }: ChapterProgress, footer: string | null = null): APIEmbed {
  const lines = pages.map((page) => {
    const draft = page.current_kind ? ` · ${page.current_kind} v${page.current_version}` : '';
    const votes = isReviewing(page.state)
      ? ` · ${page.approvals + page.revise_votes} of ${summary.co_writers} voted (✅ ${page.approvals} ✏️ ${page.revise_votes})`
      : '';
    return `**Page ${page.number}**: ${describePageState(page)}${draft}${votes}`;
  });
  const attention = chapter.status === 'needs_attention' ? `\n⚠️ Needs attention: ${chapter.attention_reason ?? ''}` : '';
  const body = lines.join('\n') || 'No pages yet: start one with /page start.';
  // The newest pages matter most: when the list is too long, the oldest lines give way.
  let text = `${countsLine(summary)}${attention}\n\n${body}`;
  if (text.length > LIMITS.embedDescription) {
    const kept: string[] = [];
    let room = LIMITS.embedDescription - countsLine(summary).length - attention.length - 60;
    for (const line of [...lines].reverse()) {
      if (line.length + 1 > room) break;
      kept.unshift(line);
      room -= line.length + 1;
    }
    text = `${countsLine(summary)}${attention}\n\n…${lines.length - kept.length} earlier pages (see /page history)\n${kept.join('\n')}`;
  }
  return {
    title: fitText(`Chapter ${chapter.number}: ${chapter.title}`, LIMITS.embedTitle),
    description: fitText(text, LIMITS.embedDescription),
    ...(footer ? { footer: { text: footer } } : {}),
  };
}

/** The message pinned in each chapter thread: the same picture, kept up to date by the worker. */
export function renderPinnedProgress(progress: ChapterProgress, updatedAt: Date): MessageBody {
  // The embed's own timestamp: Discord shows it in each reader's time zone, next to the footer.
  const embed = { ...renderChapterProgressEmbed(progress, '📌 Chapter progress · updated'), timestamp: updatedAt.toISOString() };
  return { embeds: [embed], components: [], allowed_mentions: NO_MENTIONS };
}

/** `/story status`: a line per chapter, and the pages still open under it. */
export function renderStoryStatus(status: Awaited<ReturnType<typeof getStoryStatus>>, mentions: MentionCommands): APIEmbed {
  const lines = status.chapters.map((c) => {
    const open = status.open.filter((p) => p.chapter_id === c.chapter_id);
    const thread = c.thread_id ? ` <#${c.thread_id}>` : '';
    const pageLines = open.map((p) => {
      const draft = p.current_kind ? ` · ${p.current_kind} v${p.current_version}` : '';
      const votes = isReviewing(p.state) ? ` · ✅ ${p.approvals} ✏️ ${p.revise_votes} of ${c.co_writers}` : '';
      return `  · Page ${p.number}: ${describePageState(p)}${draft}${votes}`;
    });
    const flag = c.status === 'needs_attention' ? ' ⚠️ needs attention' : c.status === 'closed' ? ' (closed)' : '';
    return [`**Chapter ${c.number}: ${c.title}**${thread}${flag}\n${countsLine(c)}`, ...pageLines].join('\n');
  });
  const total = status.chapters.reduce((sum, c) => sum + c.approved_pages, 0);
  return {
    title: fitText(`${status.story.title} · status`, LIMITS.embedTitle),
    description: fitText(
      `${plural(status.chapters.length, 'chapter')}, ${plural(total, 'approved page')}.\n\n${lines.join('\n\n') || `No chapters yet: open one with ${mentions.mention('chapter start')}.`}`,
      LIMITS.embedDescription,
    ),
  };
}
