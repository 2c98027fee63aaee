import { grantBody } from './app-grant-routes.js';
import { jsonSchema, type RouterDocs } from './openapi.js';

/** `app-grant-routes.ts`. */
export const appGrantRoutesDocs: RouterDocs = {
  tag: 'apps',
  description: 'Opening a private Space\'s app in a browser: a short-lived grant the Space\'s host turns into its own cookie.',
  routes: {
    'POST /api/spaces/:owner/:name/app-grant': {
      summary: 'A one-minute URL that opens the app (its host sets its own cookie)',
      auth: 'required',
      body: { ...jsonSchema(grantBody), examples: [{ path: '/' }, {}] },
      ok: { schema: { type: 'object', required: ['url', 'expiresAt'], properties: { url: { type: 'string' }, expiresAt: {} } } },
      errors: ['InvalidName', 'RepoNotFound', 'Forbidden'],
    },
    'GET /spaces/:owner/:name/app': {
      summary: 'Open the app: 302 to its host (private Spaces: through a grant); anonymous callers are asked for HTTP Basic credentials',
      query: { path: { schema: { type: 'string', maxLength: 500 }, description: 'A path in the app.' } },
      ok: { status: 302, description: 'To the app', contentType: '', headers: { Location: { type: 'string' } } },
      errors: ['InvalidName', 'RepoNotFound', 'Unauthorized', 'Forbidden'],
    },
  },
};
