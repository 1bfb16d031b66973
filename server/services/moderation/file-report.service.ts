// Filing a report (POST /api/v1/reports): an account, optionally some of its
// posts for context, a comment, a category and the instance rules it broke.
// Checks everything first, then stores it for the moderators.
import { findAccountById, findRolesByAccountIds } from '../../db/accounts.repo.ts';
import { newId } from '../../db/ids.ts';
import type { Db } from '../../db/knex.ts';
import { findPostsByIds } from '../../db/posts.repo.ts';
import { findReportById, findReportByUri, insertReport, REPORT_CATEGORIES, type Report, type ReportCategory } from '../../db/reports.repo.ts';
import { notFound, unprocessable } from '../../errors.ts';
import type { AccountView } from '../posts/post-views.ts';
import { filterVisiblePosts } from '../visibility/post-visibility.ts';

export const MAX_REPORT_COMMENT = 1000;
export const MAX_REPORTED_POSTS = 100;

export interface NewReportInput {
  accountId: number;
  postIds?: number[];
  comment?: string;
  category?: string;
  ruleIds?: number[];
  /** For a remote account: also send the report to its server. */
  forward?: boolean;
  /** A remote Flag's id: filing it again returns the report filed the first time. */
  uri?: string;
}

export interface ReportView {
  report: Report;
  target: AccountView;
}

/** The instance's rules (GET /api/v1/instance/rules): none until the admin panel lets an admin write them. */
const INSTANCE_RULE_IDS: ReadonlySet<number> = new Set();

export async function fileReport(db: Db, reporterId: number, input: NewReportInput): Promise<ReportView> {
  const target = await findAccountById(db, input.accountId);
  if (!target) throw notFound();
  if (target.id === reporterId) throw unprocessable('Validation failed: You cannot report your own account');
  const comment = input.comment ?? '';
  if ([...comment].length > MAX_REPORT_COMMENT) throw unprocessable(`Validation failed: Comment is too long (maximum is ${MAX_REPORT_COMMENT} characters)`);
  const ruleIds = [...new Set(input.ruleIds ?? [])];
  // As on Mastodon: citing rules makes it a violation report, whatever the category said.
  const category = (ruleIds.length > 0 ? 'violation' : (input.category ?? 'other')) as ReportCategory;
  if (!REPORT_CATEGORIES.includes(category)) throw unprocessable(`Validation failed: Category must be one of ${REPORT_CATEGORIES.join(', ')}`);
  if (ruleIds.some((id) => !INSTANCE_RULE_IDS.has(id))) throw unprocessable('Validation failed: Rule ids must name rules of this server');
  const postIds = [...new Set(input.postIds ?? [])];
  if (postIds.length > MAX_REPORTED_POSTS) throw unprocessable(`Validation failed: at most ${MAX_REPORTED_POSTS} statuses may be attached`);
  // Only the reported account's posts that the reporter may see; anything else is "not found", as a post they cannot see would be.
  const posts = (await findPostsByIds(db, postIds)).filter((post) => post.accountId === target.id);
  const visible = await filterVisiblePosts(db, reporterId, posts, new Map([[target.id, target]]));
  if (visible.length !== postIds.length) throw notFound();

  const now = Date.now();
  const id = newId(now);
  const inserted = await insertReport(db, { id, accountId: reporterId, targetAccountId: target.id, postIds, comment, category, ruleIds, forwardRequested: (input.forward ?? false) && target.domain !== null, createdAt: now, uri: input.uri ?? null });
  const report = inserted ? await findReportById(db, id) : await findReportByUri(db, input.uri!);
  const roles = await findRolesByAccountIds(db, [target.id]);
  return { report: report!, target: { account: target, role: roles.get(target.id) ?? null } };
}
