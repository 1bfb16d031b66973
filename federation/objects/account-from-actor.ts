// A remote actor → plain data for the accounts row. Ids come from the `*Id`
// getters, embedded icon, header and profile fields through getters that
// may not fetch (no-fetch.ts). HTML (summary, field values) is returned as
// received; the caller sanitizes it.
import { Application, getActorTypeName, PropertyValue, Service, type Actor, type ActorTypeName, type Image } from '@fedify/vocab';
import { unprocessable } from '../../server/errors.ts';
import { msFromInstant } from './instant.ts';
import { EMBEDDED_ONLY } from './no-fetch.ts';
import { hrefOf } from './vocab-values.ts';

export interface RemoteActorData {
  uri: string;
  username: string;
  /** Host of the actor's id, port included when not the default. */
  domain: string;
  displayName: string;
  noteHtml: string;
  url: string | null;
  avatarUrl: string | null;
  headerUrl: string | null;
  locked: boolean;
  discoverable: boolean;
  bot: boolean;
  actorType: ActorTypeName;
  fields: { name: string; value: string }[];
  inbox: string | null;
  sharedInbox: string | null;
  outbox: string | null;
  followers: string | null;
  following: string | null;
  featured: string | null;
  alsoKnownAs: string[];
  movedTo: string | null;
  /** Epoch ms. */
  published: number | null;
}

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));

/** An icon or image: embedded (its `url`), or a bare URL naming the picture itself. */
async function pictureUrl(embedded: Promise<Image | null>, id: URL | null): Promise<string | null> {
  const image = await embedded;
  if (image) return hrefOf(image.url);
  return id?.href ?? null;
}

async function fieldsOf(actor: Actor): Promise<RemoteActorData['fields']> {
  const fields: RemoteActorData['fields'] = [];
  for await (const item of actor.getAttachments(EMBEDDED_ONLY)) {
    if (item instanceof PropertyValue) fields.push({ name: text(item.name), value: text(item.value) });
  }
  return fields;
}

export async function readActor(actor: Actor): Promise<RemoteActorData> {
  const uri = actor.id;
  if (!uri) throw unprocessable('The actor has no id');
  const username = text(actor.preferredUsername).trim();
  if (username === '') throw unprocessable('The actor has no preferredUsername');
  return {
    uri: uri.href,
    username,
    domain: uri.host,
    displayName: text(actor.name),
    noteHtml: text(actor.summary),
    url: hrefOf(actor.url),
    avatarUrl: await pictureUrl(actor.getIcon(EMBEDDED_ONLY), actor.iconId),
    headerUrl: await pictureUrl(actor.getImage(EMBEDDED_ONLY), actor.imageId),
    locked: actor.manuallyApprovesFollowers ?? false,
    discoverable: actor.discoverable ?? false,
    bot: actor instanceof Service || actor instanceof Application,
    actorType: getActorTypeName(actor),
    fields: await fieldsOf(actor),
    inbox: actor.inboxId?.href ?? null,
    sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
    outbox: actor.outboxId?.href ?? null,
    followers: actor.followersId?.href ?? null,
    following: actor.followingId?.href ?? null,
    featured: actor.featuredId?.href ?? null,
    alsoKnownAs: actor.aliasIds.map((u) => u.href),
    movedTo: actor.successorId?.href ?? null,
    published: msFromInstant(actor.published),
  };
}
