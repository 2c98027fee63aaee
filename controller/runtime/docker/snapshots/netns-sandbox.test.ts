import { describe, expect, it } from 'vitest';
import type { ReleaseId } from '../../../../core/index.js';
import { toSpaceId } from '../../../../core/index.js';
import { dockerCreateOptions } from '../docker-create-options.js';
import { containerFactsFrom } from '../docker-state.js';
import { joinSandbox, sandboxCreateOptions, sandboxIdOf } from './netns-sandbox.js';

const app = dockerCreateOptions(
  {
    space: toSpaceId('alice', 'demo'),
    release: 'r1' as ReleaseId,
    image: 'img:1',
    port: 7860,
    env: { SECRET: 'x' },
    secretKeys: ['SECRET'],
    flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: 1024 ** 3 },
  },
  { namePrefix: 'sp', network: 'sp-spaces' },
);

describe('network sandbox options', () => {
  it('the sandbox: same image and user, on the Space network, publishes the app port on loopback, no env, not an instance, capped', () => {
    const o = sandboxCreateOptions(app);
    expect(o.name).toMatch(/^sp-demo-alice-r1\.net-[0-9a-f]{8}$|^sp-.*\.net-[0-9a-f]{8}$/);
    expect(o.Image).toBe('img:1');
    expect(o.User).toBe('1000:1000');
    expect(o.Entrypoint).toEqual(['sleep', 'infinity']);
    expect(o.Env).toBeUndefined();
    expect(o.HostConfig).toMatchObject({ NetworkMode: 'sp-spaces', PortBindings: { '7860/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, CapDrop: ['ALL'], PidsLimit: 8 });
    expect(o.HostConfig?.Memory).toBeLessThanOrEqual(16 * 1024 ** 2);
    // Never listed as an instance of the Space: no `managed` or `space` label.
    expect(o.Labels).toEqual({ 'spaceport.instance': 'sp', 'spaceport.sandbox-of': 'alice/demo', 'spaceport.release': 'r1' });
    expect(sandboxCreateOptions(app).name).not.toBe(o.name);
  });

  it('the app joins it: its namespace, no ports or network of its own; the rest unchanged', () => {
    const joined = joinSandbox(app, { id: 'abc', hostPort: 41000, network: 'sp-spaces' });
    expect(joined.HostConfig?.NetworkMode).toBe('container:abc');
    expect(joined.HostConfig?.PortBindings).toBeUndefined();
    expect(joined.ExposedPorts).toBeUndefined();
    expect(joined.Env).toEqual(app.Env);
    expect(joined.HostConfig?.Memory).toBe(app.HostConfig?.Memory);
    expect(joined.Labels).toMatchObject({ 'spaceport.sandbox-port': '41000', 'spaceport.sandbox-network': 'sp-spaces', 'spaceport.space': 'alice/demo' });
  });

  it("the app's facts: the sandbox's port and network; its id from NetworkMode", () => {
    const joined = joinSandbox(app, { id: 'abc', hostPort: 41000, network: 'sp-spaces' });
    const info = {
      Id: 'app1',
      Name: '/sp-demo',
      Config: { Labels: joined.Labels, Image: 'img:1' },
      State: { Status: 'running', ExitCode: 0, OOMKilled: false, Error: '', StartedAt: new Date().toISOString() },
      HostConfig: { NetworkMode: 'container:abc', Memory: 1 },
      NetworkSettings: { Ports: {}, Networks: {} },
      RestartCount: 0,
    } as never;
    expect(containerFactsFrom(info)).toMatchObject({ hostPort: 41000, networks: ['sp-spaces'], sandbox: 'abc' });
    expect(sandboxIdOf(info)).toBe('abc');
    // Another container's namespace without our labels is no sandbox of ours.
    expect(sandboxIdOf({ HostConfig: { NetworkMode: 'container:zzz' }, Config: { Labels: {} } } as never)).toBeUndefined();
    expect(sandboxIdOf({ HostConfig: { NetworkMode: 'sp-spaces' }, Config: { Labels: {} } } as never)).toBeUndefined();
  });
});
