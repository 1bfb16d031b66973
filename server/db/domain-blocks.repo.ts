// SQL for `domain_blocks` and for what a block does to the remote accounts it
// covers. Which accounts a block covers is a `DomainScope` (the service parses
// the domain): the host itself on any port and its subdomains, or with a port
// only that port. The social-graph removals a suspension makes go through
// follows.repo.ts; this file only finds the ties to remove.
//
// Marks: a block that suspends or silences an account writes the block's
// created_at into suspended_at / silenced_at (as Mastodon does), so lifting
// the block clears exactly the marks it made and leaves an account suspended
// on its own (at another time) alone.
import { noteAuthChange } from './auth-changes.ts';
import { newId } from './ids.ts';
import type { Queryable } from './knex.ts';

export type DomainBlockSeverity = 'suspend' | 'silence' | 'noop';
export const DOMAIN_BLOCK_SEVERITIES: readonly DomainBlockSeverity[] = ['suspend', 'silence', 'noop'];

export interface DomainBlock {
  id: number;
  /** Normalized: lowercase, punycode, port only when not the default. */
  domain: string;
  severity: DomainBlockSeverity;
  rejectMedia: boolean;
  rejectReports: boolean;
  privateComment: string | null;
  publicComment: string | null;
  createdAt: number;
}

export type DomainBlockFields = Pick<DomainBlock, 'severity' | 'rejectMedia' | 'rejectReports' | 'privateComment' | 'publicComment'>;

/** A block's reach: `hostname` on any port and its subdomains, or with `port` only that port. IPs have no subdomains. */
export interface DomainScope {
  hostname: string;
  port: string | null;
  isIp: boolean;
}

export type MarkColumn = 'suspended_at' | 'silenced_at';

type Row = Record<string, unknown>;

function blockFromRow(row: Row): DomainBlock {
  return {
    id: Number(row.id),
    domain: String(row.domain),
    severity: row.severity as DomainBlockSeverity,
    rejectMedia: Boolean(row.reject_media),
    rejectReports: Boolean(row.reject_reports),
    privateComment: (row.private_comment as string | null) ?? null,
    publicComment: (row.public_comment as string | null) ?? null,
    createdAt: Number(row.created_at),
  };
}

function fieldsToRow(fields: Partial<DomainBlockFields>): Row {
  const row: Row = {};
  if (fields.severity !== undefined) row.severity = fields.severity;
  if (fields.rejectMedia !== undefined) row.reject_media = fields.rejectMedia;
  if (fields.rejectReports !== undefined) row.reject_reports = fields.rejectReports;
  if (fields.privateComment !== undefined) row.private_comment = fields.privateComment;
  if (fields.publicComment !== undefined) row.public_comment = fields.publicComment;
  return row;
}

export async function findDomainBlock(db: Queryable, domain: string): Promise<DomainBlock | undefined> {
  const row = await db('domain_blocks').where({ domain }).first();
  return row ? blockFromRow(row) : undefined;
}

/** The blocks on exactly these domains (a host's candidates: itself and its parents). */
export async function findDomainBlocksIn(db: Queryable, domains: string[]): Promise<DomainBlock[]> {
  if (domains.length === 0) return [];
  const rows: Row[] = await db('domain_blocks').whereIn('domain', domains);
  return rows.map(blockFromRow);
}

/** The blocks whose domain lies within `scope` (subdomains, other ports), the scope's own domain included. */
export async function findDomainBlocksWithin(db: Queryable, scope: DomainScope): Promise<DomainBlock[]> {
  const rows: Row[] = await db('domain_blocks').where((q) => whereCovered(q, 'domain', scope));
  return rows.map(blockFromRow);
}

/** Every block, by domain. */
export async function listDomainBlockRows(db: Queryable): Promise<DomainBlock[]> {
  const rows: Row[] = await db('domain_blocks').orderBy('domain', 'asc');
  return rows.map(blockFromRow);
}

export async function insertDomainBlock(db: Queryable, domain: string, fields: DomainBlockFields, now: number): Promise<DomainBlock> {
  const id = newId(now);
  await db('domain_blocks').insert({ id, domain, ...fieldsToRow(fields), created_at: now });
  return (await findDomainBlock(db, domain))!;
}

