import { request, type HttpResult } from './http.js';

/** A signed-in browser, over plain HTTP: the session cookie and the CSRF token a page carries. */
export interface HttpSession {
  cookie: string;
  csrf: string;
  get(path: string): Promise<HttpResult>;
  call(method: string, path: string, body?: unknown, opts?: { csrf?: string | null }): Promise<HttpResult>;
}

function cookiesOf(r: HttpResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of r.headers['set-cookie'] ?? []) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    out[pair!.slice(0, eq)] = pair!.slice(eq + 1);
  }
  return out;
}

/** GET /login, then POST the form with its token; returns the raw answer of the POST. */
export async function postSignIn(port: number, user: string, password: string): Promise<{ res: HttpResult; cookies: Record<string, string> }> {
  const host = `127.0.0.1:${port}`;
  const form = await request({ port, path: '/login', host });
  const formCookies = cookiesOf(form);
  const loginName = Object.keys(formCookies).find((n) => n.endsWith('sp_login'))!;
  const login = formCookies[loginName]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const body = new URLSearchParams({ _csrf: token, username: user, password, next: '/spaces' }).toString();
  const res = await request({ port, path: '/login', method: 'POST', host, body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${loginName}=${login}` } });
  return { res, cookies: cookiesOf(res) };
}

export async function signIn(port: number, user: string, password: string): Promise<HttpSession> {
  const { res, cookies } = await postSignIn(port, user, password);
  if (res.status !== 303 || !cookies.sp_session) throw new Error(`sign-in as ${user} failed: ${res.status} ${res.body.slice(0, 300)}`);
  const cookie = `sp_session=${cookies.sp_session}`;
  const host = `127.0.0.1:${port}`;
  const page = await request({ port, path: '/spaces', host, headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
  return {
    cookie,
    csrf,
    get: (path) => request({ port, path, host, headers: { cookie } }),
    call: (method, path, body, opts = {}) => {
      const token = opts.csrf === undefined ? csrf : opts.csrf;
      return request({ port, path, method, host, body, headers: { cookie, ...(token !== null ? { 'x-csrf-token': token } : {}) } });
    },
  };
}
