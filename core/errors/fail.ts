import { ERRORS, type ErrorCode } from './codes.js';
import { MESSAGES, type Messages } from './catalog.js';
import { BuildError, SpaceportError } from './spaceport-error.js';

export type MessageKey = keyof Messages;

/** The params a message takes: `[]` when it takes none, else `[params]`. */
export type MessageParams<K extends MessageKey> = Parameters<Messages[K]['message']>;

/** The keys of the messages raised with `code` (a `BuildError` takes only `BuildFailed` ones). */
export type MessageKeyFor<C extends ErrorCode> = { [K in MessageKey]: Messages[K]['code'] extends C ? K : never }[MessageKey];

export interface FailOptions {
  details?: unknown;
  cause?: unknown;
}

/** `fail`'s arguments after the key: the params (none for a message without any), then options. */
export type FailArgs<K extends MessageKey> = MessageParams<K> extends []
  ? [params?: undefined, options?: FailOptions]
  : [params: MessageParams<K>[0], options?: FailOptions];

export interface RenderedMessage<C extends ErrorCode = ErrorCode> {
  readonly code: C;
  readonly status: number;
  readonly message: string;
}

/** A catalog message rendered with its params, with its code and status (for answers that are not thrown). */
export function renderMessage<K extends MessageKey>(key: K, ...[params]: FailArgs<K>): RenderedMessage<Messages[K]['code']> {
  return render(key, params);
}

function render<K extends MessageKey>(key: K, params: unknown): RenderedMessage<Messages[K]['code']> {
  const entry = MESSAGES[key] as unknown as { code: Messages[K]['code']; message: (p: unknown) => string };
  return { code: entry.code, status: ERRORS[entry.code].status, message: entry.message(params) };
}

/**
 * The error for a catalog message: `throw fail('nodeRangeUnmatched', { range, where })`. A wrong key,
 * a missing or extra param is a compile error; the code (and so the status) comes from the entry.
 */
export function fail<K extends MessageKey>(key: K, ...args: FailArgs<K>): SpaceportError {
  const { code, message } = render(key, args[0]);
  return new SpaceportError(code, message, args[1]);
}

/** A `BuildError` for a `BuildFailed` catalog message: the build's step and log tail ride along. */
export function failBuild<K extends MessageKeyFor<'BuildFailed'>>(
  key: K,
  params: MessageParams<K>[0],
  options: { logTail: string; step?: string; cause?: unknown },
): BuildError {
  const { message } = render(key, params);
  return new BuildError(message, options);
}
