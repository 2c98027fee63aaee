/** A line of a Space's build or run log: data shown to users, never the process log. */
export interface LogLine {
  /** ISO 8601. */
  timestamp: string;
  data: string;
}

/** Where a build or run writes its log lines. */
export interface LogSink {
  write(data: string): void;
}

/** Collects lines in memory (tests, and the tail of a failed build). */
export class MemoryLogSink implements LogSink {
  readonly lines: string[] = [];
  write(data: string): void {
    this.lines.push(data);
  }
  tail(n: number): string {
    return this.lines.slice(-n).join('');
  }
}
