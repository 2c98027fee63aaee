export { createWeb, type WebOptions } from './create-web.js';
export { loadAssets } from './assets.js';
export type { PageScript } from './page-scripts.js';
export { html, raw, escapeHtml, SafeHtml } from './html.js';
export { userNameFromClaims } from './oidc-sign-in.js';
