// Test helpers for the web pages: a server on a random port with the web
// router, and a fetch-based browser with a cookie jar and form posting.
import type { ExecutionContext } from 'ava';
import { loadConfig, type Config } from '../../config/load.ts';
import type { Db } from '../../server/db/knex.ts';
import { createHttpApp } from '../../server/http/app.ts';
import type { ApiDeps } from '../../server/http/deps.ts';
import { listen } from '../../server/http/listen.ts';
import { createRateLimiter } from '../../server/http/rate-limit.ts';
import { createWebRouter } from '../../web/router.ts';
import type { DatabaseTarget } from '../helpers/databases.ts';

export interface WebServer {
  url: string;
  db: Db;
  config: Config;
  dataDir: string;
  dbUrl: string;
  browser(): Browser;
}

export async function startWebServer(t: ExecutionContext, target: DatabaseTarget, env: Record<string, string> = {}): Promise<WebServer> {
  const { db, dataDir, url: dbUrl } = await target.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789', ...env }, cwd: dataDir, persistSecret: false });
  const deps: ApiDeps = { config, db, rateLimiter: createRateLimiter(config), mailer: null };
  const server = await listen(createHttpApp({ config, db, routers: [createWebRouter(deps)] }), { port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await server.close();
    await deps.rateLimiter.close();
  });
  return { url: server.url, db, config, dataDir, dbUrl, browser: () => new Browser(server.url) };
}

export interface Page {
  status: number;
  location: string | null;
  setCookies: string[];
  text: string;
  headers: Headers;
}

/** Follows no redirects by itself, so tests see each 303 and its cookies. */
export class Browser {
  readonly base: string;
  readonly cookies = new Map<string, string>();

  constructor(base: string) {
    this.base = base;
  }

  async request(method: string, path: string, form?: Record<string, string>): Promise<Page> {
    const headers: Record<string, string> = { Accept: 'text/html' };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | undefined;
    if (form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(new URL(path, this.base), { method, headers, body, redirect: 'manual' });
    const setCookies = response.headers.getSetCookie();
    for (const cookie of setCookies) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (attributes.some((a) => /^\s*max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, location: response.headers.get('location'), setCookies, text: await response.text(), headers: response.headers };
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** Posts a form, adding the CSRF token of the page at `formPage` (read first) unless `withToken` is false. */
  async submit(formPage: string, action: string, form: Record<string, string>, withToken = true): Promise<Page> {
    const pageBefore = await this.get(formPage);
    const token = csrfTokenIn(pageBefore.text);
    return this.request('POST', action, withToken ? { authenticity_token: token, ...form } : form);
  }

  async signIn(login: string, password: string): Promise<Page> {
    return this.submit('/auth/sign_in', '/auth/sign_in', { login, password });
  }
}

export function csrfTokenIn(html: string): string {
  const match = /name="authenticity_token" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no authenticity_token in page:\n${html.slice(0, 500)}`);
  return match[1]!;
}
