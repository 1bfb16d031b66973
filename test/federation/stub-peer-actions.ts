// Follows between our users and a stub peer's actors, each side doing what
// its real software does: our user follows through the client API (lookup by
// handle, follow) and the stub answers with its software's Accept; the stub
// follows one of ours with Mastodon's Follow and our server accepts.
import type { TestUser } from '../api/helpers.ts';
import type { Json } from '../fixtures/federation/fixtures.ts';
import { eventually, type Instance } from './instances.ts';
import { mastodonActivityId, type Received, type StubActor, type StubPeer } from './stub-peer.ts';
import { FIXTURE_ACTORS, localAddress, renameActor } from './stub-peer-fixtures.ts';

let acceptCount = 0;

/** Our user follows the stub actor; returns the actor's account id on our instance once the relationship says following. */
export async function followStubActor(instance: Instance, follower: TestUser, stub: StubPeer, actor: StubActor): Promise<string> {
  const found = await follower.client.v1.accounts.lookup({ acct: actor.acct });
  await follower.client.v1.accounts.$select(found.id).follow();
  await acceptFollow(instance, stub, actor, follower.username);
  await eventually(`${follower.username} following ${actor.acct}`, async () => (await follower.client.v1.accounts.relationships.fetch({ id: [found.id] }))[0]?.following);
  return found.id;
}

/** Waits for our user's Follow of the stub actor and answers it with the stub software's Accept. */
export async function acceptFollow(instance: Instance, stub: StubPeer, actor: StubActor, username: string): Promise<Received> {
  const ours = localAddress(instance, username).id;
  const follow = await stub.receivedWhere(`${username}'s Follow of ${actor.acct}`, (r) => r.activity.type === 'Follow' && r.activity.actor === ours && r.activity.object === actor.id);
  const fixturePerson = stub.software === 'mastodon' ? FIXTURE_ACTORS.mastodonAlice : FIXTURE_ACTORS.pixelfedDana;
  const accept = await stub.fixture(`${stub.software}-accept-follow`, renameActor(fixturePerson, actor.address));
  // Both servers number an Accept by their follow row and echo our Follow (its id, actor and object).
  acceptCount += 1;
  accept.id = String(accept.id).replace(/\d+$/, String(acceptCount));
  accept.object = { ...(accept.object as Json), id: follow.activity.id, actor: follow.activity.actor, object: follow.activity.object };
  // The answer goes to the follower's own inbox.
  await stub.deliver(accept, `${ours}/inbox`);
  return follow;
}

/** The stub actor follows our (unlocked) user with Mastodon's Follow; resolves with our Accept as the stub received it. */
export async function stubFollows(instance: Instance, stub: StubPeer, actor: StubActor, username: string): Promise<{ follow: Json; accept: Received }> {
  const target = localAddress(instance, username);
  const follow = await stub.fixture('mastodon-follow', [...renameActor(FIXTURE_ACTORS.viewfinderCarol, target), ...renameActor(FIXTURE_ACTORS.mastodonAlice, actor.address)]);
  follow.id = mastodonActivityId(stub);
  await stub.deliver(follow, `${target.id}/inbox`);
  const accept = await stub.receivedWhere(`the Accept of ${actor.acct}'s Follow`, (r) => r.activity.type === 'Accept' && r.activity.actor === target.id);
  return { follow, accept };
}
