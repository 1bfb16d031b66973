// Flag: another server reports one of our accounts (and maybe some of its
// posts). It becomes a report in the same store as POST /api/v1/reports, filed
// by the sending actor (usually that server's instance actor), for our
// moderators to handle.
import type { Flag } from '@fedify/vocab';
import { fileReport } from '../../server/services/moderation/file-report.service.ts';
import { domainPolicy } from '../../server/services/moderation/domain-blocks.service.ts';
import type { FedInboxContext } from '../context.ts';
import { applyOrIgnore, inboxLog, localActor, postFor, senderOf } from './common.ts';

export async function onFlag(ctx: FedInboxContext, flag: Flag): Promise<void> {
  const sender = await senderOf(ctx, flag);
  if (!sender) return;
  if ((await domainPolicy(ctx.data.db, sender.domain!)).rejectReports) return inboxLog.debug('Flag from {domain} ignored: its reports are rejected', { domain: sender.domain });
  let targetId: number | null = null;
  const posts: { id: number; accountId: number }[] = [];
  for (const uri of flag.objectIds) {
    const account = await localActor(ctx, uri);
    if (account) {
      targetId ??= account.id;
      continue;
    }
    const post = await postFor(ctx, uri);
    // Only posts the reporting server could see are cited (the report service checks it too).
    if (post && (post.visibility === 'public' || post.visibility === 'unlisted')) posts.push(post);
  }
  if (targetId === null) return inboxLog.debug('Flag naming none of our accounts ignored');
  const comment = (flag.content?.toString() ?? '').slice(0, 1000);
  const reported = targetId;
  const postIds = posts.filter((p) => p.accountId === reported).map((p) => p.id);
  await applyOrIgnore('Flag', () => fileReport(ctx.data.db, sender.id, { accountId: reported, postIds, comment, category: 'other', uri: flag.id?.href }));
}
