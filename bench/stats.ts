export interface Summary {
  median: number;
  p99: number;
  n: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { median: Number.NaN, p99: Number.NaN, n: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
  return { median: at(0.5), p99: at(0.99), n: sorted.length };
}

export interface BenchRow {
  measure: string;
  unit: string;
  value: Summary;
  baseline: { name: string; value: Summary } | null;
  /** value.median / baseline.median (for rates, how much of the baseline's rate). */
  ratio: number | null;
  target: string | null;
  note?: string;
}

export function row(
  measure: string,
  unit: string,
  value: Summary,
  baseline: BenchRow['baseline'],
  target: string | null,
  note?: string,
): BenchRow {
  const ratio = baseline && baseline.value.median > 0 ? value.median / baseline.value.median : null;
  return { measure, unit, value, baseline, ratio, target, ...(note ? { note } : {}) };
}

const fmt = (n: number) => (Number.isNaN(n) ? '–' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function renderTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| measure | median | p99 | n | baseline | baseline median | ratio | target |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.measure} | ${fmt(r.value.median)} ${r.unit} | ${fmt(r.value.p99)} ${r.unit} | ${r.value.n} | ${r.baseline?.name ?? '–'} | ${
        r.baseline ? `${fmt(r.baseline.value.median)} ${r.unit}` : '–'
      } | ${r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`} | ${r.target ?? '–'}${r.note ? ` (${r.note})` : ''} |`,
    );
  }
  return lines.join('\n');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const now = () => performance.now();
