import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
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

/** CPU time (user + system) a process has used so far, in ms, read from /proc (clock ticks of 10 ms). */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    // Fields after the command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** A node process that loads tsx and idles: what any process of ours costs before it does anything. */
export function bareNode(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

/** The machine's CPU time so far from /proc/stat, all cores: busy (everything but idle and iowait) and total, in clock ticks. */
export function machineCpuTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Ids of the running processes whose command name is `name` (postgres, redis-server), read from /proc;
 * with `titleIncludes`, only those whose command line has it (a Postgres backend's title names its database).
 */
export function pidsNamed(name: string, titleIncludes?: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
      if (titleIncludes === undefined || readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(titleIncludes)) pids.push(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return pids;
}

/** A process and its children (a bot's ShardingManager and its shard processes), read from /proc. */
export function processTree(pid: number | undefined): number[] {
  if (!pid) return [];
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent's id is the second field after the command name.
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      if (parent === pid) children.push(...processTree(Number(entry)));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return [pid, ...children];
}

/**
 * Where the machine's CPU went between two snapshots: the share of all cores that was busy, and each
 * group of processes as a share of all cores (so the groups and the rest add up to the busy share). A
 * group is a list of process ids, or a function finding them: then processes started during the window
 * (a Postgres backend for a new connection) count too, with all their time.
 */
export class CpuAccount {
  private readonly machine = machineCpuTicks();
  private readonly before: Map<string, Map<number, number>>;

  constructor(private readonly groups: Record<string, (() => number[]) | (number | undefined)[]>) {
    this.before = new Map(Object.keys(groups).map((name) => [name, this.cpuOf(name)]));
  }

  private cpuOf(group: string): Map<number, number> {
    const members = this.groups[group];
    const pids = typeof members === 'function' ? members() : (members ?? []).filter((pid): pid is number => pid !== undefined);
    return new Map(pids.map((pid) => [pid, cpuMs(pid)]));
  }

  /** "CPU of all 2 cores: 96% busy; worker 48%, postgres 20%, …" since the account was opened. */
  describe(): string {
    const machine = machineCpuTicks();
    const totalMs = (machine.total - this.machine.total) * 10;
    const share = (ms: number) => `${Math.round((100 * ms) / Math.max(1, totalMs))}%`;
    const parts = Object.keys(this.groups).map((name) => {
      const before = this.before.get(name) ?? new Map<number, number>();
      let ms = 0;
      for (const [pid, now] of this.cpuOf(name)) if (Number.isFinite(now)) ms += now - (before.get(pid) ?? 0);
      return { name, ms };
    });
    const busyMs = (machine.busy - this.machine.busy) * 10;
    const groupsMs = parts.reduce((sum, part) => sum + part.ms, 0);
    const shares = parts.map((part) => `${part.name} ${share(part.ms)}`);
    return `CPU of all ${cpus().length} cores: ${share(busyMs)} busy; ${shares.join(', ')}, everything else ${share(busyMs - groupsMs)}`;
  }
}
