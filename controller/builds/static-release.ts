import path from 'node:path';
import type { ImageBuilder } from '../../builder/index.js';
import type { SpaceId } from '../../core/index.js';
import { STATIC_OUTPUT_DIR, sdkTraits } from '../../templates/index.js';
import type { GitRepos } from '../git/index.js';
import { staticTreeImage } from '../runtime/static-instance.js';
import type { StaticTreeDir } from './static-tree-dir.js';

interface Sink {
  write(s: string): void;
}

/**
 * How a static Space is released when its trees are served by the proxy: `tree` (the repo's files,
 * no build), `built-files` (`app_build_command` runs in a build container, then its output is read
 * back from the image into a tree) or `image` (no tree store, or a builder that cannot read images back).
 */
export function staticReleaseKind(
  plan: { sdk: string; config: Record<string, unknown> },
  staticTrees: StaticTreeDir | undefined,
  builder: Pick<ImageBuilder, 'imageFiles'>,
): 'tree' | 'built-files' | 'image' | undefined {
  if (plan.sdk !== 'static') return undefined;
  if (!staticTrees) return 'image';
  if (!plan.config.app_build_command) return 'tree';
  return builder.imageFiles ? 'built-files' : 'image';
}

/** The release image (a tree reference) of a static Space's repo files at `commit`, put in place first. */
export async function releaseRepoTree(o: {
  staticTrees: StaticTreeDir;
  repos: Pick<GitRepos, 'exportTree'>;
  space: SpaceId;
  commit: string;
  tree: string;
  config: Record<string, unknown>;
  sink: Sink;
  signal: AbortSignal;
}): Promise<string> {
  const made = await o.staticTrees.materialise(o.repos, o.space, o.commit, o.tree, o.signal);
  const index = String(o.config.app_file ?? sdkTraits('static').defaultAppFile);
  o.sink.write(made === 'made' ? `Static files in place (tree ${o.tree}): served by the proxy, no container.\n` : `Static files of tree ${o.tree} are in place already.\n`);
  return staticTreeImage({ tree: o.tree, index });
}

/**
 * The release image (a tree reference) of a static build's output: read back from the files-only
 * image the build made, keyed by that image's content id, and put in place.
 */
export async function releaseBuiltFiles(o: {
  staticTrees: StaticTreeDir;
  builder: Required<Pick<ImageBuilder, 'imageFiles'>>;
  image: string;
  config: Record<string, unknown>;
  sink: Sink;
  signal: AbortSignal;
}): Promise<string> {
  const files = await o.builder.imageFiles(o.image, STATIC_OUTPUT_DIR);
  const made = await o.staticTrees.materialiseFiles(files.id, files.tar, path.posix.basename(STATIC_OUTPUT_DIR), o.signal);
  // app_file names the output's index below its folder (`dist/index.html`): the folder is the tree.
  const index = path.posix.basename(String(o.config.app_file ?? sdkTraits('static').defaultAppFile));
  o.sink.write(
    made === 'made' ? `Build output in place (${files.id.slice(0, 12)}): served by the proxy, no container.\n` : `Build output ${files.id.slice(0, 12)} is in place already.\n`,
  );
  return staticTreeImage({ tree: files.id, index });
}
