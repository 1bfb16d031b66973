// The actor dispatcher: each local account is a `Person` at /users/{username}
// (JSON-LD to servers, HTML to browsers through content negotiation), and the
// instance actor a `Service` that signs fetches made for the instance itself.
// WebFinger (acct:user@domain) is Fedify's, mapped here to our usernames.
import { Service, Tombstone, Endpoints, Image, type Person } from '@fedify/vocab';
import type { FederationBuilder } from '@fedify/fedify';
import { instantFromMs } from './objects/instant.ts';
import { findAccountByUsername, type Account } from '../server/db/accounts.repo.ts';
import { mediaUrl, parseFields } from '../server/api/entities/account.ts';
import { INSTANCE_ACTOR, type FedContext, type FederationData, type FedRequestContext } from './context.ts';
import { accountKeyPairs, instanceKeyPairs } from './keys.ts';
import { personFromAccount } from './objects/actor-from-account.ts';
import { localUrls, PATHS } from './urls.ts';

export function registerActors(builder: FederationBuilder<FederationData>): void {
  builder
    .setActorDispatcher(PATHS.actor, async (ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) return instanceActor(ctx);
      const { db, config } = ctx.data;
      const account = await findAccountByUsername(db, identifier, null);
      // The URL is exact: /users/Alice is not alice's actor id.
      if (!account || account.username !== identifier) return null;
      if (account.suspendedAt !== null) {
        return new Tombstone({ id: ctx.getActorUri(identifier), deleted: instantFromMs(account.suspendedAt) });
      }
      return personOf(ctx, account);
    })
    .setKeyPairsDispatcher(async (ctx, identifier) => {
      const { db } = ctx.data;
      if (identifier === INSTANCE_ACTOR) return instanceKeyPairs(db);
      const account = await findAccountByUsername(db, identifier, null);
      // Suspended accounts keep their keys: their Delete must still be signed.
      if (!account || account.username !== identifier) return [];
      return accountKeyPairs(db, account.id);
    })
    .mapHandle(async (ctx, username) => {
      const { db, config } = ctx.data;
      // Mastodon's convention: the instance actor's handle is the domain itself.
      if (username === config.domain || username === new URL(config.publicUrl).hostname) return INSTANCE_ACTOR;
      const account = await findAccountByUsername(db, username, null);
      return account && account.suspendedAt === null ? account.username : null;
    });
}

/** A local account as its Person (also what an Update of the actor carries). */
export async function personOf(ctx: FedContext, account: Account): Promise<Person | Service> {
  const { config } = ctx.data;
  const keys = await ctx.getActorKeyPairs(account.username);
  const fields = parseFields(account.fields, 'html').map(({ name, value }) => ({ name, value }));
  return personFromAccount(
    {
      account,
      avatarUrl: account.avatarPath ? mediaUrl(config, account.avatarPath) : null,
      headerUrl: account.headerPath ? mediaUrl(config, account.headerPath) : null,
      fields,
      // The RSA key alone as publicKey (what Mastodon reads); every key as a Multikey.
      publicKeys: keys.filter((k) => k.privateKey.algorithm.name === 'RSASSA-PKCS1-v1_5').map((k) => k.cryptographicKey),
      assertionMethods: keys.map((k) => k.multikey),
    },
    localUrls(config.publicUrl),
  );
}

async function instanceActor(ctx: FedRequestContext): Promise<Service> {
  const { config } = ctx.data;
  const keys = await ctx.getActorKeyPairs(INSTANCE_ACTOR);
  return new Service({
    id: ctx.getActorUri(INSTANCE_ACTOR),
    preferredUsername: config.domain,
    name: config.domain,
    summary: 'The instance actor: signs requests made on behalf of this server.',
    manuallyApprovesFollowers: true,
    inbox: ctx.getInboxUri(INSTANCE_ACTOR),
    outbox: ctx.getOutboxUri(INSTANCE_ACTOR),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    url: new URL(config.publicUrl),
    icon: new Image({ url: new URL(`${config.publicUrl}/media/default/avatar.png`), mediaType: 'image/png' }),
    publicKey: keys[0]?.cryptographicKey,
    assertionMethods: keys.map((k) => k.multikey),
  });
}
