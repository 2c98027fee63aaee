import { parseSpaceConfig } from '../../builder/index.js';
import type { GitRepos } from '../git/index.js';
import type { SpaceRecord } from '../store/records.js';

/**
 * The Hub's `cardData` for the head of `main` as pushed: the README's front matter, read at push
 * time (not when a build succeeds, which left it empty during a first build and stale during later
 * ones). `{}` when the head has no README; undefined when there is no head or the front matter does
 * not parse (the build then fails with CONFIG_ERROR and says why; the card is left as it was).
 */
export async function readmeCardAtHead(repos: GitRepos, space: SpaceRecord): Promise<Record<string, unknown> | undefined> {
  const head = await repos.head(space.id);
  if (!head) return undefined;
  const readme = await repos.readFile(space.id, head.commit, 'README.md');
  if (readme === undefined) return {};
  const parsed = parseSpaceConfig(readme.toString('utf8'));
  return parsed.ok ? parsed.cardData : undefined;
}
