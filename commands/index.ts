import type { SlashCommand } from '../src/discord/slash-command.js';
import { bible } from './bible.js';
import { chapter } from './chapter.js';
import { help } from './help.js';
import { page } from './page.js';
import { settings } from './settings.js';
import { story } from './story.js';
import { usage } from './usage.js';

/** Every slash command, by name. One file per command beside this one. */
export const COMMANDS: ReadonlyMap<string, SlashCommand> = new Map(
  [story, chapter, page, bible, settings, usage, help].map((command) => [command.data.name, command]),
);
