import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.js';
import { clearStoryPublication, ownsChapterOfStory, setStoryPublication } from '../db/publications.js';
import { publicPathOf, slugFromTitle } from '../domain/publication.js';
import { findStoryHere } from './story-lookup.js';
import { UserError } from './user-error.js';

interface Actor {
  guildId: string;
  channelId: string;
  userId: string;
  /** Discord says they have Manage Server. */
  isAdmin: boolean;
}

async function requirePublisher(db: Db, actor: Actor, what: string) {
  const story = await findStoryHere(db, actor);
  if (!actor.isAdmin && !(await ownsChapterOfStory(db, story.id, actor.userId))) {
    throw new UserError(`Only members with Manage Server or an owner of one of this story's chapters can ${what}.`);
  }
  return story;
}

/** `/story publish`: the story becomes readable at a new unguessable address; any earlier one stops working. */
export async function publishStory(db: Db, actor: Actor, publicUrl: string | null): Promise<{ title: string; url: string }> {
  if (!publicUrl) throw new UserError('The web reader is not set up on this bot: its operator sets PUBLIC_URL first.');
  const story = await requirePublisher(db, actor, 'publish it');
  const publication = { slug: slugFromTitle(story.title), token: randomBytes(16).toString('hex') };
  await setStoryPublication(db, story.id, { ...publication, userId: actor.userId });
  return { title: story.title, url: `${publicUrl}/${publicPathOf(publication)}` };
}

/** `/story unpublish`: the address stops working at once. */
export async function unpublishStory(db: Db, actor: Actor): Promise<{ title: string }> {
  const story = await requirePublisher(db, actor, 'unpublish it');
  if (!(await clearStoryPublication(db, story.id))) throw new UserError(`${story.title} is not published.`);
  return { title: story.title };
}
