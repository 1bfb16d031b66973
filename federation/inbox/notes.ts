// Create and Update of a Note, and Delete of a Note or of the sender itself.
// The note is parsed by the pure readNote; the post is written by the same
// remote-post service the rest of the server uses, with the consequences a
// local post has (feeds, notifications, conversations, media fetch).
import { Note, isActor, type Create, type Delete, type Update } from '@fedify/vocab';
import { findAccountByUri, setAccountSuspendedAt, type Account } from '../../server/db/accounts.repo.ts';
import { createRemotePost, deleteAllPostsOf, deleteRemotePost, editRemotePost } from '../../server/services/posts/remote-post.service.ts';
import { severRemoteTies } from '../../server/services/moderation/domain-block-effects.ts';
import { syncRemoteProfileImagesLater } from '../../server/services/accounts/remote-profile-images.job.ts';
import type { FedInboxContext } from '../context.ts';
import { readNote, type IncomingNote } from '../objects/post-from-note.ts';
import { remoteAccount, storeActor } from '../remote/remote-accounts.ts';
import { inboxLog, localActor, senderOf } from './common.ts';

// A note may name many actors; only this many are looked up (and fetched when new).
const MAX_NAMED_ACTORS = 20;

/** The accounts (ours, or remote ones, fetched when new: a group DM names people we may not know yet) among these actor ids. */
async function namedAccounts(ctx: FedInboxContext, uris: string[]): Promise<Account[]> {
  const found = new Map<number, Account>();
  for (const uri of [...new Set(uris)].slice(0, MAX_NAMED_ACTORS)) {
    const account = (await localActor(ctx, new URL(uri))) ?? (await remoteAccount(ctx, uri));
    if (account) found.set(account.id, account);
  }
  return [...found.values()];
}

async function noteOf(ctx: FedInboxContext, activity: Create | Update, sender: Account): Promise<IncomingNote | null> {
  const object = await activity.getObject({ suppressError: true }).catch(() => null);
  if (!(object instanceof Note)) return null;
  if (object.attributionId?.href !== sender.uri) {
    inboxLog.debug('Note {id} not attributed to its sender ignored', { id: object.id?.href });
    return null;
  }
  // The raw JSON carries what the vocabulary drops (blurhash, focal points, Pixelfed's comment flags).
  const json = ((await activity.toJsonLd()) as { object?: unknown }).object;
  return readNote(object, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, authorFollowersUri: sender.followersUrl, json });
}

export async function onCreate(ctx: FedInboxContext, create: Create): Promise<void> {
  const sender = await senderOf(ctx, create);
  if (!sender) return;
  const note = await noteOf(ctx, create, sender);
  if (!note) return inboxLog.debug('Create of something other than a Note ignored');
  const mentioned = await namedAccounts(ctx, note.mentionUris);
  const addressed = note.visibility === 'direct' ? await namedAccounts(ctx, note.recipientUris) : [];
  // A direct message for none of our accounts is not ours to keep.
  if (note.visibility === 'direct' && !addressed.some((a) => a.domain === null)) return inboxLog.debug('Direct note for no local account ignored');
  const { post, created } = await createRemotePost(ctx.data.db, ctx.data.config, {
    author: sender,
    note,
    mentionedAccountIds: mentioned.map((a) => a.id),
    addresseeIds: addressed.map((a) => a.id),
  });
  if (!created && !post) inboxLog.debug('Note {uri} refused', { uri: note.uri });
}

export async function onUpdate(ctx: FedInboxContext, update: Update): Promise<void> {
  const sender = await senderOf(ctx, update);
  if (!sender) return;
  if (update.objectId?.href === sender.uri) {
    const actor = await update.getObject({ suppressError: true }).catch(() => null);
    // Refetched rather than trusted as embedded: the actor's own server answers for it.
    if (isActor(actor)) await storeActor(ctx, actor);
    return;
  }
  const note = await noteOf(ctx, update, sender);
  if (!note) return inboxLog.debug('Update of something other than a Note or the sender ignored');
  const mentioned = await namedAccounts(ctx, note.mentionUris);
  await editRemotePost(ctx.data.db, ctx.data.config, { author: sender, note, mentionedAccountIds: mentioned.map((a) => a.id) });
}

export async function onDelete(ctx: FedInboxContext, del: Delete): Promise<void> {
  const objectId = del.objectId;
  if (!objectId) return;
  const { db } = ctx.data;
  if (objectId.href === del.actorId?.href) {
    // The actor is gone: its server no longer answers for it, so no fetch.
    const account = await findAccountByUri(db, objectId.href);
    if (!account || account.domain === null) return;
    // Ties first: once suspended, its posts are hidden, and nobody should still follow it by then.
    await severRemoteTies(db, [account.id]);
    await db.transaction(async (trx) => {
      await setAccountSuspendedAt(trx, account.id, Date.now());
      // Its copied avatar and header go too.
      await syncRemoteProfileImagesLater(trx, account.id);
    });
    await deleteAllPostsOf(db, account.id);
    return;
  }
  const sender = await senderOf(ctx, del);
  if (!sender) return;
  await deleteRemotePost(db, { authorId: sender.id, uri: objectId.href });
}
