// `federation.send`: turns an outbound event (server/services/federation/
// outbound.ts) into an activity and gives it to Fedify, which signs it and
// queues one delivery per inbox (shared inboxes once; many recipients are one
// fan-out message that expands in a worker). Runs in the job worker, so a
// slow or dead server never touches a user's request. The activity is built
// from the rows as they are now: a post edited twice before this runs goes
// out once, current.
import { Accept, Announce, Block, Create, Delete, Follow, Like, PUBLIC_COLLECTION, Reject, Tombstone, Undo, Update, type Activity, type Recipient } from '@fedify/vocab';
import type { Federation } from '@fedify/fedify';
import { instantFromMs } from '../objects/instant.ts';
import type { Config } from '../../config/load.ts';
import { findAccountById, type Account } from '../../server/db/accounts.repo.ts';
import type { Db } from '../../server/db/knex.ts';
import { findPostById } from '../../server/db/posts.repo.ts';
import { findFollowUri, setFollowRequestUri } from '../../server/db/follows.repo.ts';
import { newId } from '../../server/db/ids.ts';
import type { JobRegistry } from '../../server/jobs/registry.ts';
import { getLogger } from '../../server/logging.ts';
import { FEDERATION_SEND_JOB, type OutboundEvent } from '../../server/services/federation/outbound.ts';
import { getPostView } from '../../server/services/posts/read-posts.service.ts';
import type { FedContext, FederationData } from '../context.ts';
import { noteInputOf, postUri } from '../post-notes.ts';
import { noteFromPost } from '../objects/note-from-post.ts';
import { extraJsonLd } from '../objects/note-extras.ts';
import type { JsonLdExtras } from '../objects/json-ld-extras.ts';
import { registerExtras } from './activity-extras.ts';
import { localUrls } from '../urls.ts';
import { recipientsFor } from './recipients.ts';
import { personOf } from '../actors.ts';

const log = getLogger('federation');

interface Outgoing {
  activity: Activity;
  recipients: Recipient[];
  orderingKey?: string;
  /** What the vocabulary cannot carry, patched in on the way to the queue. */
  extras?: JsonLdExtras;
}

export function registerFederationSendJob(registry: JobRegistry, db: Db, config: Config, federation: Promise<Federation<FederationData>>): void {
  registry.register<OutboundEvent>(FEDERATION_SEND_JOB, async (event) => {
    const ctx = (await federation).createContext(new URL(config.publicUrl), { db, config });
    const sender = await findAccountById(db, event.accountId);
    if (!sender || sender.domain !== null) return;
    const outgoing = await buildOutgoing(ctx, sender, event);
    if (!outgoing || outgoing.recipients.length === 0) return;
    const forget = outgoing.extras && outgoing.activity.id ? registerExtras(outgoing.activity.id.href, outgoing.extras) : () => {};
    try {
      await ctx.sendActivity({ identifier: sender.username }, outgoing.recipients, outgoing.activity, {
        preferSharedInbox: true,
        ...(outgoing.orderingKey ? { orderingKey: outgoing.orderingKey } : {}),
      });
    } finally {
      forget();
    }
    log.debug('Queued {type} from {username} for {count} recipient(s)', { type: event.type, username: sender.username, count: outgoing.recipients.length });
  });
}

async function accountUri(db: Db, id: number, publicUrl: string): Promise<URL | null> {
  const account = await findAccountById(db, id);
  if (!account) return null;
  if (account.domain === null) return localUrls(publicUrl).actor(account.username);
  return account.uri ? new URL(account.uri) : null;
}

