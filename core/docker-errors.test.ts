import { describe, expect, it } from 'vitest';
import { mapDockerError } from './docker-errors.js';
import { SpaceportError } from './errors.js';

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code, address: '/var/run/docker.sock' });
}
function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) - ${message}`), { statusCode, json: { message } });
}

describe('mapDockerError', () => {
  it.each(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE'])('an unreachable engine (%s) is DockerUnavailable with the fix', (code) => {
    const cause = socketError(code);
    const err = mapDockerError(cause, { action: 'list instances' });
    expect(err.code).toBe('DockerUnavailable');
    expect(err.status).toBe(503);
    expect(err.message).toContain('/var/run/docker.sock');
    expect(err.message).toContain('dockerd');
    expect(err.message).toContain('DOCKER_HOST');
    expect(err.cause).toBe(cause);
  });

  it('a denied socket says how to get access', () => {
    expect(mapDockerError(socketError('EACCES'), { action: 'x' })).toMatchObject({ code: 'DockerUnavailable', message: expect.stringContaining('docker" group') });
  });

  it('no such image is RuntimeFailed naming the image', () => {
    const cause = httpError(404, 'No such image: spaceport/alice-demo:abc');
    const err = mapDockerError(cause, { action: 'start alice/demo', image: 'spaceport/alice-demo:abc' });
    expect(err.code).toBe('RuntimeFailed');
    expect(err.message).toContain('Image spaceport/alice-demo:abc does not exist');
    expect(err.cause).toBe(cause);
  });

  it('another 404 is NotFound, anything else RuntimeFailed with Docker message', () => {
    expect(mapDockerError(httpError(404, 'No such container: abc'), { action: 'stop it' }).code).toBe('NotFound');
    const err = mapDockerError(httpError(500, 'driver failed programming external connectivity'), { action: 'start alice/demo' });
    expect(err).toMatchObject({ code: 'RuntimeFailed', message: 'Could not start alice/demo: driver failed programming external connectivity' });
  });

  it('is the same for the runtime and the builder: one code for an unreachable engine, whatever the other failures are called', () => {
    for (const otherwise of [undefined, 'BuildFailed', 'Internal'] as const) {
      expect(mapDockerError(socketError('ECONNREFUSED'), { action: 'build spaceport/x:1', otherwise }).code).toBe('DockerUnavailable');
      expect(mapDockerError(socketError('EACCES'), { action: 'build spaceport/x:1', otherwise }).code).toBe('DockerUnavailable');
    }
  });

  it('names any other engine failure with the caller\'s code', () => {
    const cause = httpError(500, 'failed to solve: rpc error');
    expect(mapDockerError(cause, { action: 'build spaceport/x:1', otherwise: 'BuildFailed' })).toMatchObject({
      code: 'BuildFailed',
      message: 'Could not build spaceport/x:1: failed to solve: rpc error',
      cause,
    });
    expect(mapDockerError(new Error('socket hang up'), { action: 'import spaceport/x:1', otherwise: 'Internal' }).code).toBe('Internal');
  });

  it('an engine answer is never taken for an unreachable socket', () => {
    const answered = Object.assign(httpError(500, 'connection refused by the registry'), { code: 'ECONNREFUSED' });
    expect(mapDockerError(answered, { action: 'x' }).code).toBe('RuntimeFailed');
  });

  it('leaves SpaceportErrors alone', () => {
    const e = new SpaceportError('NotFound');
    expect(mapDockerError(e, { action: 'x' })).toBe(e);
  });
});
