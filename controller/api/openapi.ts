import { z } from 'zod';
import { ERRORS, NAME_MAX, type ErrorCode } from '../../core/index.js';

/**
 * The OpenAPI 3.1 description of the hub host (`GET /openapi.json`), assembled from one small
 * {@link RouteDocs} object per router file (`*-routes-openapi.ts`, next to the router). Request bodies
 * are the zod schemas the routers validate with (`z.toJSONSchema`), so the description cannot drift
 * from the validation. `openapi.test.ts` fails when an express route has no description.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type JsonSchema = Record<string, unknown>;
type SchemaLike = z.ZodType | JsonSchema;

export interface RouteDoc {
  summary: string;
  description?: string;
  /** Default: the router's tag. */
  tag?: string;
  /** `optional`: anonymous callers get what is public (the default); `required`: a token is needed; `none`: not the API token (git, internal). */
  auth?: 'optional' | 'required' | 'none';
  /** Path parameters not in the shared table ({@link PATH_PARAMS}). */
  params?: Record<string, SchemaLike>;
  query?: Record<string, { schema: SchemaLike; description?: string; required?: boolean }>;
  /** A JSON body (a zod schema), or another content type. */
  body?: SchemaLike | { contentType: string; schema: SchemaLike; required?: boolean };
  /** The success answer (default 200, JSON of any shape). */
  ok?: { status?: number; description?: string; contentType?: string | string[]; schema?: SchemaLike; headers?: Record<string, SchemaLike> };
  /** The error codes this route answers besides the ones every route can answer ({@link COMMON_ERRORS}). */
  errors?: ErrorCode[];
  /** Refusals may be an HTML page for people (the sign-in form), still with `X-Error-Code`. */
  htmlErrors?: boolean;
}

/** `"METHOD /express/path"` → its description, e.g. `'GET /api/spaces/:owner/:name'`. */
export type RouteDocs = Record<string, RouteDoc>;

export interface RouterDocs {
  tag: string;
  description?: string;
  routes: RouteDocs;
}

/** Every route can answer these: a bad path encoding, a bad token, a request head over Node's limit. */
export const COMMON_ERRORS: ErrorCode[] = ['BadRequest', 'InvalidToken', 'HeadersTooLarge'];
const BODY_ERRORS: ErrorCode[] = ['PayloadTooLarge', 'UnsupportedMediaType'];

/**
 * A name part in the Hub's rules (`core/ids.ts` nameProblem), as a regex without lookarounds:
 * `[A-Za-z0-9._-]`, no `--` or `..`, no `-`/`.` at either end (it also leaves out `-.` and `.-`).
 */
export const NAME_PATTERN = '^[A-Za-z0-9_]+([-.][A-Za-z0-9_]+)*$';

/** Path parameters shared by routers, as the Hub names them. */
export const PATH_PARAMS: Record<string, JsonSchema> = {
  owner: { type: 'string', description: 'The user or organization.', pattern: NAME_PATTERN, maxLength: NAME_MAX, examples: ['admin'] },
  name: { type: 'string', description: 'The Space name.', pattern: NAME_PATTERN, maxLength: NAME_MAX, examples: ['demo'] },
};

/** The error body: `{error}` and, for a refused request body, each bad field in `details`. */
export const errorBody = z.object({ error: z.string(), details: z.array(z.string()).optional(), url: z.string().optional() });

export function jsonSchema(s: SchemaLike): JsonSchema {
  if (!(s instanceof z.ZodType)) return s;
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/**
 * `/api/spaces/:owner/:name` → `/api/spaces/{owner}/{name}` and its parameter names. An express 5
 * wildcard (`*path`, one or more segments) becomes `{path}` too; its schema says it may hold `/`.
 */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g, (_m, p: string) => {
    params.push(p);
    return `{${p}}`;
  });
  return { path, params };
}

function errorResponses(codes: ErrorCode[], html = false): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: list.map((c) => `\`${c}\`: ${ERRORS[c].message}`).join(' '),
      headers: {
        'X-Error-Code': { required: true, schema: { type: 'string', enum: list } },
        'X-Error-Message': { required: true, schema: { type: 'string' } },
      },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } }, 'text/plain': { schema: { type: 'string' } }, ...(html ? { 'text/html': { schema: { type: 'string' } } } : {}) },
    };
  }
  return out;
}

