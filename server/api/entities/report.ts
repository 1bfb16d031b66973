// Mastodon's Report (https://docs.joinmastodon.org/entities/Report/), as the
// reporter sees what they filed. Pure: nothing is queried here.
import type { ReportCategory } from '../../db/reports.repo.ts';
import type { ReportView } from '../../services/moderation/file-report.service.ts';
import { serializeAccount, type MastodonAccount, type SerializeContext } from './account.ts';

export interface MastodonReport {
  id: string;
  action_taken: boolean;
  action_taken_at: string | null;
  category: ReportCategory;
  comment: string;
  forwarded: boolean;
  created_at: string;
  status_ids: string[];
  rule_ids: string[];
  target_account: MastodonAccount;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function serializeReport(ctx: SerializeContext, { report, target }: ReportView): MastodonReport {
  return {
    id: String(report.id),
    action_taken: report.resolvedAt !== null,
    action_taken_at: report.resolvedAt === null ? null : iso(report.resolvedAt),
    category: report.category,
    comment: report.comment,
    forwarded: report.forwarded,
    created_at: iso(report.createdAt),
    status_ids: report.postIds.map(String),
    rule_ids: report.ruleIds.map(String),
    target_account: serializeAccount(ctx, target.account, target.role ? { role: target.role } : null),
  };
}
