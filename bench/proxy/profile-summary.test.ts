import { describe, expect, it } from 'vitest';
import { summarizeProfile, type CpuProfile } from './profile-summary.js';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });

describe('summarizeProfile', () => {
  it('shares busy time by what a request pays for, leaving out idle time and module loading', () => {
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 6, 8, 9] },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('run', 'node:async_hooks') },
        { id: 4, callFrame: frame('forwardRequest', 'file:///x/proxy/forward-request.ts'), children: [5] },
        { id: 5, callFrame: frame('writev') },
        { id: 6, callFrame: frame('Module._load', 'node:internal/modules/cjs/loader'), children: [7] },
        { id: 7, callFrame: frame('compile') },
        { id: 8, callFrame: frame('setHeader', 'node:_http_outgoing') },
        { id: 9, callFrame: frame('(garbage collector)') },
      ],
      samples: [2, 3, 4, 5, 5, 7, 8, 9],
      timeDeltas: [100, 10, 10, 10, 10, 500, 10, 10],
    };
    const s = summarizeProfile(p);
    expect(s.busyMicros).toBe(60);
    expect(Object.fromEntries(s.byCategory)).toMatchObject({
      'async_hooks (AsyncLocalStorage)': 10,
      'proxy/ code (self)': 10,
      'socket write syscalls (writev, write)': 20,
      'setHeader and writeHead merging headers': 10,
      'garbage collector': 10,
    });
    expect(s.topSelf[0]).toEqual(['writev :1', 20]);
  });
});
