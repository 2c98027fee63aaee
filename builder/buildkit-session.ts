import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type Docker from 'dockerode';
import protobuf from 'protobufjs';

/**
 * A BuildKit session (`POST /session`, upgraded to h2c) serving the gRPC methods BuildKit calls back
 * during a build: build secrets (`RUN --mount=type=secret,id=NAME`), registry credentials (none:
 * Spaceport pulls nothing) and health checks. dockerode's own session offers only credentials,
 * hence this one. Secrets travel over the session only: they never reach a layer or the log.
 */
const PROTO = `
syntax = "proto3";
package spaceport.session;
message GetSecretRequest { string ID = 1; map<string, string> annotations = 2; }
message GetSecretResponse { bytes data = 1; }
message CredentialsRequest { string Host = 1; }
message CredentialsResponse { string Username = 1; string Secret = 2; }
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse { int32 status = 1; }
`;

const METHODS = {
  secret: '/moby.buildkit.secrets.v1.Secrets/GetSecret',
  credentials: '/moby.filesync.v1.Auth/Credentials',
  health: '/grpc.health.v1.Health/Check',
} as const;

let root: protobuf.Root | undefined;

function method<Req, Res>(path: string, req: string, res: string): grpc.MethodDefinition<Req, Res> {
  root ??= protobuf.parse(PROTO, { keepCase: true }).root;
  const reqType = root.lookupType(`spaceport.session.${req}`);
  const resType = root.lookupType(`spaceport.session.${res}`);
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: Req) => Buffer.from(reqType.encode(reqType.fromObject(m as object)).finish()),
    requestDeserialize: (b: Buffer) => reqType.toObject(reqType.decode(b)) as Req,
    responseSerialize: (m: Res) => Buffer.from(resType.encode(resType.fromObject(m as object)).finish()),
    responseDeserialize: (b: Buffer) => resType.toObject(resType.decode(b)) as Res,
  };
}

export interface BuildkitSession {
  /** Pass as the `session` query parameter of `POST /build?version=2`. */
  id: string;
  close(): void;
}

/**
 * Opens the session. With `signal` aborted by the time the engine answers, the socket is closed and
 * the promise rejects with the signal's reason: a build superseded while its session opens leaves no
 * socket behind. Every emitter made here (the hijacked socket, the HTTP/2 session grpc-js serves on
 * it) has an error listener before anything can fail on it: an error there must never reach Node's
 * default handler, which would end the whole process.
 */
export function openBuildkitSession(docker: Docker, opts: { secrets?: Record<string, string>; signal?: AbortSignal } = {}): Promise<BuildkitSession> {
  const id = randomUUID();
  const secrets = new Map(Object.entries(opts.secrets ?? {}));
  const { signal } = opts;
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        method: 'POST',
        path: '/session',
        hijack: true,
        headers: {
          Upgrade: 'h2c',
          'X-Docker-Expose-Session-Uuid': id,
          'X-Docker-Expose-Session-Name': 'spaceport',
          'X-Docker-Expose-Session-Sharedkey': '',
          'X-Docker-Expose-Session-Grpcmethod': Object.values(METHODS),
        },
        statusCodes: { 200: true, 101: true, 500: 'server error' },
      },
      (err: unknown, socket: unknown) => {
        if (err) return reject(err);
        const sock = socket as Duplex;
        // A session that breaks fails the build on the engine's side, which the build's own stream reports.
        sock.on('error', () => undefined);
        if (signal?.aborted) {
          sock.destroy();
          return reject(signal.reason);
        }
        const server = new grpc.Server();
        server.addService(
          { GetSecret: method<{ ID: string }, { data: Buffer }>(METHODS.secret, 'GetSecretRequest', 'GetSecretResponse') },
          {
            GetSecret: (call: grpc.ServerUnaryCall<{ ID: string }, { data: Buffer }>, cb: grpc.sendUnaryData<{ data: Buffer }>) => {
              const name = call.request.ID;
              const value = secrets.get(name);
              if (value === undefined) cb({ code: grpc.status.NOT_FOUND, details: `secret ${name} not found` });
              else cb(null, { data: Buffer.from(value, 'utf8') });
            },
          },
        );
        server.addService(
          { Credentials: method<{ Host: string }, object>(METHODS.credentials, 'CredentialsRequest', 'CredentialsResponse') },
          { Credentials: (_call: unknown, cb: grpc.sendUnaryData<object>) => cb(null, {}) },
        );
        server.addService(
          { Check: method<object, { status: number }>(METHODS.health, 'HealthCheckRequest', 'HealthCheckResponse') },
          { Check: (_call: unknown, cb: grpc.sendUnaryData<{ status: number }>) => cb(null, { status: 1 /* SERVING */ }) },
        );
        server.createConnectionInjector(grpc.ServerCredentials.createInsecure()).injectConnection(sock);
        resolve({
          id,
          close: () => {
            server.forceShutdown();
            sock.destroy();
          },
        });
      },
    );
  });
}
