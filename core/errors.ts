/**
 * Errors, in one place: `errors/codes.ts` is the registry of codes (HTTP status, default message),
 * the client contract; `errors/*-messages.ts` declare every other message, each bound to one code,
 * merged in `errors/catalog.ts`; `fail(key, params)` raises one.
 */
export { ERRORS, type ErrorCode } from './errors/codes.js';
export { BuildError, SpaceportError, isSpaceportError, toSpaceportError } from './errors/spaceport-error.js';
export { defineMessages, type MessageCatalog, type MessageEntry } from './errors/define-messages.js';
export { MESSAGES, type Messages } from './errors/catalog.js';
export {
  fail,
  failBuild,
  renderMessage,
  type FailArgs,
  type FailOptions,
  type MessageKey,
  type MessageKeyFor,
  type MessageParams,
  type RenderedMessage,
} from './errors/fail.js';
