/**
 * The baseline of the wake benchmark: a Space container's own start-to-ready, measured without
 * Spaceport. Starting the Space's own container while it sleeps would race the reconciler (an
 * asleep Space keeps no container running, so it stops it again at once), so the bench starts a
 * twin: same image, command, user, environment and limits, created from `inspect` of the Space's
 * container, without the `spaceport.*` labels Spaceport watches.
 */
import http from 'node:http';
import type Dockerode from 'dockerode';

/** Create (not start) a twin of a Space container, named `name`. */
export async function createTwin(docker: Dockerode, spaceContainerId: string, name: string): Promise<Dockerode.Container> {
  const info = await docker.getContainer(spaceContainerId).inspect();
  const hc = info.HostConfig;
  return docker.createContainer({
    name,
    Image: info.Config.Image,
    User: info.Config.User,
    Env: info.Config.Env,
    Cmd: info.Config.Cmd,
    WorkingDir: info.Config.WorkingDir,
    ExposedPorts: info.Config.ExposedPorts,
    // Container labels win over the image's: the runtime's event filter never matches the twin.
    Labels: { 'spaceport.managed': 'false', 'spaceport.instance': `${name}-twin`, 'spaceport.bench': 'direct-start' },
    HostConfig: {
      Init: hc.Init ?? true,
      NanoCpus: hc.NanoCpus,
      Memory: hc.Memory,
      MemorySwap: hc.MemorySwap,
      PidsLimit: hc.PidsLimit ?? undefined,
      CapDrop: hc.CapDrop,
      SecurityOpt: hc.SecurityOpt,
      PortBindings: Object.fromEntries(Object.keys(info.Config.ExposedPorts ?? {}).map((p) => [p, [{ HostIp: '127.0.0.1', HostPort: '' }]])),
      RestartPolicy: { Name: 'no' },
    },
  });
}

/** The published host port of a running container's (only) exposed port. */
export async function hostPortOf(container: Dockerode.Container): Promise<number> {
  const info = await container.inspect();
  const bindings = Object.values(info.NetworkSettings.Ports ?? {})[0];
  const port = Number(bindings?.[0]?.HostPort);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`${info.Name} has no published port`);
  return port;
}

/** One GET to 127.0.0.1:port; resolves with the status once the response headers arrive. */
function getStatus(port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Poll `127.0.0.1:port/` every `everyMs` until it answers 200 (Docker's port proxy accepts and
 * drops connections while nothing listens inside: those count as not ready). Returns the
 * `performance.now()` of the first 200's first byte.
 */
export async function pollUntil200(port: () => number | undefined, opts: { timeoutMs: number; everyMs?: number; signal?: AbortSignal }): Promise<number> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    if (opts.signal?.aborted) throw new Error('aborted');
    const p = port();
    if (p !== undefined) {
      const status = await getStatus(p, 2_000).catch(() => 0);
      if (status === 200) return performance.now();
    }
    if (performance.now() > deadline) throw new Error(`port ${p ?? '?'} did not answer 200 within ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 10));
  }
}

/** docker start of the twin → first 200 from its published port, in ms; the twin is stopped again after. */
export async function directStartToReady(twin: Dockerode.Container, timeoutMs: number): Promise<{ startCallMs: number; readyMs: number }> {
  const t0 = performance.now();
  await twin.start();
  const started = performance.now();
  const port = await hostPortOf(twin);
  try {
    const ready = await pollUntil200(() => port, { timeoutMs });
    return { startCallMs: started - t0, readyMs: ready - t0 };
  } finally {
    await twin.stop({ t: 5 }).catch(() => {});
    await twin.wait({ condition: 'not-running' }).catch(() => {});
  }
}
