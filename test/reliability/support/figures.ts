/**
 * The reliability specs print what they measured, one block each, so the figures in
 * docs/reliability.md can be checked against any run.
 */
export function printFigures(suite: string, figures: Record<string, number | string>): void {
  const lines = Object.entries(figures).map(([name, value]) => `  ${name}: ${value}`);
  process.stdout.write(`\nreliability figures, ${suite}:\n${lines.join('\n')}\n`);
}
