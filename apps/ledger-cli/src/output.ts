/**
 * How the CLI speaks: results on stdout as text for a terminal, or JSON or CSV for tools (`--format`);
 * progress bars and messages on stderr, so piping stdout into a file or `jq` stays clean.
 */
import { SingleBar } from 'cli-progress';

export type Format = 'text' | 'json' | 'csv';
export const FORMATS: Format[] = ['text', 'json', 'csv'];

/** A refusal the user can fix (bad option, unknown account): printed without a stack, exit code 2. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export function parseFormat(value: string): Format {
  if (!(FORMATS as string[]).includes(value)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}, got ${value}`);
  return value as Format;
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function json(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // RFC 4180: a cell holding a quote, a comma or a line break (CR as well as LF) is quoted, quotes doubled.
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(header: string[], rows: unknown[][]): string {
  return csvRows([header, ...rows]);
}

/** CSV lines without a header, for output written a part at a time. */
export function csvRows(rows: unknown[][]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n');
}

/** A fixed-width table for a terminal; numeric-looking cells are right-aligned. */
export function table(header: string[], rows: unknown[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = /^-?\d+(\.\d+)?$/;
  return cells.map((r) => r.map((c, i) => (numeric.test(c) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** A progress bar on stderr (drawn only on a terminal), advanced by log position or by count. */
export function progress(label: string): { update(done: bigint | number, total: bigint | number, unit?: string): void; stop(): void } {
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total} {unit}`, stream: process.stderr, hideCursor: true }, undefined);
  let started = false;
  return {
    update(done, total, unit = '') {
      if (!started) {
        bar.start(Number(total), 0, { unit });
        started = true;
      }
      bar.setTotal(Number(total));
      bar.update(Number(done), { unit });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
