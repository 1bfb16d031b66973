// What the social routes share: the account id in the path, parameters from
// the body or the query string (Mastodon reads both), scopes checked only when
// a token is given, and pages of accounts with their Link header.
import type Koa from 'koa';
import type { Config } from '../../../config/load.ts';
import { forbidden, notFound } from '../../errors.ts';
import { pageParams, setLinkHeader, type PageParams } from '../../http/pagination.ts';
import type { AppState } from '../../http/state.ts';
import { scopeAllows } from '../../oauth/scopes.ts';
import type { AccountPageItem } from '../../services/social/account-lists.service.ts';
import { parseId } from '../accounts/params.ts';
import { presentAccount } from '../accounts/present.ts';
import type { MastodonAccount } from '../entities/account.ts';
import { readBody } from '../statuses/status-params.ts';

/** `:id` (or another path parameter) as an account id; anything else is a 404, as an unknown id. */
export function accountIdParam(ctx: Koa.Context, name = 'id'): number {
  const id = parseId(ctx.params[name] ?? '');
  if (id === null) throw notFound();
  return id;
}

/** Query string and body together; the body wins. */
export async function readParams(ctx: Koa.Context): Promise<Record<string, unknown>> {
  return { ...(ctx.query as Record<string, unknown>), ...(await readBody(ctx)) };
}

/** Mastodon's authorize_if_got_token!: public without a token; with one, it must carry the scope. */
export function scopesIfToken(scope: string): Koa.Middleware {
  return async (ctx, next) => {
    const auth = (ctx.state as AppState).auth;
    if (auth === undefined) throw new Error(`scopesIfToken(${scope}) on ${ctx.method} ${ctx.path} runs without authenticate()`);
    if (auth && !scopeAllows(auth.scopes, scope)) throw forbidden('This action is outside the authorized scopes');
    await next();
  };
}

/** Mastodon's account lists: 40 by default, 80 at most. */
export function accountPageParams(ctx: Koa.Context): PageParams {
  return pageParams(ctx.query, { defaultLimit: 40, maxLimit: 80 });
}

/** Serializes a page of accounts and sets its Link header from the relation ids. */
export function presentAccountPage(
  ctx: Koa.Context,
  config: Pick<Config, 'publicUrl'>,
  items: AccountPageItem[],
  page: PageParams,
  extra: (item: AccountPageItem) => Record<string, unknown> = () => ({}),
): (MastodonAccount & Record<string, unknown>)[] {
  setLinkHeader(ctx, items.map((item) => ({ id: item.cursor })), page, { publicUrl: config.publicUrl });
  return items.map((item) => ({ ...presentAccount(config, item.view), ...extra(item) }));
}
