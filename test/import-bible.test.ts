import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../loopback/local-database.js';
import { seedStory } from '../loopback/seed.js';

const run = promisify(execFile);

/** Runs the command as a user would; resolves with its output and exit code instead of throwing. */
async function importBible(database: TestDatabase, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/import-bible.ts', ...args], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run import-bible', () => {
  let database: TestDatabase;
  let folder: string;
  let storyId: number;

  beforeAll(async () => {
    database = await createTestDatabase('import-bible');
    storyId = await seedStory(database.db, {
      guildId: '100000000000000001',
      channelId: '100000000000000002',
      title: 'Imported',
      createdBy: 'x',
    });
    folder = await mkdtemp(join(tmpdir(), 'storyroom-bible-'));
    await mkdir(join(folder, 'characters'));
    await mkdir(join(folder, 'locations'));
    await writeFile(join(folder, 'characters', 'mira.md'), '# Mira\nA lantern-bearer who never lies.');
    await writeFile(
      join(folder, 'characters', 'kai.md'),
      '---\nkeywords: the Mark, Kai\npriority: 3\n---\n# Kai\nCarries the glowing Mark.',
    );
    await writeFile(join(folder, 'locations', 'north.markdown'), '# The North\nSnow falls early.');
    await writeFile(join(folder, 'style.md'), '---\ntype: style\nalways: true\n---\nShort sentences.');
    await writeFile(join(folder, 'broken.md'), '---\ntype: dragon\n---\nNo such type.');
    await writeFile(join(folder, 'cover.png'), 'not text');
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
    await database?.drop();
  });

  it('loads a folder of Markdown files, one line per file, refusing what it cannot read (exit 1)', async () => {
    const result = await importBible(database, ['--story', String(storyId), folder]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/added {4}.*mira\.md → character "Mira"/);
    expect(result.stdout).toMatch(/north\.markdown → location "The North"/);
    expect(result.stdout).toContain('4 of 5 file(s) imported into "Imported".');
    expect(result.stderr).toMatch(/refused {2}.*broken\.md: unknown type "dragon"/);
    const entries = await database.db
      .selectFrom('canonical_refs')
      .select(['title', 'ref_type', 'keywords', 'priority', 'always_include'])
      .where('superseded_at', 'is', null)
      .execute();
    expect(entries.sort((a, b) => (a.title < b.title ? -1 : 1))).toEqual([
      { title: 'Kai', ref_type: 'character', keywords: ['the Mark', 'Kai'], priority: 3, always_include: false },
      { title: 'Mira', ref_type: 'character', keywords: [], priority: 0, always_include: false },
      { title: 'The North', ref_type: 'location', keywords: [], priority: 0, always_include: false },
      { title: 'style', ref_type: 'style', keywords: [], priority: 0, always_include: true },
    ]);
  });

  it('a second import replaces entries by title and keeps the old text as history', async () => {
    await writeFile(join(folder, 'characters', 'mira.md'), '# Mira\nA lantern-bearer who never lies, and never sleeps.');
    const result = await importBible(database, ['--story', String(storyId), join(folder, 'characters', 'mira.md')]);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/replaced .*mira\.md/) });
    const versions = await database.db
      .selectFrom('canonical_refs')
      .select(['body', 'superseded_at'])
      .where('title', '=', 'Mira')
      .orderBy('id')
      .execute();
    expect(versions.map((v) => [v.body.endsWith('never sleeps.'), v.superseded_at === null])).toEqual([
      [false, false],
      [true, true],
    ]);
  });

  it('bad arguments print the usage; an unknown story says so', async () => {
    expect(await importBible(database, [folder])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: npm run import-bible/) });
    expect(await importBible(database, ['--story', '999', folder])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no story 999/),
    });
  });
});
