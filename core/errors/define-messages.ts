import type { ErrorCode } from './codes.js';

/**
 * One message a client or operator can see: the code it is raised with (so its HTTP status) and its
 * text as a function of typed params. An entry with no params has `message: () => '…'`.
 */
export interface MessageEntry {
  readonly code: ErrorCode;
  readonly message: (params: never) => string;
}

/** A catalog of named messages, each bound to one code. Keys are camelCase and unique across areas. */
export type MessageCatalog = Readonly<Record<string, MessageEntry>>;

/** Declare one area's messages; keeps each entry's code and param types. */
export function defineMessages<const T extends MessageCatalog>(messages: T): T {
  return messages;
}
