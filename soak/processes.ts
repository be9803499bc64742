import { readFileSync } from 'node:fs';
import { startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';

/**
 * A leak shows as RSS the process cannot give back: the lowest RSS late in its life may not pass this
 * multiple of the highest RSS it had just after warming up. A single reading is no measure: V8 grows
 * its heap and its memory reducer gives pages back, so one bot lifetime reads 170 MiB one second and
 * 225 the next (docs/soak.md); comparing two single readings failed on swings, not on leaks.
 */
export const MEMORY_LIMIT = 1.2;
/** A process's RSS is watched from this long after it started… */
export const MEMORY_WARM_UP_MS = 30_000;
/** …and compared when it stops or the soak ends, if that is at least this much later. */
export const MEMORY_MIN_SPAN_MS = 60_000;
/** The windows read: just after warm-up (its highest RSS) and just before the comparison (its lowest). */
const MEMORY_WINDOW_MS = 15_000;

/** A bot or worker process the soak may kill and start again; it remembers whether an exit was ours. */
export class ManagedProcess {
  current: StoryroomProcess | null = null;
  /** Exits nobody asked for: a crash. */
  readonly crashes: string[] = [];
  readonly lines: string[] = [];
  /** RSS comparisons made, and those that grew past the limit: one per lifetime that ran long enough. */
  memoryCompared = 0;
  readonly memoryGrowth: string[] = [];
  private stopping = false;
  private lifetime: { pid: number; warmedUpAt: number; warmUpPeak: number; recent: { at: number; bytes: number }[] } | null = null;
  startedAt = 0;

  constructor(
    readonly name: 'bot' | 'worker',
    readonly label: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    this.lifetime = null;
    const started = startStoryroomProcess(this.name, this.env, { onLine: (line) => this.lines.push(line) });
    this.current = started;
    this.startedAt = Date.now();
    started.child.once('exit', (code, signal) => {
      if (!this.stopping) this.crashes.push(`${this.label} exited by itself (${code ?? signal ?? '?'})`);
    });
    await started.waitForLine(this.name === 'bot' ? /bot ready/ : /worker started/, 60_000);
  }

  /** Reads this lifetime's RSS once it has run `warmUpMs` (called every second). */
  sampleWarmUp(warmUpMs: number): void {
    const pid = this.pid;
    if (!pid || Date.now() - this.startedAt < warmUpMs) return;
    const bytes = residentBytes(pid);
    if (!bytes) return;
    const now = Date.now();
    if (this.lifetime?.pid !== pid) this.lifetime = { pid, warmedUpAt: now, warmUpPeak: bytes, recent: [] };
    const lifetime = this.lifetime;
    if (now - lifetime.warmedUpAt <= MEMORY_WINDOW_MS) lifetime.warmUpPeak = Math.max(lifetime.warmUpPeak, bytes);
    lifetime.recent = [...lifetime.recent.filter((sample) => now - sample.at <= MEMORY_WINDOW_MS), { at: now, bytes }];
  }

  /**
   * Compares this lifetime's lowest RSS of late with its highest just after warm-up, when it has run at
   * least `minSpanMs` since then (a worker killed soon after warming up says nothing about growth).
   */
  compareMemory(limit: number, minSpanMs: number): void {
    const lifetime = this.lifetime;
    if (!lifetime || this.pid !== lifetime.pid || Date.now() - lifetime.warmedUpAt < minSpanMs) return;
    const now = residentBytes(lifetime.pid);
    const floor = Math.min(...lifetime.recent.map((sample) => sample.bytes), now ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(floor)) return;
    this.memoryCompared += 1;
    if (floor > lifetime.warmUpPeak * limit) {
      const span = Math.round((Date.now() - lifetime.warmedUpAt) / 1000);
      const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
      this.memoryGrowth.push(
        `${this.label} (pid ${lifetime.pid}): at most ${mib(lifetime.warmUpPeak)} MiB in the ${MEMORY_WINDOW_MS / 1000} s after warm-up, never below ${mib(floor)} MiB in the ${MEMORY_WINDOW_MS / 1000} s before the check, ${span} s later`,
      );
    }
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    if (!this.current) return;
    this.compareMemory(MEMORY_LIMIT, MEMORY_MIN_SPAN_MS);
    this.stopping = true;
    await this.current.stop(signal, 30_000);
    this.current = null;
  }

  get pid(): number | null {
    return this.current?.child.pid ?? null;
  }
}

/** Resident memory of a process in bytes, from /proc (Linux). */
export function residentBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
