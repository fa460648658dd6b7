/** Reads the Prometheus text format into `series{labels} -> value`, enough for assertions. */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

/** The value of one series; labels in the order prom-client prints them (the order they were declared). */
export function valueOf(values: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const rendered = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return values.get(rendered ? `${name}{${rendered}}` : name);
}
