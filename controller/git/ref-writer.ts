import { fail } from '../../core/index.js';
import { branchNameProblem } from './branch-name.js';
import { runGit } from './run-git.js';

const ZERO = '0'.repeat(40);

export type RefKind = 'branch' | 'tag';

const PREFIX: Record<RefKind, string> = { branch: 'refs/heads/', tag: 'refs/tags/' };

/** A branch or tag name (the rules of `git check-ref-format`), or a 400 naming the rule it breaks. */
export function checkRefName(kind: RefKind, name: string): string {
  const problem = name.startsWith('refs/') ? 'must not start with "refs/" (give the short name)' : branchNameProblem(name);
  if (problem) throw fail('refNameInvalid', { kind, name, problem });
  return name;
}

async function refExists(gitDir: string, ref: string): Promise<boolean> {
  const r = await runGit(['show-ref', '--verify', '--quiet', ref], { gitDir, okExitCodes: [1] });
  return r.exitCode === 0;
}

/**
 * A new branch or lightweight tag at `commit`: `update-ref <ref> <commit> <zero>` fails when the ref
 * exists meanwhile (409, as the Hub answers), so two creators never overwrite each other.
 */
export async function createRef(gitDir: string, kind: RefKind, name: string, commit: string): Promise<void> {
  const ref = `${PREFIX[kind]}${checkRefName(kind, name)}`;
  if (await refExists(gitDir, ref)) throw fail('refExists', { kind, name });
  const r = await runGit(['update-ref', '--no-deref', ref, commit, ZERO], { gitDir, okExitCodes: [128] });
  if (r.exitCode !== 0) throw fail('refExists', { kind, name });
}

/** An annotated tag (`message`), tagged by `tagger`: the tag object by `mktag`, then the ref. */
export async function createAnnotatedTag(gitDir: string, input: { name: string; commit: string; message: string; tagger: { name: string; email: string } }): Promise<void> {
  const name = checkRefName('tag', input.name);
  if (await refExists(gitDir, `refs/tags/${name}`)) throw fail('refExists', { kind: 'tag', name });
  const safe = (v: string) => v.replace(/[<>\n]/g, '');
  const body = [
    `object ${input.commit}`,
    'type commit',
    `tag ${name}`,
    `tagger ${safe(input.tagger.name)} <${safe(input.tagger.email)}> ${Math.floor(Date.now() / 1000)} +0000`,
    '',
    input.message.endsWith('\n') ? input.message : `${input.message}\n`,
  ].join('\n');
  const tagObject = (await runGit(['mktag'], { gitDir, input: body })).stdout.toString().trim();
  await createRef(gitDir, 'tag', name, tagObject);
}

/** Remove a branch or tag; 404 when there is none (`main` is refused by the caller's rule). */
export async function deleteRef(gitDir: string, kind: RefKind, name: string): Promise<void> {
  const ref = `${PREFIX[kind]}${checkRefName(kind, name)}`;
  if (!(await refExists(gitDir, ref))) throw kind === 'branch' ? fail('branchNotFound', { branch: name }) : fail('tagNotFound', { tag: name });
  await runGit(['update-ref', '--no-deref', '-d', ref], { gitDir });
}
