import { defineMessages } from './define-messages.js';

/** core/, proxy/ and controller/internal-api/ (the API between them): names, options, the proxy's own answers. */
/** A Docker Engine failure while doing `action` (core/docker-errors.ts), raised under the caller's code. */
const dockerCouldNot = (p: { action: string; message: string }) => `Could not ${p.action}: ${p.message}`;

export const PLATFORM_MESSAGES = defineMessages({
  // the Docker engine (core/docker-errors.ts, for the runtime and the image builders)
  dockerSocketDenied: {
    code: 'DockerUnavailable',
    message: (p: { address: string | undefined; action: string }) =>
      `Permission denied on the Docker socket${p.address ? ` ${p.address}` : ''} while trying to ${p.action}: run Spaceport as root or as a member of the "docker" group.`,
  },
  dockerUnreachable: {
    code: 'DockerUnavailable',
    message: (p: { address: string | undefined; errno: string; action: string }) =>
      `The Docker engine is not reachable${p.address ? ` at ${p.address}` : ''} (${p.errno}) while trying to ${p.action}: start it (\`dockerd > /var/log/dockerd.log 2>&1 &\`) or set DOCKER_HOST to a running engine.`,
  },
  dockerNoSuchImage: {
    code: 'RuntimeFailed',
    message: (p: { image: string; message: string }) =>
      `Image ${p.image} does not exist on the Docker engine (Spaceport never pulls images): build it first. Docker said: ${p.message}`,
  },
  dockerNotFound: { code: 'NotFound', message: dockerCouldNot },
  dockerRuntimeFailed: { code: 'RuntimeFailed', message: dockerCouldNot },
  dockerBuildFailed: { code: 'BuildFailed', message: dockerCouldNot },
  dockerFailed: { code: 'Internal', message: dockerCouldNot },

  // snapshot wake (controller/runtime/docker/snapshots/)
  snapshotBadContainerId: {
    code: 'RuntimeFailed',
    message: (p: { id: string }) => `Snapshots are kept per Docker container id (64 hex digits); "${p.id.slice(0, 80)}" is not one.`,
  },

  // the Spaces' network and host firewall (controller/runtime/docker/docker-space-network.ts)
  spaceFirewallFailed: {
    code: 'RuntimeFailed',
    message: (p: { command: string; problem: string }) =>
      `Could not install the firewall rules that keep Spaces off the host and metadata addresses (${p.command}: ${p.problem}): run Spaceport as root on a host with iptables (apt-get install iptables), or set SPACEPORT_SPACE_EGRESS=all-unfiltered to run Spaces without these rules (they can then reach the host's ports and metadata addresses).`,
  },
  spaceNetworkMismatch: {
    code: 'RuntimeFailed',
    message: (p: { network: string; problem: string }) =>
      `The Docker network ${p.network} exists but ${p.problem}: remove it (docker network rm ${p.network}, after removing its containers) and start Spaceport again.`,
  },

  // the PostgreSQL store (controller/store/pg-sync-client.ts): never the SQL, the URL or a value
  databaseTimedOut: {
    code: 'DatabaseUnavailable',
    message: (p: { ms: number }) =>
      `The database did not answer within ${p.ms} ms (SPACEPORT_DATABASE_TIMEOUT_MS): the call was abandoned (a row may be locked by another connection, or the server is overloaded); try again in a few seconds.`,
  },
  databaseUnreachable: {
    code: 'DatabaseUnavailable',
    message: (p: { problem: string }) =>
      `The database is not reachable (${p.problem}): check that PostgreSQL runs and that SPACEPORT_DATABASE_URL names it.`,
  },
  databaseQueryFailed: {
    code: 'Internal',
    message: (p: { sqlState: string }) => `A database statement failed (SQLSTATE ${p.sqlState}).`,
  },

  // names (core/ids.ts)
  namePartInvalid: {
    code: 'InvalidName',
    message: (p: { label: string; part: string; problem: string }) => `Invalid ${p.label} "${p.part.slice(0, 100)}": ${p.problem}.`,
  },

  // proxy options (checked once at start)
  proxyOptionNotPositive: {
    code: 'Internal',
    message: (p: { name: string; allowZero: boolean; value: number }) =>
      `proxy option ${p.name} must be a ${p.allowZero ? 'non-negative' : 'positive'} number, got ${p.value}`,
  },
  proxyOptionDomainInvalid: { code: 'Internal', message: (p: { domain: string }) => `proxy option domain must be a host name, got "${p.domain}"` },
  proxyOptionFrameAncestorInvalid: {
    code: 'Internal',
    message: (p: { item: string }) => `proxy option frameAncestors: "${p.item}" is not an origin like https://example.com`,
  },

  // the proxy's own answers on Space hosts
  proxySpaceNotFound: { code: 'RepoNotFound', message: () => 'Space not found.' },
  proxyHostHeaderNotSingle: { code: 'BadRequest', message: () => 'The request must have exactly one Host header.' },

  // the native data plane (proxy/data-plane/: HAProxy driven through its runtime socket)
  dataPlaneValueUnusable: {
    code: 'Internal',
    message: (p: { what: string; value: string }) => `${p.what} cannot go into haproxy.cfg or its runtime API: ${JSON.stringify(p.value.slice(0, 200))}`,
  },
  dataPlaneNotStarted: {
    code: 'Internal',
    message: (p: { binary: string; reason: string }) =>
      `HAProxy (${p.binary}) did not start: ${p.reason}. Fix: install it (scripts/ensure-haproxy.sh), free the port, or set SPACEPORT_DATA_PLANE=node.`,
  },
  dataPlaneCommandFailed: {
    code: 'Internal',
    message: (p: { command: string; answer: string }) => `HAProxy's runtime API refused "${p.command}": ${p.answer.slice(0, 300)}`,
  },

  // the internal API (controller ↔ proxy)
  controllerAnswered: {
    code: 'Internal',
    message: (p: { httpStatus: number; path: string; message: string | undefined }) =>
      `controller answered ${p.httpStatus} to ${p.path}${p.message ? `: ${p.message}` : ''}${
        p.httpStatus === 401 ? ' (check that SPACEPORT_INTERNAL_TOKEN is the same on the proxy and the controller)' : ''
      }`,
  },
  internalBodyNotJson: { code: 'BadRequest', message: () => 'The request body is not valid JSON.' },
  internalBodyInvalid: { code: 'BadRequest', message: (p: { problems: readonly string[] }) => `Invalid request: ${p.problems.join('; ')}.` },
  internalTokenRequired: {
    code: 'Unauthorized',
    message: () => 'A valid internal token is required: send "Authorization: Bearer <SPACEPORT_INTERNAL_TOKEN>".',
  },
  routeStreamNeedsUpgrade: { code: 'BadRequest', message: () => 'The route stream is a websocket: send an Upgrade request.' },
});
