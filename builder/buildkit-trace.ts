import protobuf from 'protobufjs';

/**
 * BuildKit's progress, as the engine streams it through `POST /build?version=2`:
 * `{"id":"moby.buildkit.trace","aux":"<base64 moby.buildkit.v1.StatusResponse>"}`.
 * Only the fields Spaceport shows are declared; protobuf skips the rest.
 */
const PROTO = `
syntax = "proto3";
package moby.buildkit.v1;
message StatusResponse {
  repeated Vertex vertexes = 1;
  repeated VertexLog logs = 3;
}
message Vertex {
  string digest = 1;
  string name = 3;
  bool cached = 4;
  Timestamp started = 5;
  Timestamp completed = 6;
  string error = 7;
}
message VertexLog {
  string vertex = 1;
  int64 stream = 3;
  bytes msg = 4;
}
message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;

export const BUILDKIT_TRACE_ID = 'moby.buildkit.trace';

export interface TraceVertex {
  digest: string;
  name: string;
  cached: boolean;
  /** Epoch ms, when known. */
  started?: number;
  completed?: number;
  error?: string;
}

export interface TraceLog {
  vertex: string;
  text: string;
}

export interface BuildkitTrace {
  vertexes: TraceVertex[];
  logs: TraceLog[];
}

let statusType: protobuf.Type | undefined;

function type(): protobuf.Type {
  statusType ??= protobuf.parse(PROTO, { keepCase: true }).root.lookupType('moby.buildkit.v1.StatusResponse');
  return statusType;
}

interface RawTimestamp {
  seconds?: number | string | { toNumber(): number };
  nanos?: number;
}

function ms(ts: RawTimestamp | null | undefined): number | undefined {
  if (!ts) return undefined;
  const s = typeof ts.seconds === 'object' && ts.seconds !== null ? ts.seconds.toNumber() : Number(ts.seconds ?? 0);
  return s * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** Decode one trace message (base64 protobuf). Throws on bytes that are not a StatusResponse. */
export function decodeBuildkitTrace(base64: string): BuildkitTrace {
  if (base64 === '') return { vertexes: [], logs: [] };
  const msg = type().decode(Buffer.from(base64, 'base64')) as unknown as {
    vertexes?: { digest?: string; name?: string; cached?: boolean; started?: RawTimestamp | null; completed?: RawTimestamp | null; error?: string }[];
    logs?: { vertex?: string; msg?: Uint8Array }[];
  };
  return {
    vertexes: (msg.vertexes ?? []).map((v) => {
      const started = ms(v.started);
      const completed = ms(v.completed);
      return {
        digest: v.digest ?? '',
        name: v.name ?? '',
        cached: Boolean(v.cached),
        ...(started !== undefined ? { started } : {}),
        ...(completed !== undefined ? { completed } : {}),
        ...(v.error ? { error: v.error } : {}),
      };
    }),
    logs: (msg.logs ?? []).map((l) => ({ vertex: l.vertex ?? '', text: Buffer.from(l.msg ?? new Uint8Array()).toString('utf8') })),
  };
}

/** Encode a trace (tests build engine-like messages with it). */
export function encodeBuildkitTrace(trace: {
  vertexes?: { digest: string; name?: string; cached?: boolean; started?: number; completed?: number; error?: string }[];
  logs?: { vertex: string; text: string }[];
}): string {
  const ts = (t: number | undefined) => (t === undefined ? undefined : { seconds: Math.floor(t / 1000), nanos: (t % 1000) * 1e6 });
  const msg = type().fromObject({
    vertexes: (trace.vertexes ?? []).map((v) => ({ ...v, started: ts(v.started), completed: ts(v.completed) })),
    logs: (trace.logs ?? []).map((l) => ({ vertex: l.vertex, stream: 1, msg: Buffer.from(l.text) })),
  });
  return Buffer.from(type().encode(msg).finish()).toString('base64');
}
