import { describe, expect, it } from 'vitest';
import { imageRefFor } from './image-ref.js';

const TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const HASH = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('imageRefFor', () => {
  it('is spaceport/{subdomain}:{tree[0:12]}-{templateHash[0:8]}', () => {
    expect(imageRefFor({ subdomain: 'alice-demo', tree: TREE, templateHash: HASH })).toBe('spaceport/alice-demo:4b825dc642cb-a1b2c3d4');
  });

  it('changes with the tree and with the template, not otherwise', () => {
    const a = imageRefFor({ subdomain: 'a-b', tree: TREE, templateHash: HASH });
    expect(imageRefFor({ subdomain: 'a-b', tree: TREE, templateHash: HASH })).toBe(a);
    expect(imageRefFor({ subdomain: 'a-b', tree: `f${TREE.slice(1)}`, templateHash: HASH })).not.toBe(a);
    expect(imageRefFor({ subdomain: 'a-b', tree: TREE, templateHash: `0${HASH.slice(1)}` })).not.toBe(a);
  });

  it('keeps the name a valid Docker repository name', () => {
    expect(imageRefFor({ subdomain: 'Alice_Demo.v2', tree: TREE.toUpperCase(), templateHash: HASH })).toBe('spaceport/alice-demo-v2:4b825dc642cb-a1b2c3d4');
  });

  it('rejects a tree or hash that is not hex', () => {
    expect(() => imageRefFor({ subdomain: 'a', tree: 'main', templateHash: HASH })).toThrow(/tree/);
    expect(() => imageRefFor({ subdomain: 'a', tree: TREE, templateHash: 'xyz' })).toThrow(/templateHash/);
    expect(() => imageRefFor({ subdomain: '..', tree: TREE, templateHash: HASH })).toThrow(/subdomain/);
  });
  it('puts the install in the tag, so two installs on one engine never share an image (issue 15)', () => {
    expect(imageRefFor({ subdomain: 'alice-demo', tree: TREE, templateHash: HASH, instance: 'blue' })).toBe('spaceport/alice-demo:blue-4b825dc642cb-a1b2c3d4');
    expect(imageRefFor({ subdomain: 'alice-demo', tree: TREE, templateHash: HASH, instance: 'green' })).not.toBe(imageRefFor({ subdomain: 'alice-demo', tree: TREE, templateHash: HASH, instance: 'blue' }));
    expect(() => imageRefFor({ subdomain: 'a', tree: TREE, templateHash: HASH, instance: 'Bad:Name' })).toThrow();
  });
});
