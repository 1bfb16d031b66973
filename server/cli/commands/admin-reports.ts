// `viewfinder admin reports …`: the moderators' queue of reports until the
// admin panel exists: list the open ones, read one, resolve it.
import type { Command } from 'commander';
import type { Account } from '../../db/accounts.repo.ts';
import type { Report } from '../../db/reports.repo.ts';
import { getReportDetails, listReportsForReview, resolveReportById, type ReportDetails } from '../../services/moderation/review-reports.service.ts';
import { databaseHelp, formatTable, integerIn, isoTime, withDatabase, type CliContext } from './common.ts';

/** Registers under the `admin` group (made by registerAdminCommands, which must run first). */
export function registerReportCommands(program: Command, context: CliContext): void {
  const admin = program.commands.find((command) => command.name() === 'admin') ?? program.command('admin').description('administer the instance');
  const reports = admin.command('reports').alias('report').description('review reports filed by users');
  const { io } = context;
  const reportId = integerIn(1);

  reports
    .command('list')
    .description('list open reports, oldest first (the order to work through them)')
    .option('--all', 'resolved reports too')
    .option('--limit <n>', 'at most this many', integerIn(1), 100)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { all?: boolean; limit: number; json?: boolean }) => {
      await withDatabase(context, async (db) => {
        const summaries = await listReportsForReview(db, { all: options.all, limit: options.limit });
        if (options.json) return io.out(JSON.stringify(summaries.map(({ report, reporter, target }) => ({ ...report, reporter: acct(reporter), target: acct(target) })), null, 2));
        if (!summaries.length) return io.err(options.all ? 'No reports.' : 'No open reports.');
        io.out(
          formatTable(
            ['id', 'state', 'category', 'reporter', 'target', 'posts', 'created', 'comment'],
            summaries.map(({ report, reporter, target }) => [report.id, stateOf(report), report.category, acct(reporter), acct(target), report.postIds.length, isoTime(report.createdAt), excerpt(report.comment, 60)]),
          ),
        );
      });
    });

  reports
    .command('show')
    .description('show one report in full, with the posts it names')
    .argument('<id>', 'the report id (from `admin reports list`)', reportId)
    .option('--json', 'print JSON instead of text')
    .action(async (id: number, options: { json?: boolean }) => {
      await withDatabase(context, async (db) => {
        const details = await getReportDetails(db, id);
        if (options.json) return io.out(JSON.stringify(details, null, 2));
        io.out(describe(details));
      });
    });

  reports
    .command('resolve')
    .description('mark a report resolved (act on the account first, e.g. `admin account suspend`)')
    .argument('<id>', 'the report id (from `admin reports list`)', reportId)
    .option('--by <username>', 'the local moderator or admin who handled it')
    .action(async (id: number, options: { by?: string }) => {
      await withDatabase(context, async (db) => {
        const { resolved, report } = await resolveReportById(db, id, options.by);
        io.out(resolved ? `Resolved report ${id}.` : `Report ${id} was already resolved (${isoTime(report.resolvedAt)}).`);
      });
    });

  for (const command of [reports, ...reports.commands]) command.addHelpText('after', databaseHelp);
}

function describe({ report, reporter, target, posts, missingPostIds, resolvedBy }: ReportDetails): string {
  const lines = [
    `Report ${report.id} (${stateOf(report)})`,
    `Filed:     ${isoTime(report.createdAt)}`,
    `Reporter:  ${acct(reporter)} (id ${report.accountId})`,
    `Target:    ${acct(target)} (id ${report.targetAccountId})${target?.suspendedAt ? ', suspended' : ''}`,
    `Category:  ${report.category}`,
    `Rules:     ${report.ruleIds.length ? report.ruleIds.join(', ') : '-'}`,
    `Forward:   ${report.forwarded ? 'forwarded' : report.forwardRequested ? 'requested, not sent yet' : 'no'}`,
    `Comment:   ${report.comment === '' ? '-' : report.comment.replace(/\n/g, '\n           ')}`,
  ];
  if (report.resolvedAt !== null) lines.push(`Resolved:  ${isoTime(report.resolvedAt)}${resolvedBy ? ` by ${acct(resolvedBy)}` : ''}`);
  lines.push(`Posts:     ${report.postIds.length ? '' : '-'}`);
  for (const post of posts) {
    lines.push(`  ${post.id}  ${post.deletedAt !== null ? 'deleted' : post.visibility}  ${isoTime(post.createdAt)}  ${excerpt(post.caption, 80)}`);
  }
  for (const postId of missingPostIds) lines.push(`  ${postId}  gone`);
  return lines.join('\n');
}

const stateOf = (report: Report) => (report.resolvedAt === null ? 'open' : 'resolved');

function acct(account: Account | null): string {
  if (!account) return '(deleted account)';
  return account.domain === null ? `@${account.username}` : `@${account.username}@${account.domain}`;
}

function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}
