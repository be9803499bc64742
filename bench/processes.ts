import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';

/** Resident set size of a process in MiB, read from /proc. */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** A node process that loads tsx and idles: what any process of ours costs before it does anything. */
export function bareNode(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}
