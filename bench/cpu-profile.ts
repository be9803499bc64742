import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * The frames with the most self time in the .cpuprofile files of a folder, as "share% name (file:line)"
 * of the time the process was not idle; with a window (µs on the monotonic clock the profiles'
 * timestamps use), only the samples inside it.
 */
export function topSelfFrames(directory: string, window: [number, number] | null = null, count = 6): string[] {
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    let at = profile.startTime;
    profile.samples.forEach((id, index) => {
      const frame = byId.get(id)?.callFrame;
      const delta = profile.timeDeltas[index] ?? 0;
      at += delta;
      if (window && (at < window[0] || at > window[1])) return;
      if (!frame || frame.functionName === '(idle)') return;
      totalUs += delta;
      const where = frame.url
        ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|dist)\//, '$1/')}:${frame.lineNumber + 1}`
        : '';
      const key = `${frame.functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
      selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    });
  }
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => `${((100 * us) / Math.max(1, totalUs)).toFixed(1)}% ${key}`);
}
