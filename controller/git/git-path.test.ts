import { describe, expect, it } from 'vitest';
import { isGitRequest, parseGitPath } from './git-path.js';

describe('isGitRequest', () => {
  it('recognises clone, fetch and push traffic', () => {
    expect(isGitRequest('GET', '/spaces/a/b/info/refs?service=git-upload-pack')).toBe(true);
    expect(isGitRequest('GET', '/spaces/a/b.git/info/refs?service=git-receive-pack')).toBe(true);
    expect(isGitRequest('POST', '/spaces/a/b/git-upload-pack')).toBe(true);
    expect(isGitRequest('POST', '/spaces/a/b.git/git-receive-pack')).toBe(true);
    expect(isGitRequest('GET', '/spaces/a/b/HEAD')).toBe(true);
  });

  it('leaves other /spaces/ URLs alone', () => {
    expect(isGitRequest('GET', '/spaces/a/b')).toBe(false);
    expect(isGitRequest('GET', '/spaces/a/b/info/refs')).toBe(false); // dumb protocol
    expect(isGitRequest('GET', '/spaces/a/b/info/refs?service=other')).toBe(false);
    expect(isGitRequest('GET', '/spaces/a/b/git-upload-pack')).toBe(false);
    expect(isGitRequest('POST', '/spaces/a/b/info/refs?service=git-upload-pack')).toBe(false);
    expect(isGitRequest('GET', '/spaces/a/b/resolve/main/info/refs?service=git-upload-pack')).toBe(false);
    expect(isGitRequest('POST', '/spaces/a/b.git/info/lfs/objects/batch')).toBe(false);
    expect(isGitRequest('GET', '/api/spaces/a/b/info/refs?service=git-upload-pack')).toBe(false);
    expect(isGitRequest('GET', undefined)).toBe(false);
  });
});

describe('parseGitPath', () => {
  it('parses owner, name (with or without .git), service and access', () => {
    expect(parseGitPath('/spaces/alice/demo.git/info/refs?service=git-receive-pack')).toEqual({
      space: 'alice/demo',
      owner: 'alice',
      name: 'demo',
      service: 'info/refs',
      queryService: 'git-receive-pack',
      query: 'service=git-receive-pack',
      access: 'write',
    });
    expect(parseGitPath('/spaces/alice/demo/git-upload-pack')).toMatchObject({ space: 'alice/demo', access: 'read', query: '' });
    expect(parseGitPath('/spaces/alice/demo/git-receive-pack')).toMatchObject({ access: 'write' });
    expect(parseGitPath('/spaces/Org.Name/my_space-2/HEAD')).toMatchObject({ space: 'Org.Name/my_space-2', access: 'read' });
  });

  it('is undefined for other shapes and throws InvalidName for bad names', () => {
    expect(parseGitPath('/spaces/alice/demo')).toBeUndefined();
    expect(parseGitPath('/models/alice/demo/info/refs')).toBeUndefined();
    expect(() => parseGitPath('/spaces/al--ice/demo/HEAD')).toThrow(expect.objectContaining({ code: 'InvalidName' }));
    expect(() => parseGitPath('/spaces/alice/.git/HEAD')).toThrow(expect.objectContaining({ code: 'InvalidName' }));
  });
});
