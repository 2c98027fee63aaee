import { runGitReposContract } from './git-repos-contract.js';
import { FakeGitRepos } from './fake-git-repos.js';

runGitReposContract('FakeGitRepos', async () => {
  const repos = new FakeGitRepos();
  return {
    repos,
    commit: (space, files, branch, date) => repos.commit(space, files, branch, date),
    close: async () => {},
  };
});
