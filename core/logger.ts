import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout when absent. Tests pass a sink. */
  destination?: DestinationStream;
}

/** The process logger: created once in the composition root and injected everywhere. */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: undefined,
      redact: { paths: ['token', 'secret', 'value', '*.token', '*.secret', 'headers.authorization'], censor: '[redacted]' },
    },
    opts.destination,
  );
}

/** A logger that drops everything, for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
