import { pino, type Logger, type DestinationStream } from 'pino';
import { redactQuery, requestContext } from './request-context.js';

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
      // Credentials never reach the log: token-like fields, Authorization and Cookie headers, and
      // the values of `?token=`-like query parameters of any `url`/`path` field.
      redact: {
        paths: [
          'token',
          'secret',
          'value',
          'password',
          '*.token',
          '*.secret',
          '*.password',
          'headers.authorization',
          'headers.cookie',
          'headers["set-cookie"]',
          'headers["x-api-key"]',
          '*.headers.authorization',
          '*.headers.cookie',
          '*.headers["set-cookie"]',
          '*.headers["x-api-key"]',
        ],
        censor: '[redacted]',
      },
      serializers: { url: redactQuery, path: redactQuery },
      // Every line written while a request is handled names it (`req`: its X-Request-Id).
      mixin: () => {
        const ctx = requestContext.getStore();
        return ctx ? { req: ctx.id } : {};
      },
    },
    opts.destination,
  );
}

/** A logger that drops everything, for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
