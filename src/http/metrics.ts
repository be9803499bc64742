// In-process counters of the bot, rendered with what Postgres and Redis know, in Prometheus text format.

export type InteractionKind = 'command' | 'button' | 'modal';
export type InteractionOutcome = 'ok' | 'refused' | 'error';

export class BotMetrics {
  private readonly interactions = new Map<string, number>();

  countInteraction(kind: InteractionKind, outcome: InteractionOutcome): void {
    const key = `${kind}|${outcome}`;
    this.interactions.set(key, (this.interactions.get(key) ?? 0) + 1);
  }

  interactionCounts(): { kind: string; outcome: string; count: number }[] {
    return [...this.interactions].map(([key, count]) => {
      const [kind = '', outcome = ''] = key.split('|');
      return { kind, outcome, count };
    });
  }
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'summary';
  samples: { labels?: Record<string, string>; value: number; suffix?: string }[];
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The exposition format, version 0.0.4: HELP and TYPE once per family, then one line per sample. */
export function renderPrometheus(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = sample.labels && Object.keys(sample.labels).length > 0 ? `{${Object.entries(sample.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      lines.push(`${family.name}${sample.suffix ?? ''}${labels} ${Number.isFinite(sample.value) ? sample.value : 0}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Nearest-rank quantile of sorted values; 0 for none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}
