import { spawn } from 'node:child_process';
import { Socket } from 'node:net';

// A process that ends without stopping what it started (vitest exits 1 ms after a Ctrl-C or SIGTERM,
// without its teardown; a SIGKILL runs nothing at all) would leave its servers running and their
// folder on disk. A small shell, in a session of its own, reads our pipe: the pipe closing without a
// `done` line means we are gone, so it stops the servers named to it and removes the folder.
const SCRIPT = `
pids=""
while read -r word value; do
  case "$word" in
    pid) pids="$pids $value" ;;
    done) exit 0 ;;
  esac
done
for pid in $pids; do kill -INT "$pid" 2>/dev/null; done
i=0
while [ $i -lt 100 ]; do
  alive=""
  for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
  [ -z "$alive" ] && break
  sleep 0.1
  i=$((i+1))
done
for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
rm -rf "$1"
`;

export interface Reaper {
  /** Names a server to stop should we end without stopping it. */
  watch(pid: number): void;
  /** We stopped everything ourselves: the reaper leaves without doing anything. */
  dismiss(): void;
}

/** Starts the reaper for `folder` (removed if we end without cleaning up). */
export function startReaper(folder: string): Reaper {
  const child = spawn('sh', ['-c', SCRIPT, 'storyroom-reaper', folder], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  // The pipe must not keep this process alive: its closing, at our exit, is the reaper's signal.
  if (child.stdin instanceof Socket) child.stdin.unref();
  child.stdin?.on('error', () => undefined);
  return {
    watch(pid) {
      child.stdin?.write(`pid ${pid}\n`);
    },
    dismiss() {
      child.stdin?.end('done\n');
    },
  };
}
