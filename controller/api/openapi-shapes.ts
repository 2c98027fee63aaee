import type { JsonSchema } from './openapi.js';

/** Response shapes shared by several routes' descriptions (the Hub's JSON, SPACES-SPEC §4–5). */

const str = { type: 'string' };
const strOrNull = { type: ['string', 'null'] };

export const runtimeShape: JsonSchema = {
  type: 'object',
  required: ['stage', 'hardware', 'storage', 'gcTimeout', 'replicas', 'devMode', 'domains', 'sdk'],
  properties: {
    stage: str,
    hardware: { type: 'object', required: ['current', 'requested'], properties: { current: strOrNull, requested: strOrNull } },
    storage: strOrNull,
    gcTimeout: { type: ['integer', 'null'] },
    replicas: { type: 'object', properties: { requested: { type: 'integer' }, current: { type: 'integer' } } },
    devMode: { type: 'boolean' },
    domains: { type: 'array', items: { type: 'object', properties: { domain: str, stage: str } } },
    sdk: str,
    sdkVersion: str,
    errorMessage: str,
    resources: { type: 'object' },
  },
};

export const spaceInfoShape: JsonSchema = {
  type: 'object',
  required: ['_id', 'id', 'author', 'sha', 'private', 'visibility', 'subdomain', 'host', 'sdk', 'tags', 'cardData', 'runtime'],
  properties: {
    _id: str,
    id: str,
    author: str,
    sha: strOrNull,
    createdAt: str,
    lastModified: str,
    private: { type: 'boolean' },
    visibility: { enum: ['public', 'private', 'protected'] },
    gated: { type: 'boolean' },
    disabled: { type: 'boolean' },
    subdomain: str,
    host: str,
    likes: { type: 'integer' },
    trendingScore: { type: 'integer', description: 'Likes given in the last 7 days (what `sort=trendingScore` sorts by first).' },
    sdk: str,
    tags: { type: 'array' },
    cardData: { type: 'object' },
    siblings: { type: 'array', items: { type: 'object', required: ['rfilename'], properties: { rfilename: str } } },
    runtime: runtimeShape,
    models: { type: 'array' },
    datasets: { type: 'array' },
    upstream: { type: 'object', properties: { url: str, branch: str } },
  },
};

export const hardwareShape: JsonSchema = {
  type: 'array',
  items: { type: 'object', required: ['name', 'prettyName', 'cpu', 'ram'], properties: { name: str, prettyName: str, cpu: str, ram: str } },
};

/** A setting as listed: secrets never carry their value. */
export const settingsShape: JsonSchema = {
  type: 'object',
  additionalProperties: { type: 'object', required: ['updatedAt'], properties: { value: str, description: str, updatedAt: {} } },
};

/** One server-sent event, as clients (and schemathesis) parse it: `data:` lines joined, the `event:` name. */
export const sseEventShape: JsonSchema = {
  type: 'object',
  required: ['data'],
  properties: { data: str, event: str, id: str, retry: { type: 'integer' } },
};
