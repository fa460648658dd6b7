/**
 * Turns a run's results into the table printed at the end, and the markdown block written into
 * bench/README.md. Every throughput is also given as a ratio to the baseline of the same run, and each
 * target is restated as such a ratio (target / the baseline on the reference machine), which is
 * what decides met or missed: absolute figures move with the host's load, ratios much less.
 */
import type { MachineInfo } from './stats';

export interface Baseline {
  eventBytes: number;
  singleEventCommitsPerSec: number;
  hundredPerCommitEventsPerSec: number;
  readParsedEventsPerSec: number;
}

/** The baseline the issue measured on the reference 2-core machine, which its targets were set against. */
export const REFERENCE = { singleEventCommitsPerSec: 6000, hundredPerCommitEventsPerSec: 30000, readParsedEventsPerSec: 240000 };

export interface Row {
  scenario: string;
  figure: string;
  value: string;
  /** Ratio to the same run's baseline, e.g. "1.23x single commits". */
  ratio: string;
  target: string;
  verdict: string;
}

export function ratio(value: number, base: number): number {
  return Math.round((value / base) * 1000) / 1000;
}

/** A throughput target judged as a ratio: met when value/base >= target/reference. */
export function throughputRow(scenario: string, figure: string, value: number, unit: string, base: number, baseName: string, target?: { value: number; reference: number }): Row {
  const r = ratio(value, base);
  if (!target) return { scenario, figure, value: `${value.toLocaleString('en-US')} ${unit}`, ratio: `${r}x ${baseName}`, target: '', verdict: '' };
  const needed = ratio(target.value, target.reference);
  const met = r >= needed;
  return {
    scenario,
    figure,
    value: `${value.toLocaleString('en-US')} ${unit}`,
    ratio: `${r}x ${baseName}`,
    target: `>= ${target.value.toLocaleString('en-US')} ${unit} (${needed}x)`,
    verdict: met ? 'met' : `missed: ${Math.round((r / needed) * 100)}% of target`,
  };
}

export function upperBoundRow(scenario: string, figure: string, value: number, unit: string, limit?: number, note = ''): Row {
  return {
    scenario,
    figure,
    value: `${value.toLocaleString('en-US')} ${unit}${note}`,
    ratio: '',
    target: limit === undefined ? '' : `<= ${limit.toLocaleString('en-US')} ${unit}`,
    verdict: limit === undefined ? '' : value <= limit ? 'met' : `missed by ${Math.round((value / limit) * 100) - 100}%`,
  };
}

export function markdownTable(rows: Row[]): string {
  const header = '| scenario | figure | value | ratio to baseline | target (as ratio) | verdict |\n|---|---|---|---|---|---|';
  return [header, ...rows.map((r) => `| ${r.scenario} | ${r.figure} | ${r.value} | ${r.ratio} | ${r.target} | ${r.verdict} |`)].join('\n');
}

export function textTable(rows: Row[]): string {
  const cols: (keyof Row)[] = ['scenario', 'figure', 'value', 'ratio', 'target', 'verdict'];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n');
}

export function machineBlock(m: MachineInfo, mode: string, wallMinutes: number): string {
  return [
    `- date: ${m.date}, mode: \`${mode}\`, wall time ${wallMinutes.toFixed(1)} min`,
    `- commit: \`${m.commit}\`${m.dirty ? ' (the working tree had uncommitted changes)' : ''}, node ${m.node}`,
    `- machine: ${m.nproc} cores (\`nproc\`), ${m.cpuModel}, ${m.memory} RAM (${m.freeMemory} free at start)`,
    `- load average at start (1, 5, 15 min): ${m.loadAverage.join(', ')}`,
  ].join('\n');
}
