// A local account → its actor document: Person, or Service for a bot (as
// Mastodon marks bots). Profile fields go out as schema:PropertyValue with
// HTML values, the way Mastodon sends and reads them; the first public key
// is the one Mastodon and Pixelfed read (`publicKey`, a single object when
// there is one), the Multikeys serve object integrity proofs.
import { CryptographicKey, Endpoints, Image, Multikey, Person, PropertyValue, Service } from '@fedify/vocab';
import type { Account } from '../../server/db/accounts.repo.ts';
import { instantFromMs } from './instant.ts';
import type { LocalActorUrls } from './local-urls.ts';
import { mediaTypeOfKey } from './media-attachment.ts';

export interface LocalActorInput {
  /** A local account (domain null). */
  account: Account;
  avatarUrl: string | null;
  headerUrl: string | null;
  /** `value` is HTML, as others are shown it (parseFields(account.fields, 'html')). */
  fields: { name: string; value: string }[];
  publicKeys: CryptographicKey[];
  assertionMethods: Multikey[];
  /** The actor this account moved to (Mastodon's `movedTo`), when it has. */
  movedToUri?: string | null;
}

function imageOf(url: string | null): Image | null {
  if (url === null) return null;
  const path = new URL(url).pathname;
  return new Image({ url: new URL(url), mediaType: mediaTypeOfKey(path) });
}

function urlList(json: string): URL[] {
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((u): u is string => typeof u === 'string' && URL.canParse(u)).map((u) => new URL(u));
  } catch {
    // A corrupted column must not take the actor document down.
    return [];
  }
}

export function personFromAccount(input: LocalActorInput, urls: LocalActorUrls): Person | Service {
  const { account } = input;
  const username = account.username;
  const values = {
    id: urls.actor(username),
    preferredUsername: username,
    name: account.displayName,
    summary: account.noteHtml === '' ? null : account.noteHtml,
    url: urls.profile(username),
    manuallyApprovesFollowers: account.locked,
    discoverable: account.discoverable,
    published: instantFromMs(account.createdAt),
    icon: imageOf(input.avatarUrl),
    image: imageOf(input.headerUrl),
    attachments: input.fields.map((field) => new PropertyValue({ name: field.name, value: field.value })),
    inbox: urls.inbox(username),
    outbox: urls.outbox(username),
    followers: urls.followers(username),
    following: urls.following(username),
    featured: urls.featured(username),
    endpoints: new Endpoints({ sharedInbox: urls.sharedInbox }),
    aliases: urlList(account.alsoKnownAs),
    successor: input.movedToUri ? new URL(input.movedToUri) : null,
    publicKeys: input.publicKeys,
    assertionMethods: input.assertionMethods,
  };
  return account.bot ? new Service(values) : new Person(values);
}