async function buildOutgoing(ctx: FedContext, sender: Account, event: OutboundEvent): Promise<Outgoing | null> {
  const { db, config } = ctx.data;
  const urls = localUrls(config.publicUrl);
  const actor = urls.actor(sender.username);
  const fresh = (kind: string) => urls.activity(sender.username, kind, newId());

  if ('targetId' in event) {
    const target = await accountUri(db, event.targetId, config.publicUrl);
    if (!target) return null;
    const recipients = await recipientsFor(db, { accountIds: [event.targetId] });
    switch (event.type) {
      case 'follow': {
        // The request's id, kept so the Accept and our Undo can name it.
        const id = (await findFollowUri(db, 'follow_requests', sender.id, event.targetId)) ?? fresh('follows').href;
        await setFollowRequestUri(db, sender.id, event.targetId, id);
        return { activity: new Follow({ id: new URL(id), actor, object: target }), recipients };
      }
      case 'undo-follow':
        // Servers match the Follow being undone by its actor and object.
        return { activity: new Undo({ id: fresh('undo'), actor, object: new Follow({ actor, object: target }) }), recipients };
      case 'accept-follow':
      case 'reject-follow': {
        const follow = new Follow({ id: event.followUri ? new URL(event.followUri) : null, actor: target, object: actor });
        const Answer = event.type === 'accept-follow' ? Accept : Reject;
        return { activity: new Answer({ id: fresh(event.type === 'accept-follow' ? 'accepts' : 'rejects'), actor, object: follow }), recipients };
      }
      case 'block':
        return { activity: new Block({ id: fresh('blocks'), actor, object: target }), recipients };
      case 'undo-block':
        return { activity: new Undo({ id: fresh('undo'), actor, object: new Block({ actor, object: target }) }), recipients };
    }
  }

  switch (event.type) {
    case 'like':
    case 'undo-like': {
      const post = await findPostById(db, event.postId);
      const object = post && (await postUri(db, urls, post));
      if (!object) return null;
      const recipients = await recipientsFor(db, { accountIds: [event.postAuthorId] });
      const like = new Like({ id: event.type === 'like' ? fresh('likes') : null, actor, object: new URL(object) });
      return { activity: event.type === 'like' ? like : new Undo({ id: fresh('undo'), actor, object: like }), recipients };
    }
    case 'announce':
    case 'undo-announce': {
      const post = await findPostById(db, event.postId);
      const object = post && (await postUri(db, urls, post));
      if (!object) return null;
      const recipients = await recipientsFor(db, { followersOf: sender.id, accountIds: [event.postAuthorId] });
      const author = await accountUri(db, event.postAuthorId, config.publicUrl);
      const announce = new Announce({
        id: new URL(`${urls.post(sender.username, event.shareId).href}/activity`),
        actor,
        object: new URL(object),
        to: PUBLIC_COLLECTION,
        ccs: [urls.followers(sender.username), ...(author ? [author] : [])],
      });
      return { activity: event.type === 'announce' ? announce : new Undo({ id: fresh('undo'), actor, object: announce }), recipients };
    }
    case 'create':
    case 'update': {
      const view = await getPostView(db, sender.id, event.postId).catch(() => null);
      if (!view || view.post.reblogOfId !== null || view.post.deletedAt !== null) return null;
      const input = await noteInputOf(db, config.publicUrl, view);
      const note = noteFromPost(input, urls);
      const direct = view.post.visibility === 'direct';
      const parentAuthor = view.post.inReplyToAccountId === null ? [] : [view.post.inReplyToAccountId];
      const recipients = await recipientsFor(db, {
        followersOf: direct ? undefined : sender.id,
        accountIds: [...view.mentions.map((m) => m.account.id), ...(direct ? [] : parentAuthor)],
      });
      const envelope = { actor, object: note, tos: note.toIds, ccs: note.ccIds };
      const activity =
        event.type === 'create'
          ? new Create({ id: new URL(`${note.id!.href}/activity`), published: note.published, ...envelope })
          : new Update({ id: new URL(`${note.id!.href}#updates/${view.post.editedAt ?? Date.now()}`), updated: note.updated, ...envelope });
      return { activity, recipients, orderingKey: note.id!.href, extras: extraJsonLd(input, urls) };
    }
    case 'delete': {
      const id = urls.post(sender.username, event.postId);
      const recipients = await recipientsFor(db, { followersOf: event.toFollowers ? sender.id : undefined, accountIds: event.recipientIds });
      const activity = new Delete({ id: new URL(`${id.href}#delete`), actor, object: new Tombstone({ id, deleted: instantFromMs(Date.now()) }), to: PUBLIC_COLLECTION });
      return { activity, recipients, orderingKey: id.href };
    }
    case 'update-actor': {
      const person = await personOf(ctx, sender);
      const recipients = await recipientsFor(db, { followersOf: sender.id });
      return { activity: new Update({ id: fresh('updates'), actor, object: person, to: PUBLIC_COLLECTION }), recipients };
    }
    case 'delete-actor': {
      const recipients = await recipientsFor(db, { followersOf: sender.id });
      return { activity: new Delete({ id: fresh('delete'), actor, object: actor, to: PUBLIC_COLLECTION }), recipients };
    }
  }
  return null;
}
