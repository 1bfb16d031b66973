// What every inbox listener needs first: the sender's account (fetched and
// stored when new; refused when its domain is suspended), and the local
// account or post an activity is about. Listeners stay thin: resolve, check,
// call the same service a local action calls.
import type { Activity } from '@fedify/vocab';
import { findAccountByUsername, type Account } from '../../server/db/accounts.repo.ts';
import { findPostById, findPostByUri, type Post } from '../../server/db/posts.repo.ts';
import { AppError } from '../../server/errors.ts';
import { getLogger } from '../../server/logging.ts';
import { domainPolicy } from '../../server/services/moderation/domain-blocks.service.ts';
import { INSTANCE_ACTOR, type FedContext } from '../context.ts';
import { remoteAccount } from '../remote/remote-accounts.ts';

export const inboxLog = getLogger(['federation', 'inbox']);

/** The remote account that sent the activity; null (ignore it) when unknown, local, or from a suspended domain. */
export async function senderOf(ctx: FedContext, activity: Activity): Promise<Account | null> {
  const actorId = activity.actorId;
  if (!actorId) return null;
  const policy = await domainPolicy(ctx.data.db, actorId.host);
  if (policy.suspended) {
    inboxLog.debug('Ignoring {type} from suspended domain {host}', { type: activity.constructor.name, host: actorId.host });
    return null;
  }
  const account = await remoteAccount(ctx, actorId);
  if (!account || account.domain === null || account.suspendedAt !== null) return null;
  return account;
}

/** The local account an actor id of ours names. */
export async function localActor(ctx: FedContext, uri: URL | null): Promise<Account | null> {
  if (!uri) return null;
  const parsed = ctx.parseUri(uri);
  if (parsed?.type !== 'actor' || parsed.identifier === INSTANCE_ACTOR) return null;
  const account = await findAccountByUsername(ctx.data.db, parsed.identifier, null);
  return account && account.username === parsed.identifier && account.suspendedAt === null ? account : null;
}

/** The post an object id names: one of ours by its URL, or a stored remote post by its uri. */
export async function postFor(ctx: FedContext, uri: URL | null): Promise<Post | null> {
  if (!uri) return null;
  const parsed = ctx.parseUri(uri);
  if (parsed?.type === 'object') {
    const id = Number(parsed.values.id);
    if (!Number.isSafeInteger(id)) return null;
    const post = await findPostById(ctx.data.db, id);
    return post && post.deletedAt === null ? post : null;
  }
  const post = await findPostByUri(ctx.data.db, uri.href);
  return post && post.deletedAt === null ? post : null;
}

/**
 * Runs a service call for a remote activity; a refusal the local user would
 * get as a 4xx (blocked, not visible, gone) just means the activity changes
 * nothing, which is logged, never retried.
 */
export async function applyOrIgnore(what: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      inboxLog.debug('{what} refused: {message}', { what, message: error.message });
      return;
    }
    throw error;
  }
}
