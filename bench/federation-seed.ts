// What the federation bench writes before the server starts: one local author
// with a token, and that author's remote followers, each with its own inbox on
// the stub and no shared inbox (Fedify would deliver once per shared inbox).
// Plus the remote actors that send activities in the inbox figure: RSA-2048
// key pairs (what Mastodon makes), their actor documents served by the stub.
import { exportJwk, exportSpki, generateCryptoKeyPair } from '@fedify/fedify';
import { insertAccountKeys } from '../server/db/account-keys.repo.ts';
import type { Config } from '../config/load.ts';
import type { Db } from '../server/db/knex.ts';
import { newId } from '../server/db/ids.ts';
import { createLocalAccount } from '../server/services/accounts/admin-accounts.service.ts';
import { createApp } from '../server/services/oauth/apps.service.ts';
import { issueToken } from '../server/services/oauth/tokens.service.ts';
import type { Stub } from './federation-stub.ts';

export interface Author {
  accountId: number;
  token: string;
}

/** An RSA key pair of `bits` (Fedify's generateCryptoKeyPair makes 4096-bit ones; Mastodon makes 2048-bit ones). */
function rsaKeyPair(bits: number): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
}

/**
 * The local author. `authorKey` 'server': the server makes the author's keys
 * on first use, as for any account; 'rsa2048': stored beforehand with an
 * RSA-2048 key, to see what signing with a smaller key saves per delivery.
 */
export async function seedAuthor(db: Db, config: Config, authorKey: 'server' | 'rsa2048' = 'server'): Promise<Author> {
  const { account, user } = await createLocalAccount(db, { username: 'author', email: 'author@bench.example' });
  if (authorKey === 'rsa2048') {
    const rsa = await rsaKeyPair(2048);
    const ed = await generateCryptoKeyPair('Ed25519');
    const stored = async (algorithm: 'RSASSA-PKCS1-v1_5' | 'Ed25519', pair: CryptoKeyPair) => ({
      accountId: account.id,
      algorithm,
      publicKey: JSON.stringify(await exportJwk(pair.publicKey)),
      privateKey: JSON.stringify(await exportJwk(pair.privateKey)),
    });
    await insertAccountKeys(db, [await stored('RSASSA-PKCS1-v1_5', rsa), await stored('Ed25519', ed)]);
  }
  const { app } = await createApp(db, { clientName: 'bench federation', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' });
  const token = await issueToken(db, config, { appId: app.id, userId: user.id, scopes: ['read', 'write'] });
  return { accountId: account.id, token: token.accessToken };
}

const hostOf = (origin: string) => new URL(origin).host;

/**
 * `followers` remote accounts following the author, follower i delivering to
 * inbox i mod `inboxes`, the inboxes spread over the stub's origins. Returns
 * how many distinct inboxes a post of the author's goes to.
 */
export async function seedRemoteFollowers(db: Db, options: { authorId: number; followers: number; inboxes: number; origins: string[] }): Promise<number> {
  const now = Date.now();
  const inboxes = Math.min(options.inboxes, options.followers);
  const accounts: Record<string, unknown>[] = [];
  const follows: Record<string, unknown>[] = [];
  for (let i = 0; i < options.followers; i++) {
    const box = i % inboxes;
    const origin = options.origins[box % options.origins.length]!;
    const uri = `${origin}/users/f${i}`;
    const id = newId();
    accounts.push({
      id,
      username: `f${i}`,
      domain: hostOf(origin),
      display_name: `Follower ${i}`,
      uri,
      url: uri,
      inbox_url: `${origin}/inbox/${box}`,
      shared_inbox_url: null,
      followers_url: `${uri}/followers`,
      fetched_at: now,
      created_at: now,
      updated_at: now,
    });
    follows.push({ id: newId(), account_id: id, target_account_id: options.authorId, created_at: now });
  }
  // Chunks keep each INSERT under SQLite's bound-parameter limit.
  await db.transaction(async (trx) => {
    for (let start = 0; start < accounts.length; start += 200) await trx('accounts').insert(accounts.slice(start, start + 200));
    for (let start = 0; start < follows.length; start += 200) await trx('follows').insert(follows.slice(start, start + 200));
    await trx('accounts').where({ id: options.authorId }).update({ followers_count: options.followers });
  });
  return inboxes;
}

export interface RemoteActor {
  uri: string;
  keyId: string;
  privateKey: CryptoKey;
}

/**
 * The remote actors as accounts here, each followed by `followerId` (as the
 * people a server hears from are mostly ones its users follow): their posts
 * then go to a home feed, as on a real server.
 */
export async function seedFollowedActors(db: Db, followerId: number, actors: RemoteActor[]): Promise<void> {
  const now = Date.now();
  await db.transaction(async (trx) => {
    for (const actor of actors) {
      const url = new URL(actor.uri);
      const id = newId();
      await trx('accounts').insert({
        id,
        username: url.pathname.split('/').pop(),
        domain: url.host,
        display_name: url.pathname,
        uri: actor.uri,
        url: actor.uri,
        inbox_url: `${actor.uri}/inbox`,
        shared_inbox_url: `${url.origin}/inbox`,
        followers_url: `${actor.uri}/followers`,
        fetched_at: now,
        created_at: now,
        updated_at: now,
      });
      await trx('follows').insert({ id: newId(), account_id: followerId, target_account_id: id, created_at: now });
    }
  });
}

/** `count` remote actors on the stub's main origin, with RSA-2048 keys, their documents served by the stub. */
export async function remoteActors(stub: Stub, count: number): Promise<RemoteActor[]> {
  const origin = stub.origins[0]!;
  const actors: RemoteActor[] = [];
  for (let i = 0; i < count; i++) {
    const path = `/users/sender${i}`;
    const uri = `${origin}${path}`;
    const keyId = `${uri}#main-key`;
    const { privateKey, publicKey } = await rsaKeyPair(2048);
    stub.serveDocument(path, {
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
      id: uri,
      type: 'Person',
      preferredUsername: `sender${i}`,
      name: `Sender ${i}`,
      summary: '<p>A remote photographer for the bench.</p>',
      url: uri,
      inbox: `${uri}/inbox`,
      outbox: `${uri}/outbox`,
      followers: `${uri}/followers`,
      following: `${uri}/following`,
      endpoints: { sharedInbox: `${origin}/inbox` },
      publicKey: { id: keyId, owner: uri, publicKeyPem: await exportSpki(publicKey) },
    });
    actors.push({ uri, keyId, privateKey });
  }
  return actors;
}