function operation(method: HttpMethod, expressPath: string, doc: RouteDoc, tag: string): Record<string, unknown> {
  const { params } = openApiPath(expressPath);
  const parameters: unknown[] = params.map((p) => {
    const schema = doc.params?.[p] ?? PATH_PARAMS[p];
    if (!schema) throw new Error(`${method} ${expressPath}: path parameter "${p}" has no schema (add it to the route's params).`);
    return { name: p, in: 'path', required: true, schema: jsonSchema(schema) };
  });
  for (const [name, q] of Object.entries(doc.query ?? {})) {
    parameters.push({ name, in: 'query', required: q.required ?? false, schema: jsonSchema(q.schema), ...(q.description ? { description: q.description } : {}) });
  }
  const errors = [...COMMON_ERRORS, ...(doc.errors ?? [])];
  let requestBody: unknown;
  if (doc.body) {
    errors.push(...BODY_ERRORS);
    const b = 'contentType' in doc.body && typeof doc.body.contentType === 'string'
      ? (doc.body as { contentType: string; schema: SchemaLike; required?: boolean })
      : { contentType: 'application/json', schema: doc.body as SchemaLike, required: true };
    requestBody = { required: b.required ?? true, content: { [b.contentType]: { schema: jsonSchema(b.schema) } } };
  }
  const ok = doc.ok ?? {};
  const okTypes = ok.contentType === undefined ? ['application/json'] : [ok.contentType].flat().filter((t) => t !== '');
  const okContent = okTypes.length ? Object.fromEntries(okTypes.map((t) => [t, { schema: jsonSchema(ok.schema ?? {}) }])) : undefined;
  const auth = doc.auth ?? 'optional';
  if (auth === 'required') errors.push('Unauthorized');
  return {
    operationId: `${method.toLowerCase()}${openApiPath(expressPath).path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag ?? tag],
    ...(auth === 'none' ? { security: [] } : { security: auth === 'required' ? [{ bearer: [] }] : [{}, { bearer: [] }] }),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(ok.status ?? 200)]: {
        description: ok.description ?? 'OK',
        ...(ok.headers ? { headers: Object.fromEntries(Object.entries(ok.headers).map(([h, s]) => [h, { schema: jsonSchema(s) }])) } : {}),
        ...(okContent ? { content: okContent } : {}),
      },
      ...errorResponses(errors, doc.htmlErrors),
    },
  };
}

/** Split a `"METHOD /path"` key. */
export function parseRouteKey(key: string): { method: HttpMethod; path: string } {
  const m = /^(GET|HEAD|POST|PUT|PATCH|DELETE) (\/\S*)$/.exec(key);
  if (!m) throw new Error(`"${key}" is not "METHOD /path"`);
  return { method: m[1] as HttpMethod, path: m[2]! };
}

/** The whole document from the routers' descriptions. */
export function buildOpenApi(routers: RouterDocs[], info: { version: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const router of routers) {
    for (const [key, doc] of Object.entries(router.routes)) {
      const { method, path } = parseRouteKey(key);
      const p = openApiPath(path).path;
      paths[p] ??= {};
      if (paths[p][method.toLowerCase()]) throw new Error(`${key} is described twice`);
      paths[p][method.toLowerCase()] = operation(method, path, doc, router.tag);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Spaceport',
      version: info.version,
      description:
        'The hub host of a Spaceport install: the Hugging Face Hub API for Spaces, git smart HTTP, and what Spaceport adds. ' +
        'Every error is a 4xx/5xx with `X-Error-Code`, `X-Error-Message` and a JSON `{"error": …}` body.',
    },
    // Several router files may share a tag (one entry, the first description).
    tags: [...new Set(routers.map((r) => r.tag))].map((name) => {
      const description = routers.find((r) => r.tag === name && r.description)?.description;
      return { name, ...(description ? { description } : {}) };
    }),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A Spaceport token (`Authorization: Bearer <token>`).' },
        basic: { type: 'http', scheme: 'basic', description: 'git: the token as the password, any username.' },
      },
      schemas: { Error: jsonSchema(errorBody) },
    },
  };
}
