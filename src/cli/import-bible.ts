import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config/load-config.js';
import { createDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { getStory } from '../db/stories.js';
import { BIBLE_ENTRY_TYPES } from '../domain/bible-entry.js';
import { parseBibleFile, readBibleType } from '../domain/bible-file.js';
import { addBibleEntry } from '../services/bible-service.js';

// npm run import-bible -- --story <id> [--type reference] [--user <discord id>] files-or-folders…
// Loads Markdown and text files into a story's bible, replacing entries with the same title (the old
// text is kept as history, as /bible add does). One line per file; exit 1 if any file was refused.

const USAGE = `usage: npm run import-bible -- --story <story id> [--type ${BIBLE_ENTRY_TYPES.join('|')}] [--user <discord id>] <files or folders…>`;
const TEXT_FILES = new Set(['.md', '.markdown', '.txt']);

async function collect(path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) =>
        e.isDirectory()
          ? collect(join(path, e.name))
          : Promise.resolve(TEXT_FILES.has(extname(e.name).toLowerCase()) ? [join(path, e.name)] : []),
      ),
  );
  return nested.flat();
}

const { values, positionals } = parseArgs({
  options: { story: { type: 'string' }, type: { type: 'string', default: 'reference' }, user: { type: 'string', default: 'import' } },
  allowPositionals: true,
});
const storyId = Number(values.story);
const defaultType = readBibleType(values.type);
if (!Number.isSafeInteger(storyId) || storyId <= 0 || positionals.length === 0 || !defaultType) {
  console.error(USAGE);
  process.exit(2);
}

const config = loadConfigOrExit({ DISCORD_TOKEN: 'unused', DISCORD_APPLICATION_ID: '00000000000000000', ...process.env });
const db = createDatabase(config.databaseUrl, { maxConnections: 2 });
let refused = 0;
try {
  await migrateToLatest(db);
  const story = await getStory(db, storyId);
  if (!story) {
    console.error(`There is no story ${storyId}. The ids are in the stories table, or in the HTTP API's /api/chapters.`);
    process.exitCode = 1;
  } else {
    const files = (await Promise.all(positionals.map(collect))).flat();
    for (const path of files) {
      const parsed = parseBibleFile(
        { name: basename(path), folder: basename(dirname(path)), text: await readFile(path, 'utf8') },
        defaultType,
      );
      if ('error' in parsed) {
        refused += 1;
        console.error(`refused  ${path}: ${parsed.error}`);
        continue;
      }
      const { replaced } = await addBibleEntry(db, story.id, { ...parsed, userId: values.user });
      console.log(`${replaced ? 'replaced' : 'added   '} ${path} → ${parsed.type} "${parsed.title}"`);
    }
    console.log(`${files.length - refused} of ${files.length} file(s) imported into "${story.title}".`);
    if (refused > 0) process.exitCode = 1;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
