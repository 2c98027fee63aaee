const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;

/**
 * A duration as the Hub writes it (`30m`, `1h`, `90s`, `1h30m`, `2d`) in milliseconds,
 * or undefined when the text is not one (or is zero).
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$/i.exec(text);
  if (!m || !(m[1] || m[2] || m[3] || m[4])) return undefined;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  const ms = d * UNIT_MS.d + h * UNIT_MS.h + min * UNIT_MS.m + s * UNIT_MS.s;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}
