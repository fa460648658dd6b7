/** Timing and summary helpers shared by the benchmark phases. */
import { execSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarize(latenciesMs: number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted[sorted.length - 1] ?? NaN) };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds since an hrtime mark, as a float. */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * CPU time the whole process spent since the clock was made, every thread of it (main, workers, the
 * collector's helpers, SQLite's checkpointer), in milliseconds. It is the work a phase cost, which another
 * load on the host's cores slows but does not add to, as it adds to wall time: a figure per command or
 * per account from it moves far less between runs than a rate does.
 */
export class CpuClock {
  private readonly start = process.cpuUsage();

  ms(): number {
    const used = process.cpuUsage(this.start);
    return (used.user + used.system) / 1000;
  }
}

/**
 * Samples resident memory while work runs, because `maxRSS` only ever grows over a process's life; every
 * `everyMs`, and at each new peak `atPeak()` too, kept as `detail` (what the peak was made of).
 */
export class RssSampler<T = undefined> {
  private peak = 0;
  detail: T | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 50, private readonly atPeak?: () => T) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs).unref();
  }

  private sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss <= this.peak) return;
    this.peak = rss;
    if (this.atPeak) this.detail = this.atPeak();
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return Math.round(this.peak / 2 ** 20);
  }
}

export interface MachineInfo {
  date: string;
  commit: string;
  dirty: boolean;
  node: string;
  nproc: number;
  cpuModel: string;
  memory: string;
  freeMemory: string;
  loadAverage: number[];
}

function sh(command: string): string {
  try {
    return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    commit: sh('git rev-parse --short HEAD'),
    dirty: sh('git status --porcelain') !== '',
    node: process.version,
    nproc: Number(sh('nproc')) || cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    freeMemory: `${(freemem() / 2 ** 30).toFixed(1)} GiB`,
    loadAverage: loadavg().map((x) => round(x)),
  };
}
