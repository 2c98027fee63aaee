// Test doubles of GitRepos: the in-memory fake. Imported by tests only.
export { FakeGitRepos } from './fake-git-repos.js';
