import { NAME_PATTERN, type RouterDocs } from '../api/openapi.js';
import { sseEventShape } from '../api/openapi-shapes.js';
import { passwordBody } from './sign-in-routes.js';

/**
 * The web UI's HTML pages (`page-routes.ts`, `GET /login`): left out of `/openapi.json` by this one
 * rule, since they answer HTML for people, not an API (errors still carry `X-Error-Code`). Every
 * other web route (the stage stream, sign-in and sign-out, OIDC, passwords) is described below.
 * `openapi.test.ts` checks that every express route is described or listed here.
 */
export const WEB_HTML_PAGES: readonly string[] = [
  'GET /',
  'GET /spaces',
  'GET /new-space',
  'GET /settings/tokens',
  'GET /login',
  'GET /spaces/:owner/:name',
  'GET /spaces/:owner/:name/tree/main',
  'GET /spaces/:owner/:name/tree/main/*path',
  'GET /spaces/:owner/:name/blob/main/*path',
  'GET /spaces/:owner/:name/logs',
  'GET /spaces/:owner/:name/settings',
  'GET /organizations/new',
  'GET /organizations/:org/settings/members',
  'GET /spaces/:owner/:name/api',
  'GET /spaces/:owner/:name/commits/main',
  'GET /spaces/:owner/:name/commits/main/*path',
  'GET /spaces/:owner/:name/commit/:sha',
  'GET /:owner',
];

const next = { schema: { type: 'string', maxLength: 500 }, description: 'Where to go afterwards: a path on this host (anything else: `/spaces`).' };
const redirect = { status: 303, description: 'Signed in: to `next` (sets the session cookie)', contentType: '', headers: { Location: { type: 'string' }, 'Set-Cookie': { type: 'string' } } };

/** `create-web.ts`, `sign-in-routes.ts`, `stage-events.ts`. */
export const webRoutesDocs: RouterDocs = {
  tag: 'web',
  description: 'What the web UI calls besides its HTML pages: the stage stream, password and OpenID Connect sign-in, sign-out, and passwords. Browser sessions send `X-CSRF-Token` (or a `_csrf` form field) on writes.',
  routes: {
    'GET /favicon.ico': {
      summary: 'The site icon (SVG, whatever the name: browsers ask for this path)',
      auth: 'none',
      ok: { contentType: 'image/svg+xml', schema: { type: 'string' } },
    },
    'GET /spaces/:owner/:name/raw/main/*path': {
      htmlErrors: true,
      summary: 'A file at `main` as stored in git (a Git LFS file: its pointer), for people: text as `text/plain` (HTML and SVG too), images, audio and video as themselves, anything else as a download; never rendered as a page',
      auth: 'optional',
      params: { path: { type: 'string', description: 'A path in the repository (its segments may hold `/`).', minLength: 1, maxLength: 500 } },
      ok: { contentType: ['text/plain', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/octet-stream'], schema: { type: 'string', format: 'binary' }, headers: { 'X-Content-Type-Options': { type: 'string' } } },
      errors: ['BadRequest', 'InvalidName', 'RepoNotFound', 'EntryNotFound'],
    },
    'GET /api/spaces/events': {
      summary: 'Stage changes of the Spaces the caller may see (server-sent events; starts with the current stages)',
      query: { ids: { schema: { type: 'string', maxLength: 1000 }, description: 'Comma-separated `owner/name`s (default: all visible).' } },
      ok: { contentType: 'text/event-stream', schema: sseEventShape },
    },
    'POST /login': {
      htmlErrors: true,
      summary: 'Sign in with a password (the sign-in form)',
      description: 'Refusals answer the form again as HTML with `X-Error-Code`: 401 `SignInFailed`, 403 `CsrfFailed` (the form\'s `_csrf` does not match its cookie), 429 `TooManySignIns`.',
      auth: 'none',
      body: {
        contentType: 'application/x-www-form-urlencoded',
        schema: { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' }, next: { type: 'string' }, _csrf: { type: 'string' } } },
      },
      ok: redirect,
      errors: ['SignInFailed', 'CsrfFailed', 'TooManySignIns'],
    },
    'POST /logout': {
      htmlErrors: true,
      summary: 'Sign out (ends the session)',
      auth: 'none',
      ok: { status: 303, description: 'To `/spaces`', contentType: '', headers: { Location: { type: 'string' } } },
      errors: ['CsrfFailed'],
    },
    'GET /login/oidc': {
      htmlErrors: true,
      summary: 'Start OpenID Connect sign-in: 303 to the provider (404 when not configured)',
      auth: 'none',
      query: { next },
      ok: { status: 303, description: 'To the provider', contentType: '', headers: { Location: { type: 'string' } } },
      errors: ['NotFound', 'UpstreamFetchFailed'],
    },
    'GET /login/oidc/callback': {
      htmlErrors: true,
      summary: 'The provider\'s redirect back: signs in and goes to `next` (404 when not configured)',
      auth: 'none',
      query: { code: { schema: { type: 'string' } }, state: { schema: { type: 'string' } }, error: { schema: { type: 'string' } } },
      ok: redirect,
      errors: ['NotFound', 'SignInFailed'],
    },
    'PUT /api/users/:user/password': {
      summary: 'Set a password: an admin anyone\'s, a user their own (with `currentPassword`)',
      auth: 'required',
      params: { user: { type: 'string', description: 'A user name.', pattern: NAME_PATTERN, maxLength: 96 } },
      body: passwordBody,
      ok: { schema: { type: 'object', required: ['name', 'password'], properties: { name: { type: 'string' }, password: { const: true } } } },
      errors: ['Forbidden', 'UserNotFound', 'CsrfFailed'],
    },
  },
};
