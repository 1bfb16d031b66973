// What a moderator does with reports (the CLI today, the admin panel later):
// list the open ones, read one with the posts it names, resolve it.
import { findAccountByUsername, findAccountsByIds, type Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import type { Post } from '../../db/posts.repo.ts';
import { findReportById, findReportedPosts, listReports, resolveReport, type Report } from '../../db/reports.repo.ts';
import { findUserByAccountId } from '../../db/users.repo.ts';
import { notFound, unprocessable } from '../../errors.ts';

export interface ReportSummary {
  report: Report;
  reporter: Account | null;
  target: Account | null;
}

export interface ReportDetails extends ReportSummary {
  /** The named posts still stored (deleted ones included, with deletedAt set), in the report's order. */
  posts: Post[];
  /** Named posts no longer stored at all. */
  missingPostIds: number[];
  resolvedBy: Account | null;
}

export async function listReportsForReview(db: Queryable, options: { all?: boolean; limit: number }): Promise<ReportSummary[]> {
  const reports = await listReports(db, { all: options.all ?? false, limit: options.limit });
  const accounts = await accountsById(db, reports.flatMap((r) => [r.accountId, r.targetAccountId]));
  return reports.map((report) => ({ report, reporter: accounts.get(report.accountId) ?? null, target: accounts.get(report.targetAccountId) ?? null }));
}

export async function getReportDetails(db: Queryable, id: number): Promise<ReportDetails> {
  const report = await findReport(db, id);
  const accounts = await accountsById(db, [report.accountId, report.targetAccountId, ...(report.resolvedByAccountId === null ? [] : [report.resolvedByAccountId])]);
  const posts = new Map((await findReportedPosts(db, report.postIds)).map((post) => [post.id, post]));
  return {
    report,
    reporter: accounts.get(report.accountId) ?? null,
    target: accounts.get(report.targetAccountId) ?? null,
    posts: report.postIds.map((postId) => posts.get(postId)).filter((post): post is Post => post !== undefined),
    missingPostIds: report.postIds.filter((postId) => !posts.has(postId)),
    resolvedBy: report.resolvedByAccountId === null ? null : (accounts.get(report.resolvedByAccountId) ?? null),
  };
}

/**
 * Marks the report resolved, by a local moderator or admin when `byUsername`
 * is given. False when it was resolved already (nothing changes then).
 */
export async function resolveReportById(db: Queryable, id: number, byUsername?: string): Promise<{ resolved: boolean; report: Report }> {
  await findReport(db, id);
  let byAccountId: number | null = null;
  if (byUsername !== undefined) {
    const account = await findAccountByUsername(db, byUsername, null);
    const user = account ? await findUserByAccountId(db, account.id) : undefined;
    if (!account || !user) throw notFound(`No local account named ${byUsername}`);
    if (user.role === 'user') throw unprocessable(`${account.username} is not a moderator or admin`);
    byAccountId = account.id;
  }
  const resolved = await resolveReport(db, id, byAccountId);
  return { resolved, report: await findReport(db, id) };
}

async function findReport(db: Queryable, id: number): Promise<Report> {
  const report = await findReportById(db, id);
  if (!report) throw notFound(`Report ${id} not found`);
  return report;
}

async function accountsById(db: Queryable, ids: number[]): Promise<Map<number, Account>> {
  return new Map((await findAccountsByIds(db, [...new Set(ids)])).map((account) => [account.id, account]));
}
