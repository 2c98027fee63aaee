import type { SpaceRecord } from '../store/records.js';

/**
 * What a build will release, decided from the README and the file list before any Docker work: the
 * pipeline's plan (the builder's `BuildPlan`, `planBuild`'s output, is one step in making it).
 */
export type ReleasePlan =
  | { kind: 'config_error'; message: string }
  | { kind: 'no_app_file'; message: string }
  | {
      kind: 'ok';
      image: string;
      dockerfile?: string;
      extraFiles: Record<string, string>;
      buildArgs: Record<string, string>;
      port: number;
      sdk: SpaceRecord['sdk'];
      /** The parsed config, stored with the release (startup timeout, title, …). */
      config: Record<string, unknown>;
      /** The README front matter as given (the Hub's `cardData`). */
      cardData: Record<string, unknown>;
      notices: string[];
    };

export type PlanRelease = (input: {
  space: SpaceRecord;
  readme: string | undefined;
  files: string[];
  tree: string;
  variables: Record<string, string>;
  /** requirements.txt, when the repo has one (local references change the layer order). */
  requirementsTxt?: string;
  /** package.json, .nvmrc and .node-version, when the repo has them (a static build's Node.js version). */
  nodeFiles?: { packageJson?: string; nvmrc?: string; nodeVersionFile?: string };
  /** Committer date of the newest commit that changed README.md or a dependency file (packages are resolved as of then). */
  dependenciesChangedAt?: Date;
  /** static with app_build_command: build the output alone (`files`, released as a tree) or with its file server. */
  staticOutput?: 'files' | 'server';
}) => ReleasePlan | Promise<ReleasePlan>;
