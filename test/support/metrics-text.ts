/** `name{labels} value` lines of a Prometheus text exposition, as a lookup (undefined: no such series). */
export function parseMetrics(text: string): (series: string) => number | undefined {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    values.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return (series) => values.get(series);
}
