// Mastodon's id-based pagination: `max_id` (older than), `since_id` (newer
// than, newest first), `min_id` (newer than, oldest first: "the page just
// above"), `limit`; and the Link header that hands clients the next and
// previous pages.
// Like Mastodon, parameters that make no sense are ignored rather than refused
// (apps send `max_id=` and worse); a limit out of range is clamped.
import type Koa from 'koa';

export interface PageParams {
  maxId?: number;
  minId?: number;
  sinceId?: number;
  limit: number;
}

export interface PageOptions {
  /** Default 20, as Mastodon's statuses and accounts lists. */
  defaultLimit?: number;
  /** Default 40. */
  maxLimit?: number;
}

const DIGITS = /^\d{1,16}$/;
const ID_PARAMS = ['max_id', 'min_id', 'since_id'];

export function pageParams(query: Record<string, unknown>, options: PageOptions = {}): PageParams {
  const maxLimit = options.maxLimit ?? 40;
  const defaultLimit = Math.min(options.defaultLimit ?? 20, maxLimit);
  const params: PageParams = { limit: defaultLimit };
  const maxId = idParam(query.max_id);
  const minId = idParam(query.min_id);
  const sinceId = idParam(query.since_id);
  if (maxId !== undefined) params.maxId = maxId;
  if (minId !== undefined) params.minId = minId;
  if (sinceId !== undefined) params.sinceId = sinceId;
  const limit = integerParam(query.limit);
  if (limit !== undefined) params.limit = Math.min(Math.max(limit, 1), maxLimit);
  return params;
}

/** Our ids are 53-bit integers sent as strings; anything else is ignored. */
function idParam(value: unknown): number | undefined {
  const text = single(value);
  if (text === undefined || !DIGITS.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

function integerParam(value: unknown): number | undefined {
  const text = single(value)?.trim();
  if (!text || !/^-?\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}

/** `?a=1&a=2` arrives as an array: the last one wins, as in Rails. */
function single(value: unknown): string | undefined {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof last === 'number') return String(last);
  return typeof last === 'string' ? last : undefined;
}

/**
 * Sets `Link: <…?max_id=oldest>; rel="next", <…?min_id=newest>; rel="prev"`
 * for a page of `items` (any order). As Mastodon: "next" only when the page is
 * full (there may be more), "prev" whenever the page has items, nothing for an
 * empty page. Other query parameters are kept; the page's own id parameters
 * are replaced. URLs are absolute, on `publicUrl` (pass config.publicUrl; the
 * request's own origin is used otherwise, which trusts the Host header).
 */
export function setLinkHeader(ctx: Koa.Context, items: readonly { id: number | string }[], params: PageParams, options: { publicUrl?: string } = {}): void {
  if (items.length === 0) return;
  let oldest = Number(items[0]!.id);
  let newest = oldest;
  for (const item of items) {
    const id = Number(item.id);
    if (id < oldest) oldest = id;
    if (id > newest) newest = id;
  }
  const base = `${(options.publicUrl ?? ctx.origin).replace(/\/$/, '')}${ctx.path}`;
  const links: string[] = [];
  if (items.length >= params.limit) links.push(`<${pageUrl(base, ctx.querystring, 'max_id', oldest)}>; rel="next"`);
  links.push(`<${pageUrl(base, ctx.querystring, 'min_id', newest)}>; rel="prev"`);
  ctx.set('Link', links.join(', '));
}

function pageUrl(base: string, querystring: string, name: string, id: number): string {
  const query = new URLSearchParams(querystring);
  for (const param of ID_PARAMS) query.delete(param);
  query.set(name, String(id));
  return `${base}?${query.toString()}`;
}
