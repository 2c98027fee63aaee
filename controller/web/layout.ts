import { html, type SafeHtml } from './html.js';
import { bundlePath, scriptsFor } from './page-scripts.js';

/** Who looks at a page, and the CSRF token its actions send. */
export interface Viewer {
  name: string;
  admin: boolean;
  /** The organizations the viewer belongs to (the header's menu links them). */
  orgs?: string[];
}

export interface PageContext {
  viewer?: Viewer;
  /** The session's CSRF token (a `<meta>` the page's script sends as X-CSRF-Token). */
  csrf?: string;
  /** Asset URLs carry a version so they can be cached for long. */
  assetVersion: string;
  /** This page's own path and query: "Sign in" comes back to it. */
  path?: string;
}

/** `/login?next=…` back to `path` (the sign-in route checks `next` again: a local path only). */
export function signInHref(path: string | undefined): string {
  return path && path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/login') ? `/login?next=${encodeURIComponent(path)}` : '/login';
}

/** The page frame: header with navigation, main content, the one stylesheet and the one script. */
/** The page's one script is the bundle of what its body uses (`page-scripts.ts`). */
export function renderLayout(ctx: PageContext, page: { title: string; body: SafeHtml; main?: 'wide' | 'narrow' }): SafeHtml {
  const v = ctx.viewer;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
${ctx.csrf ? html`<meta name="csrf-token" content="${ctx.csrf}">` : null}
<title>${page.title} · Spaceport</title>
<link rel="icon" href="/assets/favicon.svg?v=${ctx.assetVersion}" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css?v=${ctx.assetVersion}">
<script src="/assets/${bundlePath(scriptsFor(page.body.value))}?v=${ctx.assetVersion}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/spaces"><span aria-hidden="true">🚀</span> Spaceport</a>
  <nav aria-label="Main">
    <a href="/spaces">Spaces</a>
    ${v
      ? html`<a href="/new-space">New Space</a>
    <a href="/${v.name}">${v.name}</a>
    <details class="nav-menu"><summary>Organizations</summary><ul class="plain">${(v.orgs ?? []).map((org) => html`<li><a href="/${org}">${org}</a></li>`)}<li><a href="/organizations/new">New organization</a></li></ul></details>
    <a href="/settings/tokens">Tokens</a>
    <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}"><button type="submit" class="link">Sign out</button></form>`
      : html`<a href="${signInHref(ctx.path)}">Sign in</a>`}
  </nav>
</header>
<main id="main" class="${page.main ?? 'wide'}">
${page.body}
</main>
</body>
</html>
`;
}

/** A small error page (404, 403) in the same frame. */
export function renderErrorPage(ctx: PageContext, e: { status: number; message: string }): SafeHtml {
  return renderLayout(ctx, {
    title: String(e.status),
    main: 'narrow',
    body: html`<h1>${e.status === 404 ? 'Not found' : 'Cannot show this page'}</h1><p class="error" role="alert">${e.message}</p>
${ctx.viewer ? null : html`<p>If this is a private Space of yours or of your organization, <a href="${signInHref(ctx.path)}">sign in</a> to see it.</p>`}
<p><a href="/spaces">Back to the Spaces</a></p>`,
  });
}
