export { H1Pool, type H1PoolOptions } from './h1-pool.js';
export { ResponseParser, ResponseParseError, MAX_HEAD_BYTES, type ResponseHeadEvent } from './response-parser.js';
export { UpstreamError, type UpstreamHandler, type UpstreamRequest } from './upstream-request.js';
