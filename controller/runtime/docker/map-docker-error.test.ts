import { describe, expect, it } from 'vitest';
import { SpaceportError } from '../../../core/index.js';
import { mapDockerError } from './map-docker-error.js';

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code, address: '/var/run/docker.sock' });
}
function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) - ${message}`), { statusCode, json: { message } });
}

describe('mapDockerError', () => {
  it.each(['ENOENT', 'ECONNREFUSED'])('an unreachable socket (%s) is DockerUnavailable with the fix', (code) => {
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

  it('leaves SpaceportErrors alone', () => {
    const e = new SpaceportError('NotFound');
    expect(mapDockerError(e, { action: 'x' })).toBe(e);
  });
});