export async function updateDomainBlock(db: Queryable, id: number, changes: Partial<DomainBlockFields>): Promise<void> {
  const row = fieldsToRow(changes);
  if (Object.keys(row).length > 0) await db('domain_blocks').where({ id }).update(row);
}

export async function deleteDomainBlock(db: Queryable, id: number): Promise<boolean> {
  return (await db('domain_blocks').where({ id }).del()) > 0;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `column` holds a domain within `scope` (compared lowercase: hosts are case-insensitive). */
function whereCovered(q: import('knex').Knex.QueryBuilder, column: string, scope: DomainScope): void {
  const value = `lower(${column})`;
  const like = (pattern: string) => q.orWhereRaw(`${value} like ? escape '\\'`, [pattern]);
  const host = escapeLike(scope.hostname);
  if (scope.port === null) {
    q.whereRaw(`${value} = ?`, [scope.hostname]);
    like(`${host}:%`);
    if (!scope.isIp) {
      like(`%.${host}`);
      like(`%.${host}:%`);
    }
  } else {
    q.whereRaw(`${value} = ?`, [`${scope.hostname}:${scope.port}`]);
    if (!scope.isIp) like(`%.${host}:${scope.port}`);
  }
}

/**
 * Up to `limit` ids of remote accounts within `scope`, above `afterId`, in id
 * order (callers page with the last id); with `mark`, only those whose mark
 * column holds `mark.equals` (null: unmarked).
 */
export async function findAccountIdsWithin(
  db: Queryable,
  scope: DomainScope,
  options: { afterId: number; limit: number; mark?: { column: MarkColumn; equals: number | null } },
): Promise<number[]> {
  const q = db('accounts')
    .whereNotNull('domain')
    .where('id', '>', options.afterId)
    .where((w) => whereCovered(w, 'domain', scope))
    .orderBy('id', 'asc')
    .limit(options.limit);
  const { mark } = options;
  if (mark) {
    if (mark.equals === null) q.whereNull(mark.column);
    else q.where(mark.column, mark.equals);
  }
  const ids: unknown[] = await q.pluck('id');
  return ids.map(Number);
}

/** Sets `column` to `to` on those of `ids` where it holds `from`; returns how many changed. */
export async function moveAccountMarks(db: Queryable, ids: number[], column: MarkColumn, from: number | null, to: number | null, now = Date.now()): Promise<number> {
  if (ids.length === 0) return 0;
  const q = db('accounts').whereIn('id', ids);
  if (from === null) q.whereNull(column);
  else q.where(column, from);
  const changed = await q.update({ [column]: to, updated_at: now });
  if (changed > 0) noteAuthChange(db);
  return changed;
}

/** A follow or follow request, either way, between a local account and one of the remote ones. */
export interface LocalTie {
  localId: number;
  remoteId: number;
}

/**
 * Up to about `limit` ties of each kind (follows and requests, both ways)
 * between local accounts and `remoteIds`, as distinct pairs.
 */
export async function findLocalTies(db: Queryable, remoteIds: number[], limit: number): Promise<LocalTie[]> {
  if (remoteIds.length === 0) return [];
  const queries = (['follows', 'follow_requests'] as const).flatMap((table) => [
    // The local account follows (or asks to follow) the remote one…
    db(`${table} as t`).join('accounts as l', 'l.id', 't.account_id').whereNull('l.domain').whereIn('t.target_account_id', remoteIds).limit(limit).select({ localId: 't.account_id', remoteId: 't.target_account_id' }),
    // …or the other way round.
    db(`${table} as t`).join('accounts as l', 'l.id', 't.target_account_id').whereNull('l.domain').whereIn('t.account_id', remoteIds).limit(limit).select({ localId: 't.target_account_id', remoteId: 't.account_id' }),
  ]);
  const pairs = new Map<string, LocalTie>();
  for (const rows of (await Promise.all(queries)) as Row[][]) {
    for (const row of rows) {
      const tie = { localId: Number(row.localId), remoteId: Number(row.remoteId) };
      pairs.set(`${tie.localId}:${tie.remoteId}`, tie);
    }
  }
  return [...pairs.values()];
}
