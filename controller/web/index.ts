export { createWeb, type WebOptions } from './create-web.js';
export { loadAssets } from './assets.js';
export { html, raw, escapeHtml, SafeHtml } from './html.js';
export { userNameFromClaims } from './oidc-sign-in.js';
