// SQL for `reports`: an account (local, or a remote instance actor for a
// Flag) reporting another, with posts for context, until a moderator
// resolves it. Post and rule ids are JSON arrays of numbers.
import type { Queryable } from './knex.ts';
import { postFromRow, type Post } from './posts.repo.ts';

export type ReportCategory = 'spam' | 'legal' | 'violation' | 'other';
export const REPORT_CATEGORIES: readonly ReportCategory[] = ['spam', 'legal', 'violation', 'other'];

export interface Report {
  id: number;
  accountId: number;
  targetAccountId: number;
  postIds: number[];
  comment: string;
  category: ReportCategory;
  ruleIds: number[];
  forwardRequested: boolean;
  forwarded: boolean;
  uri: string | null;
  resolvedByAccountId: number | null;
  resolvedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

type Row = Record<string, unknown>;

const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

function reportFromRow(row: Row): Report {
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    targetAccountId: Number(row.target_account_id),
    postIds: (JSON.parse(String(row.post_ids)) as unknown[]).map(Number),
    comment: String(row.comment),
    category: row.category as ReportCategory,
    ruleIds: (JSON.parse(String(row.rule_ids)) as unknown[]).map(Number),
    forwardRequested: Boolean(row.forward_requested),
    forwarded: Boolean(row.forwarded),
    uri: (row.uri as string | null) ?? null,
    resolvedByAccountId: nullableNumber(row.resolved_by_account_id),
    resolvedAt: nullableNumber(row.resolved_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export type NewReport = Pick<Report, 'id' | 'accountId' | 'targetAccountId' | 'postIds' | 'comment' | 'category' | 'ruleIds' | 'forwardRequested' | 'createdAt'> & {
  /** A remote Flag's activity id: the same Flag twice is one report. */
  uri?: string | null;
};

/** Inserts the report; false when one with the same uri exists already (a repeated Flag). */
export async function insertReport(db: Queryable, report: NewReport): Promise<boolean> {
  const inserted = await db('reports')
    .insert({
    id: report.id,
    account_id: report.accountId,
    target_account_id: report.targetAccountId,
    post_ids: JSON.stringify(report.postIds),
    comment: report.comment,
    category: report.category,
    rule_ids: JSON.stringify(report.ruleIds),
    forward_requested: report.forwardRequested,
    forwarded: false,
    uri: report.uri ?? null,
    created_at: report.createdAt,
    updated_at: report.createdAt,
  })
    .onConflict('uri')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

export async function findReportById(db: Queryable, id: number): Promise<Report | undefined> {
  const row = await db('reports').where({ id }).first();
  return row ? reportFromRow(row) : undefined;
}

/** Open reports (or all with `all`), oldest first: the order a moderator works through them. */
export async function listReports(db: Queryable, options: { all: boolean; limit: number }): Promise<Report[]> {
  const q = db('reports').orderBy('id', 'asc').limit(options.limit);
  if (!options.all) q.whereNull('resolved_at');
  const rows: Row[] = await q;
  return rows.map(reportFromRow);
}

/** True when this call resolved it; false when it was resolved already. */
export async function resolveReport(db: Queryable, id: number, byAccountId: number | null, now = Date.now()): Promise<boolean> {
  const changed = await db('reports').where({ id }).whereNull('resolved_at').update({ resolved_at: now, resolved_by_account_id: byAccountId, updated_at: now });
  return changed > 0;
}

/** The posts a report names, deleted ones too (the evidence outlives them until purged), in no particular order. */
export async function findReportedPosts(db: Queryable, ids: number[]): Promise<Post[]> {
  if (ids.length === 0) return [];
  const rows: Row[] = await db('posts').whereIn('id', ids);
  return rows.map(postFromRow);
}

export async function findReportByUri(db: Queryable, uri: string): Promise<Report | undefined> {
  const row = await db('reports').where({ uri }).first();
  return row ? reportFromRow(row) : undefined;
}
