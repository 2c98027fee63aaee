import { BUILDER_MESSAGES } from './builder-messages.js';
import { GIT_MESSAGES } from './git-messages.js';
import { HTTP_MESSAGES } from './http-messages.js';
import { PLATFORM_MESSAGES } from './platform-messages.js';
import { SPACE_MESSAGES } from './space-messages.js';

/**
 * Every message a client or operator can see, by name: one file per area, merged here. To add an
 * area, write `{area}-messages.ts` with `defineMessages({...})` and add it to AREAS. A key used in
 * two areas is a compile error below (and a test failure).
 */
export const AREAS = {
  builder: BUILDER_MESSAGES,
  git: GIT_MESSAGES,
  http: HTTP_MESSAGES,
  platform: PLATFORM_MESSAGES,
  space: SPACE_MESSAGES,
} as const;

type Areas = typeof AREAS;
type AreaKeys<A extends keyof Areas> = keyof Areas[A];
type Overlap = {
  [A in keyof Areas]: { [B in Exclude<keyof Areas, A>]: AreaKeys<A> & AreaKeys<B> }[Exclude<keyof Areas, A>];
}[keyof Areas];
/** `never` unless two areas share a key; then the name of the key. */
const noSharedKeys: [Overlap] extends [never] ? true : { sharedKey: Overlap } = true;
void noSharedKeys;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** All areas' messages as one catalog type. */
export type Messages = UnionToIntersection<Areas[keyof Areas]>;

export const MESSAGES: Messages = Object.assign({}, ...Object.values(AREAS)) as Messages;
