import type { Config } from '../config/config.js';
import { listBibleEntries } from '../db/bible.js';
import { getChapterByThread } from '../db/chapters.js';
import type { Executor } from '../db/executor.js';
import { findPageByNumber, listPageNumbers } from '../db/pages.js';
import { listRevisionVersions } from '../db/revisions.js';
import { getStoryByChannel } from '../db/stories.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import { takeLetter } from '../domain/takes.js';

// Suggestions while a member types an option. Discord shows at most 25 and gives no room for an
// error: a place where nothing fits gets no suggestions, and the command itself explains on submit.

export interface Choice {
  name: string;
  value: string | number;
}

const MAX_CHOICES = 25;
type Place = { guildId: string; channelId: string };

const matches = (text: string, typed: string) => text.toLowerCase().includes(typed.trim().toLowerCase());
const label = (text: string) => (text.length > 100 ? `${text.slice(0, 99)}…` : text);

async function storyIdHere(db: Executor, place: Place): Promise<number | null> {
  const story = await getStoryByChannel(db, place.guildId, place.channelId);
  if (story) return story.id;
  return (await getChapterByThread(db, place.guildId, place.channelId))?.story_id ?? null;
}

/** Titles of the story bible's entries in use, containing what was typed. */
export async function suggestBibleTitles(db: Executor, place: Place, typed: string): Promise<Choice[]> {
  const storyId = await storyIdHere(db, place);
  if (storyId === null) return [];
  const entries = await listBibleEntries(db, storyId);
  return entries
    .filter((entry) => matches(entry.title, typed) && entry.title.length <= 100)
    .slice(0, MAX_CHOICES)
    .map((entry) => ({ name: label(`${entry.title} (${entry.ref_type})`), value: entry.title }));
}

/** The chapter's page numbers, newest first, starting with what was typed. */
export async function suggestPageNumbers(db: Executor, place: Place, typed: string): Promise<Choice[]> {
  const chapter = await getChapterByThread(db, place.guildId, place.channelId);
  if (!chapter) return [];
  const pages = await listPageNumbers(db, chapter.id, 500);
  return pages
    .filter((page) => String(page.number).startsWith(typed.trim()))
    .slice(0, MAX_CHOICES)
    .map((page) => ({ name: `Page ${page.number} · ${page.state.replaceAll('_', ' ')}`, value: page.number }));
}

/** The versions of one page's narration or dialogue, newest first. */
export async function suggestVersions(
  db: Executor,
  place: Place,
  request: { pageNumber: number | null; kind: DraftKind; typed: string },
): Promise<Choice[]> {
  const chapter = await getChapterByThread(db, place.guildId, place.channelId);
  if (!chapter || request.pageNumber === null) return [];
  const page = await findPageByNumber(db, chapter.id, request.pageNumber);
  if (!page) return [];
  const versions = await listRevisionVersions(db, page.id, request.kind, 200);
  return versions
    .filter((revision) => String(revision.version).startsWith(request.typed.trim()))
    .slice(0, MAX_CHOICES)
    .map((revision) => ({
      name:
        revision.takes > 1
          ? `${request.kind} v${revision.version} · ${revision.takes} takes (A–${takeLetter(revision.takes - 1)})`
          : `${request.kind} v${revision.version} · ${revision.status}${revision.restored_from_version ? ` (restored from v${revision.restored_from_version})` : ''}`,
      value: revision.version,
    }));
}

/** `default` and the models this installation is set up for: its configured models and the ones it has prices for. */
export function suggestModels(config: Readonly<Config>, typed: string): Choice[] {
  const models = new Set([
    'default',
    config.model.narratorModel,
    config.model.dialogueModel,
    config.model.reviewerModel,
    config.model.panelsModel,
    ...Object.keys(config.prices),
  ]);
  return [...models]
    .filter((model) => model.length <= 100 && matches(model, typed))
    .slice(0, MAX_CHOICES)
    .map((model) => ({ name: model === 'default' ? 'default (the server’s model)' : model, value: model }));
}
