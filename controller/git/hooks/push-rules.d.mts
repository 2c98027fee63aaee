// Types of push-rules.mjs (plain Node, copied into each bare repo), for Spaceport's TypeScript.
import type { SpawnOptions } from 'node:child_process';

export declare const DEFAULT_LIMIT_BYTES: number;

export interface RefUpdate {
  oldSha: string;
  newSha: string;
  ref: string;
}

export declare function parseUpdates(text: string): RefUpdate[];

export interface PushRulesVerdict {
  refusals: string[];
  missingLfs: { path: string; oid: string }[];
}

export interface JudgePushOptions {
  /** Largest file a push may add, in bytes (default 10 MiB). */
  limit?: number;
  /** How git runs: spawn options (cwd, env seeing the quarantined objects) and where its stderr goes. */
  git?: { options: Pick<SpawnOptions, 'cwd' | 'env'>; stderr: 'inherit' | 'ignore' };
  /** README.md at the new head of main (undefined: none, or main not pushed) and the pointer candidates → the verdict. */
  verdict?: (push: { readme: string | undefined; pointers: { path: string; text: string }[] }) => Promise<PushRulesVerdict>;
}

/** Judge a push from its ref updates (the hook's stdin): may it land, and the lines to show the client. */
export declare function judgePush(input: string, options?: JudgePushOptions): Promise<{ ok: boolean; lines: string[] }>;
