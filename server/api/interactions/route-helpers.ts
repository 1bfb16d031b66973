// What the interaction routes share: reading ids from the path, and the
// Link header of a page cut at interaction ids rather than post ids.
import type Koa from 'koa';
import { badRequest } from '../../errors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { setLinkHeader, type PageParams } from '../../http/pagination.ts';
import type { Page } from '../../services/interactions/interaction-lists.service.ts';
import { parseId } from '../accounts/params.ts';

export function pathId(ctx: Koa.Context, name = 'id', what = 'status'): number {
  const id = parseId(ctx.params[name] ?? '');
  if (id === null) throw badRequest(`Not a ${what} id`);
  return id;
}

/** Sets the Link header from the ids the page was read by, then answers the serialized items. */
export function answerPage<T, E>(ctx: Koa.Context, deps: Pick<ApiDeps, 'config'>, page: Page<T>, params: PageParams, serialize: (item: T) => E): void {
  setLinkHeader(ctx, page.cursors, params, { publicUrl: deps.config.publicUrl });
  ctx.body = page.items.map(serialize);
}
